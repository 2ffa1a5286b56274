"""Role invites on the tables: the invite item, the transactions that create and answer one
(granting the role in the same transaction), and the reads.

Tokens are random (``secrets.token_urlsafe``), bound to the invited address (compared
normalized), answered once (the status changes from pending in the same transaction that
grants the role, conditioned on it still being pending) and expire after seven days.
"""

import secrets
import uuid
from typing import Any

from pynamodb.exceptions import DoesNotExist

from chalicelib.domain import invites as rules
from chalicelib.domain.clock import now, now_iso
from chalicelib.domain.errors import ConflictError, NotFoundError
from chalicelib.store import roles
from chalicelib.store.audit import audit_record
from chalicelib.store.models.events import EVENT_SK, EventModel, event_pk
from chalicelib.store.models.invites import InviteModel
from chalicelib.store.models.users import UserModel
from chalicelib.store.transactions import Cancelled, Transaction, transaction

TOKEN_BYTES = 32


def get_invite(token: Any) -> InviteModel:
    if not isinstance(token, str) or not token or len(token) > 200:
        raise NotFoundError("No such invite.")
    try:
        return InviteModel.get(token, consistent_read=True)
    except DoesNotExist as error:
        raise NotFoundError("No such invite.") from error


def pending_for(email: str) -> list[InviteModel]:
    """The unexpired pending invites addressed to ``email`` (normalized), newest first."""
    moment = now()
    return [
        invite
        for invite in InviteModel.by_email.query(email, scan_index_forward=False)
        if invite.status == rules.PENDING and not rules.is_expired(invite.expires_at, moment)
    ]


def pending_with_event_names(email: str) -> list[tuple[InviteModel, str]]:
    """``pending_for`` with the name of each invite's event (invites of deleted events left out)."""
    pending = pending_for(email)
    event_ids = list(dict.fromkeys(i.event_id for i in pending))
    keys = [(event_pk(event_id), EVENT_SK) for event_id in event_ids]
    names = {e.event_id: e.name for e in EventModel.batch_get(keys)} if keys else {}
    return [(invite, names[invite.event_id]) for invite in pending if invite.event_id in names]


def list_event_invites(event_id: str) -> list[InviteModel]:
    return list(InviteModel.by_event.query(event_id, scan_index_forward=False))


def new_invite(event: EventModel, inviter: UserModel, email: str, role: str) -> InviteModel:
    created = now()
    return InviteModel(
        secrets.token_urlsafe(TOKEN_BYTES),
        invite_id=uuid.uuid4().hex,
        event_id=event.event_id,
        email=email,
        role=role,
        status=rules.PENDING,
        invited_by=inviter.user_id,
        created_at=created.isoformat(timespec="milliseconds"),
        expires_at=(created + rules.INVITE_TTL).isoformat(timespec="milliseconds"),
        purge_at=int((created + rules.INVITE_TTL + rules.PURGE_AFTER).timestamp()),
    )


def _audit_target(invite: InviteModel) -> dict[str, str]:
    return {"invite_id": invite.invite_id, "email": invite.email}


def save_invite(invite: InviteModel, inviter: UserModel) -> None:
    with transaction() as tx:
        tx.save(invite, condition=InviteModel.token.does_not_exist())
        tx.save(
            audit_record(
                inviter,
                "invite.created",
                event_id=invite.event_id,
                target=_audit_target(invite),
                after={"role": invite.role},
            )
        )


def _answer(tx: Transaction, invite: InviteModel, status: str, user_id: str) -> None:
    """Add to ``tx`` the update that answers the invite, conditioned on it still being pending."""
    actions = [
        InviteModel.status.set(status),
        InviteModel.responded_at.set(now_iso()),
        InviteModel.answered_by.set(user_id),
    ]
    tx.update(invite, actions=actions, condition=InviteModel.status == rules.PENDING)


def _acceptance_record(invite: InviteModel, user: UserModel, members: dict[str, Any]) -> Any:
    previous = members.get(user.user_id)
    return audit_record(
        user,
        "role.granted",
        event_id=invite.event_id,
        target={**_audit_target(invite), "user_id": user.user_id},
        before={"role": previous.role} if previous else None,
        after={"role": invite.role},
    )


def stage_acceptance(tx: Transaction, invite: InviteModel, user: UserModel, members: dict[str, Any]) -> None:
    """Add to ``tx`` the writes that answer the invite and grant its role to ``user``."""
    _answer(tx, invite, rules.ACCEPTED, user.user_id)
    roles.add_grant(tx, invite.event_id, user.user_id, invite.role, members)
    tx.save(_acceptance_record(invite, user, members))


def accept(invite: InviteModel, user: UserModel, members: dict[str, Any]) -> None:
    """Raises ``Cancelled`` when it lost a race (``roles.lost_race``)."""
    with transaction() as tx:
        stage_acceptance(tx, invite, user, members)


def decline(invite: InviteModel, user: UserModel) -> None:
    try:
        with transaction() as tx:
            _answer(tx, invite, rules.DECLINED, user.user_id)
            tx.save(
                audit_record(user, "invite.declined", event_id=invite.event_id, target=_audit_target(invite))
            )
    except Cancelled as cancelled:
        if roles.lost_race(cancelled):
            raise ConflictError("This invite was answered meanwhile.", code="invite_used") from cancelled
        raise
