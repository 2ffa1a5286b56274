"""Check-in reads and writes on the events table.

A batch of scans is read with BatchGetItem in chunks of 100 keys, the chunks in parallel: the
scans already answered, the codes and the attendees named by id together, then the attendees the
codes name. Admissions
are TransactWriteItems of up to 100 items: per scan the attendee's conditional update
(``attribute_not_exists(checked_in_at) AND status = valid``, recording the scan id), per order a
ConditionCheck that it still admits (completed or partially refunded), per ticket
``ADD checked_in n``, so the counters are exact. A failed condition names (by tag) the scans it
concerns; the transaction is sent again without them. The scans' answers are written afterwards
(BatchWriteItem): the attendee's ``checked_in_scan`` is what makes a scan id admit at most once,
the scan item keeps the answer for the scan sent again.
"""

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, NamedTuple

from chalicelib.domain import orders as order_rules
from chalicelib.domain.attendees import VALID
from chalicelib.store import stock
from chalicelib.store.aws import client
from chalicelib.store.models.attendees import (
    ATTENDEE_PREFIX,
    CODE_SK,
    AttendeeCodeModel,
    AttendeeModel,
    attendee_sk,
    code_pk,
)
from chalicelib.store.models.checkins import ScanModel, scan_sk
from chalicelib.store.models.events import EVENTS_TABLE, event_pk, role_sk
from chalicelib.store.models.orders import OrderModel, order_pk
from chalicelib.store.models.tickets import TicketModel, ticket_sk
from chalicelib.store.models.users import UserModel
from chalicelib.store.transactions import Cancelled, transaction

BATCH_GET_KEYS = 100
_PARALLEL_READS = 4
# DynamoDB's limit of items in one transaction: an attendee update per scan, a check per order,
# a counter per ticket.
ITEMS_PER_TRANSACTION = 100
ADMITTING = (order_rules.COMPLETED, order_rules.PARTIALLY_REFUNDED)
# What the check-in list needs of an attendee item, no more (the codes stay out of it).
LIST_ATTRIBUTES = [
    "attendee_id",
    "name",
    "ticket_id",
    "ticket_name",
    "code_sha256",
    "status",
    "checked_in_at",
]

Key = tuple[str, str]


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def _get_chunk(keys: Sequence[Key]) -> list[dict[str, Any]]:
    request: dict[str, Any] = {
        EVENTS_TABLE: {"Keys": [_key(pk, sk) for pk, sk in keys], "ConsistentRead": True}
    }
    items: list[dict[str, Any]] = []
    while request:
        answer = client("dynamodb").batch_get_item(RequestItems=request)
        items.extend(answer["Responses"].get(EVENTS_TABLE, []))
        request = answer.get("UnprocessedKeys") or {}
    return items


def batch_get(keys: Iterable[Key]) -> dict[Key, dict[str, Any]]:
    """Items of the events table by key, strongly consistent; absent keys are left out."""
    unique = list(dict.fromkeys(keys))
    chunks = [unique[at : at + BATCH_GET_KEYS] for at in range(0, len(unique), BATCH_GET_KEYS)]
    if len(chunks) <= 1:
        pages = [_get_chunk(chunk) for chunk in chunks]
    else:
        with ThreadPoolExecutor(max_workers=min(_PARALLEL_READS, len(chunks))) as pool:
            pages = list(pool.map(_get_chunk, chunks))
    return {(item["pk"]["S"], item["sk"]["S"]): item for page in pages for item in page}


def attendee_key(event_id: str, order_id: str, seat: int) -> Key:
    return (event_pk(event_id), attendee_sk(order_id, seat))


@dataclass
class Known:
    """What the first read found: stored scans by scan id, code items by code digest, and the
    attendees the scans named by id, by key."""

    scans: dict[str, ScanModel]
    codes: dict[str, AttendeeCodeModel]
    attendees: dict[Key, AttendeeModel]


def read_known(
    event_id: str, scan_ids: Iterable[str], digests: Iterable[str], attendee_keys: Iterable[Key]
) -> Known:
    scan_keys = {(event_pk(event_id), scan_sk(scan_id)): scan_id for scan_id in scan_ids}
    code_keys = {(code_pk(digest), CODE_SK): digest for digest in digests}
    named = list(attendee_keys)
    found = batch_get([*scan_keys, *code_keys, *named])
    return Known(
        scans={
            scan_id: ScanModel.from_raw_data(found[key]) for key, scan_id in scan_keys.items() if key in found
        },
        codes={
            digest: AttendeeCodeModel.from_raw_data(found[key])
            for key, digest in code_keys.items()
            if key in found
        },
        attendees={key: AttendeeModel.from_raw_data(found[key]) for key in named if key in found},
    )


def code_attendee_key(code: AttendeeCodeModel) -> Key:
    return attendee_key(code.event_id, code.order_id, int(code.seat))


def read_attendees(keys: Iterable[Key]) -> dict[Key, AttendeeModel]:
    """The attendees at these keys (absent ones left out)."""
    return {key: AttendeeModel.from_raw_data(item) for key, item in batch_get(keys).items()}


def get_attendee(attendee: AttendeeModel) -> AttendeeModel:
    return AttendeeModel.get(attendee.pk, attendee.sk, consistent_read=True)


class Admission(NamedTuple):
    """One scan to admit with: the attendee as read, the scan's answer if it does."""

    attendee: AttendeeModel
    scan: ScanModel
    checked_in_at: str


