"""Account use cases whose effects reach beyond the user item."""

from datetime import datetime
from typing import Any

from chalicelib import mail
from chalicelib.domain import password_reset
from chalicelib.domain.clock import now
from chalicelib.domain.errors import ConflictError, TooManyRequestsError
from chalicelib.domain.limits import (
    FAILED_RESETS_PER_SOURCE,
    FAILED_VERIFICATIONS_PER_SOURCE,
    PASSWORD_RESETS_PER_ADDRESS,
    PASSWORD_RESETS_PER_SOURCE,
    VERIFICATION_EMAILS_PER_USER,
)
from chalicelib.domain.verification import VERIFICATION_TTL
from chalicelib.services.mail_once import send_once
from chalicelib.services.signals import SessionsRevoked, emit
from chalicelib.store import password_resets, ratelimit, users, verification
from chalicelib.store.models.password_resets import PasswordResetRequestModel
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


def confirm_verification(payload: dict[str, Any], source_ip: str) -> dict[str, Any]:
    """``POST /auth/verify-email/confirm``: links that do not work count against the network (like
    reset links); one that works is given back."""
    attempt = ratelimit.consume(FAILED_VERIFICATIONS_PER_SOURCE, source_ip)
    confirmed = verification.confirm(payload)
    ratelimit.give_back(attempt)
    return confirmed


def request_password_reset(email: str, source_ip: str) -> dict[str, Any]:
    """``POST /auth/password-reset`` for the normalized ``email``. The answer, the limits and the
    work are the same whether or not it has an account: a request item is stored, nothing is read,
    rendered or sent; the events table's stream mails the link (:func:`mail_reset_link`)."""
    from_source = ratelimit.consume(PASSWORD_RESETS_PER_SOURCE, source_ip)
    try:
        ratelimit.consume(PASSWORD_RESETS_PER_ADDRESS, ratelimit.digest(email))
    except TooManyRequestsError:
        ratelimit.give_back(from_source)
        raise
    password_resets.new_request(email)
    return {"email": email}


def mail_reset_link(request: PasswordResetRequestModel) -> bool:
    """From the events table's stream, for a request just stored: a one-hour link to the address,
    if it has an account, minted here (only its digest is stored) and mailed once however often
    the request is delivered; True when it was mailed now."""
    user = users.find_by_email(request.email)
    if user is None or not password_reset.mails_a_link(
        datetime.fromisoformat(request.requested_at), datetime.fromisoformat(user.created_at), now()
    ):
        return False

    def send() -> str | None:
        token = password_resets.new_link(request, user)
        return mail.send(user.email, "password_reset", token=token, minutes=password_reset.minutes())

    return send_once(f"reset#{request.pk}", send)


def reset_password(token: str, password: str, source_ip: str) -> UserModel:
    """``POST /auth/password-reset/confirm``: the link's account gets the new password, every
    older session of it stops working (tokens and open WebSockets), the link is spent."""
    # Counted first, so links tried in parallel cannot slip past the limit; one that works is
    # given back (only links that do not work count).
    attempt = ratelimit.consume(FAILED_RESETS_PER_SOURCE, source_ip)
    user = password_resets.confirm(token, password)
    ratelimit.give_back(attempt)
    emit(SessionsRevoked(user.user_id))
    return user
