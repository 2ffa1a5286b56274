"""Event roles: memberships (``sk=ROLE#<user_id>``) in the event's partition.

An event never loses its last organizer, under any concurrency: every write that takes the
organizer role away from someone carries, in the same transaction, a ConditionCheck that some
other member is still an organizer. DynamoDB transactions are serializable, so two organizers
removing each other at the same moment cannot both succeed; the loser re-reads and gets 409.
"""

from collections.abc import Sequence

from pynamodb.expressions.condition import Condition

from chalicelib.domain.clock import now_iso
from chalicelib.domain.errors import ConflictError, ForbiddenError, NotFoundError, PreconditionFailedError
from chalicelib.domain.permissions import EVENT_ROLES, ORGANIZER
from chalicelib.store.audit import audit_record
from chalicelib.store.models.events import EVENT_SK, EventModel, MembershipModel, event_pk, role_sk
from chalicelib.store.models.users import UserModel
from chalicelib.store.retry import LostRace, retrying
from chalicelib.store.transactions import CONDITION_FAILED, CONFLICT, Cancelled, Transaction
from chalicelib.store.transactions import transaction as tagged_transaction
from chalicelib.store.versions import STALE_MESSAGE

ATTEMPTS = 3
ROLE_PREFIX = "ROLE#"
RACE_MESSAGE = "The roles of this event changed at the same moment; try again."
LAST_ORGANIZER_MESSAGE = "An event needs at least one organizer; make someone else organizer first."


def lost_race(cancelled: Cancelled) -> bool:
    """The transaction failed on a condition or a concurrent transaction: worth re-reading."""
    return bool(cancelled.codes & {CONDITION_FAILED, CONFLICT})


def memberships(event_id: str) -> dict[str, MembershipModel]:
    """Every membership of the event by user id (one consistent Query)."""
    found = MembershipModel.query(
        event_pk(event_id), MembershipModel.sk.startswith(ROLE_PREFIX), consistent_read=True
    )
    return {m.member_id: m for m in found}


def organizer_ids(event_id: str) -> list[str]:
    memberships = MembershipModel.query(
        event_pk(event_id),
        MembershipModel.sk.startswith(ROLE_PREFIX),
        filter_condition=MembershipModel.role == ORGANIZER,
    )
    return [m.member_id for m in memberships]


def _users(user_ids: list[str]) -> dict[str, UserModel]:
    return {u.user_id: u for u in UserModel.batch_get(user_ids)} if user_ids else {}


def list_roles(event_id: str) -> list[tuple[MembershipModel, UserModel | None]]:
    """Every member with their account (None once deleted), organizers first, then by name."""
    members = list(memberships(event_id).values())
    users = _users([m.member_id for m in members])
    rank = {role: index for index, role in enumerate(EVENT_ROLES)}

    def order(m: MembershipModel) -> tuple[int, str]:
        user = users.get(m.member_id)
        return (rank.get(m.role, len(rank)), (user.name.lower() if user else ""))

    return [(m, users.get(m.member_id)) for m in sorted(members, key=order)]


def get_role(event_id: str, user_id: str) -> tuple[MembershipModel, UserModel | None]:
    membership = memberships(event_id).get(user_id)
    if membership is None:
        raise NotFoundError("This user holds no role in this event.")
    return membership, _users([user_id]).get(user_id)


def unchanged(membership: MembershipModel) -> Condition:
    """The membership is still the version we read (memberships from before ``ver`` have none)."""
    if membership.ver is None:
        return MembershipModel.ver.does_not_exist()
    return MembershipModel.ver == membership.ver


def keep_an_organizer(tx: Transaction, members: dict[str, MembershipModel], leaving_user_id: str) -> None:
    """Add to ``tx`` the check that someone other than ``leaving_user_id`` stays organizer."""
    others = sorted(uid for uid, m in members.items() if m.role == ORGANIZER and uid != leaving_user_id)
    if not others:
        raise ConflictError(LAST_ORGANIZER_MESSAGE, code="last_organizer")
    other = members[others[0]]
    tx.condition_check(MembershipModel, other.pk, other.sk, condition=MembershipModel.role == ORGANIZER)


