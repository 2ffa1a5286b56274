"""Rules for role invites: who may be invited to what, when an invite can still be answered,
and the words of the invitation (notification and e-mail)."""

import html
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.errors import ConflictError, ForbiddenError, ValidationError
from chalicelib.domain.permissions import EVENT_ROLES
from chalicelib.domain.users import normalize_email, validate_email

INVITE_TTL = timedelta(days=7)
# Answered or expired invites stay readable this long before DynamoDB's TTL removes them.
PURGE_AFTER = timedelta(days=30)
PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"
ROLE_INVITE_ACTION = "role_invite"
ROLE_LABELS = {
    "organizer": "organizer",
    "coorganizer": "co-organizer",
    "track_organizer": "track organizer",
    "moderator": "moderator",
}


def validate_invite(payload: dict[str, Any]) -> tuple[str, str]:
    """(normalized e-mail, role) of a new invite, or ValidationError."""
    errors = {key: "Unknown field." for key in payload if key not in ("email", "role")}
    errors.update(validate_email(payload.get("email")))
    role = payload.get("role")
    if role not in EVENT_ROLES:
        errors["role"] = f"Use one of {', '.join(EVENT_ROLES)}."
    if errors:
        raise ValidationError(errors)
    return normalize_email(payload["email"]), role


def is_expired(expires_at: str, moment: datetime) -> bool:
    return datetime.fromisoformat(expires_at) <= moment


def check_answerable(
    status: str, expires_at: str, invited_email: str, caller_email: str, moment: datetime
) -> None:
    """An invite is answered once, before it expires, and only by the address it was sent to."""
    if normalize_email(caller_email) != invited_email:
        raise ForbiddenError("This invite was sent to another e-mail address.", code="invite_not_yours")
    if status != PENDING:
        raise ConflictError(f"This invite was already {status}.", code="invite_used")
    if is_expired(expires_at, moment):
        raise ConflictError(
            "This invite has expired; ask the organizer for a new one.", code="invite_expired"
        )


def check_signup_invite(
    status: str, expires_at: str, invited_email: str, email: str, moment: datetime
) -> None:
    """Signing up with an invite token: the same rules, reported as a field of the signup form."""
    if normalize_email(email) != invited_email:
        raise ValidationError({"invite_token": "This invite was sent to another e-mail address."})
    if status != PENDING:
        raise ValidationError({"invite_token": f"This invite was already {status}."})
    if is_expired(expires_at, moment):
        raise ValidationError({"invite_token": "This invite has expired; ask the organizer for a new one."})


@dataclass(frozen=True)
class InviteMessage:
    subject: str
    text: str
    html: str
    notification_title: str
    notification_message: str


def invite_message(
    event_name: str, role: str, inviter_name: str, link: str, registered: bool
) -> InviteMessage:
    """What the invited person reads. ``link`` opens their invites (registered) or the signup page."""
    label = ROLE_LABELS.get(role, role)
    subject = f"You are invited to be {label} of {event_name}"
    action = "Open your invites to accept or decline" if registered else "Create your account to accept"
    text = (
        f"{inviter_name} invited you to be {label} of {event_name} on Marquee.\n\n"
        f"{action}: {link}\n\nThe invite expires in {INVITE_TTL.days} days."
    )
    safe = {"event": html.escape(event_name), "inviter": html.escape(inviter_name), "link": html.escape(link)}
    body = (
        f"<p>{safe['inviter']} invited you to be <strong>{label}</strong> of "
        f"<strong>{safe['event']}</strong> on Marquee.</p>"
        f'<p><a href="{safe["link"]}">{action}</a></p>'
        f"<p>The invite expires in {INVITE_TTL.days} days.</p>"
    )
    return InviteMessage(
        subject=subject,
        text=text,
        html=body,
        notification_title="Role invite",
        notification_message=(
            f"{safe['inviter']} invited you to be <strong>{label}</strong> "
            f"of <strong>{safe['event']}</strong>."
        ),
    )