def transactions_of(admissions: Sequence[Admission]) -> list[list[Admission]]:
    """``admissions`` (distinct attendees) cut into groups that each fit one transaction."""
    groups: list[list[Admission]] = []
    items, orders, tickets = 0, set[str](), set[str]()
    for admission in admissions:
        attendee = admission.attendee
        cost = 1 + (attendee.order_id not in orders) + (attendee.ticket_id not in tickets)
        if not groups or items + cost > ITEMS_PER_TRANSACTION:
            groups.append([])
            items, orders, tickets = 0, set(), set()
            cost = 3
        groups[-1].append(admission)
        items += cost
        orders.add(attendee.order_id)
        tickets.add(attendee.ticket_id)
    return groups


def admit(admissions: Sequence[Admission]) -> None:
    """One transaction admitting every one of ``admissions`` (a group of ``transactions_of``),
    or none: raises ``Cancelled`` whose tags are ``order:<order id>``, ``ticket:<ticket id>`` and
    ``attendee:<attendee id>``."""
    orders = {a.attendee.order_id for a in admissions}
    counts: dict[str, int] = {}
    for admission in admissions:
        counts[admission.attendee.ticket_id] = counts.get(admission.attendee.ticket_id, 0) + 1
    with transaction() as pending:
        for order_id in sorted(orders):
            pending.condition_check(
                OrderModel,
                order_pk(order_id),
                condition=OrderModel.status.is_in(*ADMITTING),
                tag=f"order:{order_id}",
            )
        for admission in admissions:
            attendee, scan = admission.attendee, admission.scan
            pending.update(
                AttendeeModel(attendee.pk, attendee.sk),
                actions=[
                    AttendeeModel.checked_in_at.set(admission.checked_in_at),
                    AttendeeModel.checked_in_scan.set(scan.scan_id),
                    AttendeeModel.checked_in_device.set(scan.device),
                    AttendeeModel.ver.add(1),
                ],
                condition=AttendeeModel.checked_in_at.does_not_exist() & (AttendeeModel.status == VALID),
                tag=f"attendee:{attendee.attendee_id}",
            )
        event_id = admissions[0].attendee.event_id
        for ticket_id, count in sorted(counts.items()):
            pending.update(
                TicketModel(event_pk(event_id), ticket_sk(ticket_id)),
                actions=[TicketModel.checked_in.add(count)],
                condition=TicketModel.pk.exists(),
                tag=f"ticket:{ticket_id}",
            )


def failed_tags(cancelled: Cancelled) -> set[str]:
    return {tag for tag in cancelled.reasons if cancelled.failed(tag)}


def save_answers(scans: Iterable[ScanModel]) -> None:
    """The answers of a batch's scans. Unconditional: each follows from a record that cannot
    change back (a code's owner, an admission and the scan that made it, a revocation), so a
    concurrent writer of the same scan id writes the same answer."""
    with ScanModel.batch_write() as batch:
        for scan in scans:
            batch.save(scan)


def checkin_list(event_id: str) -> list[dict[str, Any]]:
    """The event's attendees, only the listed attributes: one Query, page after page (about 1 MB
    each, DynamoDB's page size; a 20,000-attendee event is a handful of pages)."""
    paginator = client("dynamodb").get_paginator("query")
    pages = paginator.paginate(
        TableName=EVENTS_TABLE,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues={":pk": {"S": event_pk(event_id)}, ":prefix": {"S": ATTENDEE_PREFIX}},
        ProjectionExpression=", ".join(f"#{index}" for index in range(len(LIST_ATTRIBUTES))),
        ExpressionAttributeNames={f"#{index}": name for index, name in enumerate(LIST_ATTRIBUTES)},
        ConsistentRead=True,
    )
    return [_plain(item) for page in pages for item in page.get("Items", [])]


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {
        name: (item[name].get("S") if name in item and "NULL" not in item[name] else None)
        for name in LIST_ATTRIBUTES
    }


def ticket_counts(event_id: str) -> list[TicketModel]:
    """The event's tickets with their ``checked_in`` and ``sold`` counters (``sold`` summed over a
    split ticket's slots)."""
    return stock.read(event_id).tickets


class Watcher(NamedTuple):
    """A user with a connection on the event's check-in channel, as stored now."""

    role: str | None
    is_staff: bool
    token_version: int


def watchers(event_id: str, user_ids: Iterable[str]) -> dict[str, Watcher]:
    """Each user's role in the event and account (staff flags, token version): one BatchGetItem
    over both tables (a push goes to the few people watching one event)."""
    ids = sorted(set(user_ids))
    users_table = UserModel.Meta.table_name
    roles: dict[str, str] = {}
    users: dict[str, UserModel] = {}
    for at in range(0, len(ids), BATCH_GET_KEYS // 2):
        chunk = ids[at : at + BATCH_GET_KEYS // 2]
        request: dict[str, Any] = {
            EVENTS_TABLE: {
                "Keys": [_key(event_pk(event_id), role_sk(uid)) for uid in chunk],
                "ConsistentRead": True,
            },
            users_table: {"Keys": [{"user_id": {"S": uid}} for uid in chunk], "ConsistentRead": True},
        }
        while request:
            answer = client("dynamodb").batch_get_item(RequestItems=request)
            for item in answer["Responses"].get(EVENTS_TABLE, []):
                roles[item["member_id"]["S"]] = item["role"]["S"]
            for item in answer["Responses"].get(users_table, []):
                user = UserModel.from_raw_data(item)
                users[user.user_id] = user
            request = answer.get("UnprocessedKeys") or {}
    return {
        uid: Watcher(roles.get(uid), bool(user.is_admin or user.is_super_admin), int(user.token_version or 0))
        for uid, user in users.items()
    }