def add_grant(
    tx: Transaction, event_id: str, user_id: str, role: str, members: dict[str, MembershipModel]
) -> None:
    """Add to ``tx`` the writes that give ``user_id`` ``role`` (replacing any role they hold)."""
    current = members.get(user_id)
    if current is None:
        membership = MembershipModel(
            event_pk(event_id),
            role_sk(user_id),
            member_id=user_id,
            event_id=event_id,
            role=role,
            created_at=now_iso(),
            ver=1,
        )
        tx.save(membership, condition=MembershipModel.sk.does_not_exist())
    else:
        tx.update(
            current,
            actions=[MembershipModel.role.set(role), MembershipModel.ver.add(1)],
            condition=unchanged(current),
        )
        if current.role == ORGANIZER and role != ORGANIZER:
            keep_an_organizer(tx, members, user_id)
    tx.condition_check(EventModel, event_pk(event_id), EVENT_SK, condition=EventModel.pk.exists())


def remove_role(event_id: str, user_id: str, expected: Sequence[int] | None, actor: UserModel) -> None:
    def attempt(_fresh: bool) -> None:
        members = memberships(event_id)
        target = members.get(user_id)
        if target is None:
            raise NotFoundError("This user holds no role in this event.")
        if expected is not None and int(target.ver or 0) not in expected:
            raise PreconditionFailedError(STALE_MESSAGE)
        try:
            with tagged_transaction() as tx:
                tx.delete(target, condition=unchanged(target))
                tx.save(
                    audit_record(
                        actor,
                        "role.removed",
                        event_id=event_id,
                        target={"user_id": user_id},
                        before={"role": target.role},
                    )
                )
                if target.role == ORGANIZER:
                    keep_an_organizer(tx, members, user_id)
        except Cancelled as cancelled:
            if not lost_race(cancelled):
                raise
            if expected is not None:
                raise PreconditionFailedError(STALE_MESSAGE) from cancelled
            raise LostRace from cancelled

    retrying(attempt, attempts=ATTEMPTS, busy=ConflictError(RACE_MESSAGE))


def set_system_roles(actor: UserModel, user_id: str, changes: dict[str, bool]) -> UserModel:
    """Set platform flags. The platform always keeps a super admin: nobody demotes themselves,
    and demoting someone else is conditioned on the actor still being super admin, so two
    super admins demoting each other at the same moment cannot both succeed."""
    if user_id == actor.user_id and changes.get("is_super_admin") is False:
        raise ConflictError(
            "You cannot give up super admin yourself; another super admin must do it, so one always remains.",
            code="last_super_admin",
        )
    target = UserModel(user_id)
    actions = [getattr(UserModel, flag).set(value) for flag, value in changes.items()]
    try:
        with tagged_transaction() as tx:
            tx.update(target, actions=actions, condition=UserModel.user_id.exists(), tag="target")
            tx.save(
                audit_record(actor, "user.system_roles_changed", target={"user_id": user_id}, after=changes)
            )
            if user_id != actor.user_id:
                tx.condition_check(
                    UserModel,
                    actor.user_id,
                    condition=UserModel.is_super_admin == True,  # noqa: E712 (a DynamoDB condition)
                    tag="actor",
                )
    except Cancelled as cancelled:
        if cancelled.failed("target"):
            raise NotFoundError("No such user.") from cancelled
        if cancelled.failed("actor"):
            raise ForbiddenError("You are no longer a super admin.") from cancelled
        if CONFLICT in cancelled.codes:
            raise ConflictError("This user was changed at the same moment; try again.") from cancelled
        raise
    return UserModel.get(user_id, consistent_read=True)
