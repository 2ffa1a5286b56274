"""Role invites: create (notification + e-mail, or an e-mail with a signup link), list the
caller's pending ones, accept / decline, and sign up with an invite token.

Tokens are random (``secrets.token_urlsafe``), bound to the invited address (compared
normalized), answered once (the status changes from pending in the same transaction that
grants the role, conditioned on it still being pending) and expire after seven days. A token is
the proof of owning the address: it travels in the invite e-mail, and /me/invites shows it only to
an account whose address is verified.
"""

import logging
import secrets
import uuid
from dataclasses import replace
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.config import settings
from chalicelib.domain import invites as rules
from chalicelib.domain.clock import now, now_iso
from chalicelib.domain.errors import ConflictError, NotFoundError, TooManyRequestsError, ValidationError
from chalicelib.domain.limits import INVITES_PER_EVENT, INVITES_PER_USER
from chalicelib.domain.users import normalize_email, validate_signup
from chalicelib.store import ratelimit, roles, users
from chalicelib.store.audit import audit_record
from chalicelib.store.mail import send_email
from chalicelib.store.models.events import EVENT_SK, EventModel, event_pk
from chalicelib.store.models.invites import InviteModel
from chalicelib.store.models.users import UserModel
from chalicelib.store.notifications import notify

logger = logging.getLogger("marquee")

ATTEMPTS = 3
TOKEN_BYTES = 32


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


def _get(token: Any) -> InviteModel:
    if not isinstance(token, str) or not token or len(token) > 200:
        raise NotFoundError("No such invite.")
    try:
        return InviteModel.get(token, consistent_read=True)
    except DoesNotExist as error:
        raise NotFoundError("No such invite.") from error


def _pending_for(email: str) -> list[InviteModel]:
    moment = now()
    return [
        invite
        for invite in InviteModel.by_email.query(email, scan_index_forward=False)
        if invite.status == rules.PENDING and not rules.is_expired(invite.expires_at, moment)
    ]


def _deliver(invite: InviteModel, event: EventModel, inviter: UserModel, invitee: UserModel | None) -> bool:
    """Notify a registered invitee and e-mail the address. Returns whether SES took the e-mail.

    Every e-mail carries the accept link with the token: it is the proof that whoever answers
    reads the address. The inviter's own words (their name) go only to a verified address."""
    base = settings().frontend_url.rstrip("/")
    accept_link = f"{base}/#/invites?invite={invite.invite_id}&token={invite.token}"
    signup_link = None if invitee else f"{base}/#/signup?invite={invite.token}"
    inviter_name = inviter.name if invitee is not None and invitee.email_verified else None
    message = rules.invite_message(event.name, invite.role, inviter_name, accept_link, signup_link)
    if invitee is not None:
        title, text = rules.invite_notification(event.name, invite.role, inviter.name)
        notify(invitee.user_id, rules.ROLE_INVITE_ACTION, title, text)
    try:
        send_email(invite.email, message.subject, message.text, message.html)
    except (ClientError, BotoCoreError):
        logger.exception("could not e-mail invite %s", invite.invite_id)
        return False
    return True


