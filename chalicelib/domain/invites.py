"""Rules for role invites: who may be invited to what, when an invite can still be answered,
and the words of the invitation's notification (the e-mail is chalicelib/mail's "invite")."""

from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.errors import ConflictError, ForbiddenError, ValidationError
from chalicelib.domain.fields import Choice, Const, Field, Flag, Text
from chalicelib.domain.objects import Object, sent
from chalicelib.domain.permissions import EVENT_ROLES
from chalicelib.domain.users import email_field, normalize_email

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
    "checkin": "door staff (check-in)",
}


INVITE_REQUEST = Object({"email": email_field(), "role": Choice(EVENT_ROLES)}, required=("email", "role"))

_ID = Text(min_len=1)
_INSTANT = Text(fmt="date-time", description="ISO 8601 with offset")
_STATUS = Choice(("pending", "accepted", "declined", "expired"))
_EVENT_SUMMARY = sent(None, {"id": _ID, "name": Text()})
_INVITE_FIELDS: dict[str, Field] = {
    "id": _ID,
    "email": Text(),
    "role": Choice(EVENT_ROLES),
    "status": _STATUS,
    "created_at": _INSTANT,
    "expires_at": _INSTANT,
}
INVITE = sent("Invite", _INVITE_FIELDS)
SENT_INVITE = sent("SentInvite", {**_INVITE_FIELDS, "email_sent": Flag()})
MY_INVITE = sent(
    "MyInvite",
    {
        "id": _ID,
        "token": Text(
            min_len=1,
            nullable=True,
            description="null until my address is verified (the invite e-mail's link carries it)",
        ),
        "role": Choice(EVENT_ROLES),
        "status": _STATUS,
        "expires_at": _INSTANT,
        "event": _EVENT_SUMMARY,
    },
)
ACCEPTED_INVITE = sent(
    "AcceptedInvite", {"event": _EVENT_SUMMARY, "role": Choice(EVENT_ROLES), "status": Const("accepted")}
)
DECLINED_INVITE = sent(
    "DeclinedInvite", {"id": _ID, "role": Choice(EVENT_ROLES), "status": Const("declined")}
)


def validate_invite(payload: dict[str, Any]) -> tuple[str, str]:
    """(normalized e-mail, role) of a new invite, or ValidationError."""
    clean = INVITE_REQUEST.validate(payload)
    return clean["email"], clean["role"]


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


def role_label(role: str) -> str:
    """The role as people read it."""
    return ROLE_LABELS.get(role, role)


def invite_notification(event_name: str, role: str, inviter_name: str) -> tuple[str, str]:
    """(title, plain-text message) of the in-app notification of a registered invitee."""
    return "Role invite", f"{inviter_name} invited you to be {role_label(role)} of {event_name}."
