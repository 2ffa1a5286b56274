"""Rules for role invites: who may be invited to what, when an invite can still be answered,
and the words of the invitation (notification and e-mail)."""

import html
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.errors import ConflictError, ForbiddenError, ValidationError
from chalicelib.domain.fields import Choice, Const, Field, Flag, Text
from chalicelib.domain.messages import Message
from chalicelib.domain.objects import Object, sent
from chalicelib.domain.permissions import EVENT_ROLES
from chalicelib.domain.users import email_field, normalize_email

INVITE_TTL = timedelta(days=7)
# Answered or expired invites stay readable this long before DynamoDB's TTL removes them.
PURGE_AFTER = timedelta(days=30)
PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"
ROLE_INVITE_ACTION = "role_invite"
INVITE_ACCEPTED_ACTION = "invite_accepted"
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


def invite_message(
    event_name: str, role: str, inviter_name: str | None, accept_link: str, signup_link: str | None
) -> Message:
    """The invitation e-mail. ``accept_link`` (with the token) answers the invite; ``signup_link``
    is for an address without an account. ``inviter_name`` is left out (None) unless the address
    is a verified account's: a stranger's inbox gets no text the inviter wrote beyond the event name."""
    label = ROLE_LABELS.get(role, role)
    subject = f"You are invited to be {label} of {event_name}"
    who = f"{inviter_name} invited you" if inviter_name else "You are invited"
    expiry = f"The invite expires in {INVITE_TTL.days} days. If you did not expect it, ignore this e-mail."
    safe = {"event": html.escape(event_name), "who": html.escape(who)}
    lines = [f"{who} to be {label} of {event_name} on Marquee.", ""]
    parts = [
        f"<p>{safe['who']} to be <strong>{label}</strong> of <strong>{safe['event']}</strong> on Marquee.</p>"
    ]
    if signup_link:
        lines += [f"Create your account to accept: {signup_link}", ""]
        lines += [f"Already have an account with this address? Accept or decline here: {accept_link}", ""]
        parts += [
            f'<p><a href="{html.escape(signup_link)}">Create your account to accept</a></p>',
            f'<p>Already have an account with this address? <a href="{html.escape(accept_link)}">'
            "Accept or decline here</a></p>",
        ]
    else:
        lines += [f"Accept or decline: {accept_link}", ""]
        parts.append(f'<p><a href="{html.escape(accept_link)}">Accept or decline</a></p>')
    lines.append(expiry)
    parts.append(f"<p>{expiry}</p>")
    return Message(subject=subject, text="\n".join(lines), html="".join(parts))


def invite_notification(event_name: str, role: str, inviter_name: str) -> tuple[str, str]:
    """(title, plain-text message) of the in-app notification of a registered invitee."""
    label = ROLE_LABELS.get(role, role)
    return (
        f"{inviter_name} invited you to {event_name}",
        f"{inviter_name} invited you to be {label} of {event_name}.",
    )


def invite_link(invite_id: str) -> str:
    """The app's page of an invite (what its notification links to)."""
    return f"/invites?invite={invite_id}"


def team_link(event_id: str) -> str:
    return f"/events/{event_id}/manage/people"


def accepted_notification(
    member_name: str, event_name: str, role: str, *, for_inviter: bool
) -> tuple[str, str]:
    """(title, plain-text message) telling an organizer that ``member_name`` joined the team: the
    inviter reads "your invite", the other organizers "an invite"."""
    whose = "your" if for_inviter else "an"
    label = ROLE_LABELS.get(role, role)
    return (
        f"{member_name} accepted {whose} invite to {event_name}",
        f"{member_name} accepted {whose} invite and is now {label} of {event_name}.",
    )