def create_invite(event: EventModel, inviter: UserModel, payload: dict[str, Any]) -> dict[str, Any]:
    email, role = rules.validate_invite(payload)
    invitee = users.find_by_email(email)
    if invitee is not None:
        current = roles.memberships(event.event_id).get(invitee.user_id)
        if current is not None and current.role == role:
            raise ConflictError(f"{email} is already {role} of this event.", code="already_member")
    if any(i.event_id == event.event_id and i.role == role for i in _pending_for(email)):
        raise ConflictError(f"{email} already has a pending invite to this role.", code="already_invited")
    created = now()
    invite = InviteModel(
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
    _reserve_invite(event, inviter)
    with roles.transaction() as tx:
        tx.save(invite, condition=InviteModel.token.does_not_exist())
        tx.save(
            audit_record(
                inviter,
                "invite.created",
                event_id=event.event_id,
                target=_audit_target(invite),
                after={"role": role},
            )
        )
    email_sent = _deliver(invite, event, inviter, invitee)
    return {**invite_view(invite), "email_sent": email_sent}


def _reserve_invite(event: EventModel, inviter: UserModel) -> None:
    per_user = replace(INVITES_PER_USER, max_count=settings().invites_per_user_per_day)
    sent_by_user = ratelimit.consume(per_user, inviter.user_id)
    try:
        ratelimit.consume(INVITES_PER_EVENT, event.event_id)
    except TooManyRequestsError:
        ratelimit.give_back(sent_by_user)
        raise


def _audit_target(invite: InviteModel) -> dict[str, str]:
    return {"invite_id": invite.invite_id, "email": invite.email}


def list_event_invites(event_id: str) -> list[dict[str, Any]]:
    return [invite_view(i) for i in InviteModel.by_event.query(event_id, scan_index_forward=False)]


def my_invites(user: UserModel) -> list[dict[str, Any]]:
    """The caller's pending invites for events that still exist; their tokens only once the
    caller's address is verified (anyone can sign up with any address)."""
    pending = _pending_for(normalize_email(user.email))
    event_ids = list(dict.fromkeys(i.event_id for i in pending))
    keys = [(event_pk(event_id), EVENT_SK) for event_id in event_ids]
    events = {e.event_id: e for e in EventModel.batch_get(keys)} if keys else {}
    return [
        {
            "id": invite.invite_id,
            "token": invite.token if user.email_verified else None,
            "role": invite.role,
            "status": invite.status,
            "expires_at": invite.expires_at,
            "event": {"id": invite.event_id, "name": events[invite.event_id].name},
        }
        for invite in pending
        if invite.event_id in events
    ]


def _answer(invite: InviteModel, status: str, user_id: str) -> tuple[InviteModel, list[Any], Any]:
    """The update (invite, actions, condition) that answers a still-pending invite."""
    actions = [
        InviteModel.status.set(status),
        InviteModel.responded_at.set(now_iso()),
        InviteModel.answered_by.set(user_id),
    ]
    return invite, actions, InviteModel.status == rules.PENDING


def _event_or_404(event_id: str) -> EventModel:
    try:
        return EventModel.get(event_pk(event_id), EVENT_SK, consistent_read=True)
    except DoesNotExist as error:
        raise NotFoundError("The event of this invite no longer exists.") from error


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


def accept_invite(token: Any, user: UserModel) -> dict[str, Any]:
    """Grant the invite's role to the invited user (replacing a role they hold in the event)."""
    for _ in range(ATTEMPTS):
        invite = _get(token)
        rules.check_answerable(invite.status, invite.expires_at, invite.email, user.email, now())
        event = _event_or_404(invite.event_id)
        members = roles.memberships(invite.event_id)
        target, actions, condition = _answer(invite, rules.ACCEPTED, user.user_id)
        try:
            with roles.transaction() as tx:
                tx.update(target, actions=actions, condition=condition)
                roles.add_grant(tx, invite.event_id, user.user_id, invite.role, members)
                tx.save(_acceptance_record(invite, user, members))
        except TransactWriteError as error:
            if not roles.lost_race(error):
                raise
            continue  # answered, or the roles / event changed meanwhile: re-read and decide again
        return {
            "event": {"id": event.event_id, "name": event.name},
            "role": invite.role,
            "status": rules.ACCEPTED,
        }
    raise ConflictError(roles.RACE_MESSAGE)


def decline_invite(token: Any, user: UserModel) -> dict[str, Any]:
    invite = _get(token)
    rules.check_answerable(invite.status, invite.expires_at, invite.email, user.email, now())
    target, actions, condition = _answer(invite, rules.DECLINED, user.user_id)
    try:
        with roles.transaction() as tx:
            tx.update(target, actions=actions, condition=condition)
            tx.save(
                audit_record(user, "invite.declined", event_id=invite.event_id, target=_audit_target(invite))
            )
    except TransactWriteError as error:
        if roles.lost_race(error):
            raise ConflictError("This invite was answered meanwhile.", code="invite_used") from error
        raise
    return {"id": invite.invite_id, "role": invite.role, "status": rules.DECLINED}


def sign_up(payload: dict[str, Any]) -> UserModel:
    """Create an account; with ``invite_token``, also grant the invite's role in the same
    transaction (the invite must be pending, unexpired and addressed to this e-mail)."""
    token = payload.get("invite_token")
    if token is None:
        return users.create_user(payload)
    email, _password, _name = validate_signup(payload)
    try:
        invite = _get(token)
    except NotFoundError:
        raise ValidationError({"invite_token": "This invite does not exist."}) from None
    rules.check_signup_invite(invite.status, invite.expires_at, invite.email, email, now())
    _event_or_404(invite.event_id)
    members = roles.memberships(invite.event_id)

    def grant(tx: TransactWrite, user: UserModel) -> None:
        target, actions, condition = _answer(invite, rules.ACCEPTED, user.user_id)
        tx.update(target, actions=actions, condition=condition)
        roles.add_grant(tx, invite.event_id, user.user_id, invite.role, members)
        tx.save(_acceptance_record(invite, user, members))

    # The token arrived in an e-mail to the address: signing up with it proves the inbox.
    return users.create_user(payload, email_verified=True, extra_writes=grant)
