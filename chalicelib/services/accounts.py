"""Account use cases whose effects reach beyond the user item."""

from typing import Any

from chalicelib import mail
from chalicelib.domain.errors import ConflictError
from chalicelib.domain.limits import VERIFICATION_EMAILS_PER_USER
from chalicelib.domain.verification import VERIFICATION_TTL
from chalicelib.services.signals import SessionsRevoked, emit
from chalicelib.store import ratelimit, users, verification
from chalicelib.store.models.users import UserModel


def sign_out_everywhere(user: UserModel) -> None:
    """Every token issued so far stops working, and the user's open WebSockets are closed."""
    users.revoke_tokens(user)
    emit(SessionsRevoked(user.user_id))


def change_password(user: UserModel, payload: dict[str, Any]) -> UserModel:
    """A new password ends every older session (tokens and open WebSockets)."""
    changed = users.change_password(user, payload)
    emit(SessionsRevoked(user.user_id))
    return changed


def send_verification(user: UserModel) -> bool:
    """E-mail the account a new link that verifies its address; returns whether SES took it."""
    token = verification.new_link(user)
    hours = int(VERIFICATION_TTL.total_seconds() // 3600)
    return mail.send(user.email, "email_verification", token=token, hours=hours) is not None


def request_verification(user: UserModel) -> dict[str, Any]:
    """``POST /auth/verify-email``: a new link, unless the address is verified already (a few an
    hour; a mail SES refused is not counted)."""
    if user.email_verified:
        raise ConflictError("Your e-mail address is already verified.", code="already_verified")
    reservation = ratelimit.consume(VERIFICATION_EMAILS_PER_USER, user.user_id)
    email_sent = send_verification(user)
    if not email_sent:
        ratelimit.give_back(reservation)
    return {"email": user.email, "email_sent": email_sent}
