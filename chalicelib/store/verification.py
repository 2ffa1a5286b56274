"""E-mail verification links (e-mailed by chalicelib.services.accounts), confirmed once. The
token travels only in the e-mail; the table keeps its SHA-256 digest. Confirming marks the link
used and the account verified in one transaction conditioned on the link being unused and
unexpired, so two confirmations sent together cannot both succeed."""

from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from chalicelib.domain import verification as rules
from chalicelib.domain.clock import now
from chalicelib.domain.link_tokens import new_token, token_digest
from chalicelib.store.models.system import EmailVerificationModel
from chalicelib.store.models.users import UserModel
from chalicelib.store.transactions import Cancelled, transaction

LINK_SK = "link"


def _key(token: str) -> str:
    return f"VERIFY#{token_digest(token)}"


def new_link(user: UserModel) -> str:
    """Store a new link for the account's address; returns its token (for the e-mail only)."""
    token = new_token()
    expires_at = int((now() + rules.VERIFICATION_TTL).timestamp())
    link_item = EmailVerificationModel(
        _key(token), LINK_SK, user_id=user.user_id, email=user.email, expires_at=expires_at
    )
    link_item.save(condition=EmailVerificationModel.pk.does_not_exist())
    return token


def confirm(payload: dict[str, Any]) -> dict[str, Any]:
    """``POST /auth/verify-email/confirm``: the link's account is verified; the link is spent."""
    token = rules.validate_confirmation(payload)
    key = _key(token)
    try:
        link_item = EmailVerificationModel.get(key, LINK_SK, consistent_read=True)
    except DoesNotExist:
        raise rules.unknown_link() from None
    moment = now()
    user = UserModel(link_item.user_id)
    try:
        with transaction() as pending:
            pending.update(
                link_item,
                actions=[EmailVerificationModel.used_at.set(moment.isoformat(timespec="milliseconds"))],
                condition=EmailVerificationModel.used_at.does_not_exist()
                & (EmailVerificationModel.expires_at > int(moment.timestamp())),
            )
            # The account must still have the address the link was sent to.
            pending.update(
                user,
                actions=[UserModel.email_verified.set(True)],
                condition=UserModel.email == link_item.email,
            )
    except (Cancelled, TransactWriteError) as error:
        raise _why_refused(key) from error
    return {"email": link_item.email, "email_verified": True}


def _why_refused(key: str) -> Exception:
    try:
        link_item = EmailVerificationModel.get(key, LINK_SK, consistent_read=True)
    except DoesNotExist:
        return rules.unknown_link()
    if link_item.used_at is not None:
        return rules.used_link()
    if link_item.expires_at <= int(now().timestamp()):
        return rules.expired_link()
    return rules.unknown_link()
