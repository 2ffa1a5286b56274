"""Invites as the organizer sees them (never the token) and as the invited person does."""

from typing import Any

from chalicelib.domain import invites as rules
from chalicelib.domain.clock import now
from chalicelib.store.models.events import EventModel
from chalicelib.store.models.invites import InviteModel
from chalicelib.store.models.users import UserModel


def invite_view(invite: InviteModel) -> dict[str, Any]:
    """What the organizer sees (never the token: only the invited person gets it)."""
    status = invite.status
    if status == rules.PENDING and rules.is_expired(invite.expires_at, now()):
        status = "expired"
    return {
        "id": invite.invite_id,
        "email": invite.email,
        "role": invite.role,
        "status": status,
        "created_at": invite.created_at,
        "expires_at": invite.expires_at,
    }


def sent_invite_view(invite: InviteModel, email_sent: bool) -> dict[str, Any]:
    return {**invite_view(invite), "email_sent": email_sent}


def my_invite_view(invite: InviteModel, event_name: str, reader: UserModel) -> dict[str, Any]:
    """The token only once the reader's address is verified (anyone can sign up with any address)."""
    return {
        "id": invite.invite_id,
        "token": invite.token if reader.email_verified else None,
        "role": invite.role,
        "status": invite.status,
        "expires_at": invite.expires_at,
        "event": {"id": invite.event_id, "name": event_name},
    }


def accepted_invite_view(invite: InviteModel, event: EventModel) -> dict[str, Any]:
    return {
        "event": {"id": event.event_id, "name": event.name},
        "role": invite.role,
        "status": rules.ACCEPTED,
    }


def declined_invite_view(invite: InviteModel) -> dict[str, Any]:
    return {"id": invite.invite_id, "role": invite.role, "status": rules.DECLINED}
