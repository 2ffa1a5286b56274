"""Password reset requests and links. Asking stores one request item whether or not the address
has an account (the same write either way, no secret in it); the events table's stream then mints
the link for an address that has one: a random token of which only the SHA-256 digest is kept.
Following a link changes the password, raises the account's ``token_version`` (every older
session stops working) and spends the link in one transaction, conditioned on the link being
unused and unexpired and on the account being as it was when the link was minted (same address,
same ``token_version``): a later password change, sign-out everywhere or reset makes older links
void, and two confirmations sent together cannot both succeed."""

import uuid

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from chalicelib.domain import password_reset as rules
from chalicelib.domain.clock import now
from chalicelib.domain.link_tokens import new_token, token_digest
from chalicelib.store.models.password_resets import RESET_REQUEST_SK, PasswordResetRequestModel
from chalicelib.store.models.system import PasswordResetModel
from chalicelib.store.models.users import UserModel
from chalicelib.store.transactions import Cancelled, transaction
from chalicelib.store.users import password_hashing

LINK_SK = "reset"


def _key(token: str) -> str:
    return f"RESET#{token_digest(token)}"


def new_request(email: str) -> None:
    """Store a request for a link to the normalized ``email``, whether or not it has an account."""
    moment = now()
    PasswordResetRequestModel(
        f"{RESET_REQUEST_SK}#{uuid.uuid4().hex}",
        RESET_REQUEST_SK,
        email=email,
        requested_at=moment.isoformat(timespec="milliseconds"),
        purge_at=int((moment + rules.RESET_TTL).timestamp()),
    ).save(condition=PasswordResetRequestModel.pk.does_not_exist())


def new_link(request: PasswordResetRequestModel, user: UserModel) -> str:
    """Store the link ``request`` asked for, to ``user``'s account as it is now; returns the token
    (mailed, never stored). It stops working an hour after the request."""
    token = new_token()
    PasswordResetModel(
        _key(token),
        LINK_SK,
        email=request.email,
        user_id=user.user_id,
        token_version=int(user.token_version),
        expires_at=int(request.purge_at),
    ).save(condition=PasswordResetModel.pk.does_not_exist())
    return token


def confirm(token: str, password: str) -> UserModel:
    """Set the link's account's new password and spend the link; the account as it is now."""
    key = _key(token)
    try:
        link = PasswordResetModel.get(key, LINK_SK, consistent_read=True)
    except DoesNotExist:
        raise rules.unknown_link() from None
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
