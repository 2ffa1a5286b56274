"""Password reset links. Asking stores one link item whether or not the address has an account
(the same writes either way); only its token's SHA-256 digest is kept. Following a link changes
the password, raises the account's ``token_version`` (every older session stops working) and
spends the link in one transaction, conditioned on the link being unused and unexpired and on the
account being as it was when the link was sent (same address, same ``token_version``): a later
password change, sign-out everywhere or reset makes older links void, and two confirmations sent
together cannot both succeed."""

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from chalicelib.domain import password_reset as rules
from chalicelib.domain.clock import now
from chalicelib.domain.link_tokens import new_token, token_digest
from chalicelib.store.models.system import PasswordResetModel
from chalicelib.store.models.users import UserModel
from chalicelib.store.transactions import Cancelled, transaction
from chalicelib.store.users import password_hashing

LINK_SK = "reset"


def _key(token: str) -> str:
    return f"RESET#{token_digest(token)}"


def new_link(email: str, user: UserModel | None) -> str:
    """Store a link for the normalized ``email`` (``user``: its account, if any); returns the token."""
    token = new_token()
    PasswordResetModel(
        _key(token),
        LINK_SK,
        email=email,
        user_id=user.user_id if user is not None else None,
        token_version=int(user.token_version) if user is not None else None,
        expires_at=int((now() + rules.RESET_TTL).timestamp()),
    ).save(condition=PasswordResetModel.pk.does_not_exist())
    return token


def confirm(token: str, password: str) -> UserModel:
    """Set the link's account's new password and spend the link; the account as it is now."""
    key = _key(token)
    try:
        link = PasswordResetModel.get(key, LINK_SK, consistent_read=True)
    except DoesNotExist:
        raise rules.unknown_link() from None
    if link.user_id is None or link.token_version is None:
        raise rules.unknown_link()
    password_hash = password_hashing().hash(password)
    moment = now()
    try:
        with transaction() as pending:
            pending.update(
                link,
                actions=[PasswordResetModel.used_at.set(moment.isoformat(timespec="milliseconds"))],
                condition=PasswordResetModel.used_at.does_not_exist()
                & (PasswordResetModel.expires_at > int(moment.timestamp())),
            )
            pending.update(
                UserModel(link.user_id),
                actions=[
                    UserModel.password_hash.set(password_hash),
                    UserModel.token_version.add(1),
                    # The link came by e-mail to the address: following it proves the inbox.
                    UserModel.email_verified.set(True),
                ],
                condition=(UserModel.email == link.email)
                & (UserModel.token_version == int(link.token_version)),
            )
    except (Cancelled, TransactWriteError) as error:
        raise _why_refused(key) from error
    return UserModel.get(link.user_id, consistent_read=True)


def _why_refused(key: str) -> Exception:
    try:
        link = PasswordResetModel.get(key, LINK_SK, consistent_read=True)
    except DoesNotExist:
        return rules.unknown_link()
    if link.used_at is not None:
        return rules.used_link()
    if link.expires_at <= int(now().timestamp()):
        return rules.expired_link()
    return rules.superseded_link()
