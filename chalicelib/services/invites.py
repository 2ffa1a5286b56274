"""Invite use cases: invite someone to a role (an e-mail with the accept link; a notification
too when they have an account), answer an invite, and sign up with one.

A token is the proof of owning the address: it travels in the invite e-mail, and /me/invites
shows it only to an account whose address is verified.
"""

from dataclasses import dataclass
from typing import Any

from chalicelib import mail
from chalicelib.config import settings
from chalicelib.domain import invites as rules
from chalicelib.domain.clock import now
from chalicelib.domain.errors import ConflictError, NotFoundError, TooManyRequestsError, ValidationError
from chalicelib.domain.limits import INVITES_PER_EVENT, INVITES_PER_USER
from chalicelib.domain.users import normalize_email, validate_signup
from chalicelib.services.signals import InviteAccepted, InviteCreated, emit
from chalicelib.store import events, invites, ratelimit, roles, users
from chalicelib.store.models.events import EventModel
from chalicelib.store.models.invites import InviteModel
from chalicelib.store.models.users import UserModel
from chalicelib.store.retry import LostRace, retrying
from chalicelib.store.transactions import Cancelled, Transaction

ATTEMPTS = 3
MISSING_EVENT = "The event of this invite no longer exists."


@dataclass
class SentInvite:
    invite: InviteModel
    # Whether SES took the e-mail (the organizer is told when it did not).
    email_sent: bool


def create_invite(event: EventModel, inviter: UserModel, payload: dict[str, Any]) -> SentInvite:
    email, role = rules.validate_invite(payload)
    invitee = users.find_by_email(email)
    if invitee is not None:
        current = roles.memberships(event.event_id).get(invitee.user_id)
        if current is not None and current.role == role:
            raise ConflictError(f"{email} is already {role} of this event.", code="already_member")
    if any(i.event_id == event.event_id and i.role == role for i in invites.pending_for(email)):
        raise ConflictError(f"{email} already has a pending invite to this role.", code="already_invited")
    invite = invites.new_invite(event, inviter, email, role)
    _reserve_invite(event, inviter)
    invites.save_invite(invite, inviter)
    emit(InviteCreated(invite, event, inviter, invitee))
    return SentInvite(invite, _email(invite, event, inviter, invitee))


def _reserve_invite(event: EventModel, inviter: UserModel) -> None:
    per_user = INVITES_PER_USER._replace(max_count=settings().invites_per_user_per_day)
    sent_by_user = ratelimit.consume(per_user, inviter.user_id)
    try:
        ratelimit.consume(INVITES_PER_EVENT, event.event_id)
    except TooManyRequestsError:
        ratelimit.give_back(sent_by_user)
        raise


def _email(invite: InviteModel, event: EventModel, inviter: UserModel, invitee: UserModel | None) -> bool:
    """E-mail the address; returns whether SES took it (the answer tells the organizer, so this is
    part of the use case rather than a subscriber).

    Every e-mail carries the accept link with the token: it is the proof that whoever answers
    reads the address. The inviter's own words (their name) go only to a verified address."""
    sent = mail.send(
        invite.email,
        "invite",
        event_name=event.name,
        role_label=rules.role_label(invite.role),
        inviter_name=inviter.name if invitee is not None and invitee.email_verified else None,
        invite_id=invite.invite_id,
        token=invite.token,
        email=invite.email,
        new_account=invitee is None,
        expires_in_days=rules.INVITE_TTL.days,
    )
    return sent is not None


def my_invites(user: UserModel) -> list[tuple[InviteModel, str]]:
    """The caller's pending invites for events that still exist, with the events' names."""
    return invites.pending_with_event_names(normalize_email(user.email))


def accept_invite(token: Any, user: UserModel) -> tuple[InviteModel, EventModel]:
    """Grant the invite's role to the invited user (replacing a role they hold in the event)."""

    def attempt(_fresh: bool) -> tuple[InviteModel, EventModel]:
        invite = invites.get_invite(token)
        rules.check_answerable(invite.status, invite.expires_at, invite.email, user.email, now())
        event = events.get_event(invite.event_id, MISSING_EVENT)
        try:
            invites.accept(invite, user, roles.memberships(invite.event_id))
        except Cancelled as cancelled:
            if not roles.lost_race(cancelled):
                raise
            # Answered, or the roles / event changed meanwhile: re-read and decide again.
            raise LostRace from cancelled
        return invite, event

    invite, event = retrying(attempt, attempts=ATTEMPTS, busy=ConflictError(roles.RACE_MESSAGE))
    emit(InviteAccepted(invite, event, user))
    return invite, event


def decline_invite(token: Any, user: UserModel) -> InviteModel:
    invite = invites.get_invite(token)
    rules.check_answerable(invite.status, invite.expires_at, invite.email, user.email, now())
    invites.decline(invite, user)
    return invite


def sign_up(payload: dict[str, Any]) -> UserModel:
    """Create an account; with ``invite_token``, also grant the invite's role in the same
    transaction (the invite must be pending, unexpired and addressed to this e-mail)."""
    token = payload.get("invite_token")
    if token is None:
        return users.create_user(payload)
    email, _password, _name = validate_signup(payload)
    try:
        invite = invites.get_invite(token)
    except NotFoundError:
        raise ValidationError({"invite_token": "This invite does not exist."}) from None
    rules.check_signup_invite(invite.status, invite.expires_at, invite.email, email, now())
    event = events.get_event(invite.event_id, MISSING_EVENT)
    members = roles.memberships(invite.event_id)

    def grant(tx: Transaction, user: UserModel) -> None:
        invites.stage_acceptance(tx, invite, user, members)

    # The token arrived in an e-mail to the address: signing up with it proves the inbox.
    user = users.create_user(payload, email_verified=True, extra_writes=grant)
    emit(InviteAccepted(invite, event, user))
    return user
