"""Check-in use cases: a batch of scans answered (each scan once, each attendee admitted once),
the check-in list a scanner keeps offline, and the live counts organizers watch.

A scan names its attendee by code or by attendee id (door staff found them by name); both go
through the same admission. A batch reads what it needs in a few BatchGetItem calls, answers
every scan the records decide on their own (already answered, unknown code or id, another
event's ticket, already admitted, revoked),
and admits the rest in transactions of up to 100 items (about 50 to 98 scans). The counts reach
the check-in panels from the stream (``push_counts``, coalesced: chalicelib.services.audience)."""

import logging
import random
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from chalicelib.domain import checkins as rules
from chalicelib.domain.attendees import code_sha256, parse_attendee_id
from chalicelib.domain.clock import now
from chalicelib.domain.errors import ConflictError
from chalicelib.domain.permissions import ATTENDEE, allows
from chalicelib.realtime.connections import connections_of
from chalicelib.realtime.notifier import push
from chalicelib.store import checkins as store
from chalicelib.store.access import load_matrix
from chalicelib.store.availability import iso
from chalicelib.store.models.attendees import AttendeeModel
from chalicelib.store.models.checkins import ScanModel, scan_sk
from chalicelib.store.models.connections import checkins_channel
from chalicelib.store.models.events import event_pk
from chalicelib.store.transactions import CONDITION_FAILED, CONFLICT, Cancelled
from chalicelib.views.checkins import checkin_entry, scan_result

logger = logging.getLogger("marquee.checkins")

# Doors racing for the same ticket counter cancel each other's transactions; a few quick retries
# with jitter settle it, after that the batch is answered 409 and sent again (each scan keeps its
# answer, so nothing is admitted twice).
_CONFLICT_RETRIES = 8
_BACKOFF_SECONDS = 0.02
# Why DynamoDB may cancel an admission that this module answers or waits out; anything else (a
# malformed transaction) is a fault and raised as such.
_ANSWERABLE = {CONDITION_FAILED, CONFLICT, "ThrottlingError", "ProvisionedThroughputExceeded"}


class _Batch:
    """One request's scans and the answers found so far (``fresh``: still to be saved)."""

    def __init__(self, event_id: str, user_id: str, moment: datetime) -> None:
        self.event_id, self.user_id, self.moment = event_id, user_id, moment
        self.answers: dict[str, ScanModel] = {}
        self.fresh: list[ScanModel] = []

    def answer(
        self,
        scan: Mapping[str, Any],
        result: str,
        attendee: AttendeeModel | None = None,
        first_checked_in_at: str | None = None,
    ) -> ScanModel:
        return ScanModel(
            event_pk(self.event_id),
            scan_sk(scan["id"]),
            scan_id=scan["id"],
            event_id=self.event_id,
            code_sha256=code_sha256(scan["code"]) if "code" in scan else None,
            sent_attendee_id=scan.get("attendee_id"),
            result=result,
            attendee_id=attendee.attendee_id if attendee else None,
            attendee_name=attendee.name if attendee else None,
            ticket_id=attendee.ticket_id if attendee else None,
            ticket_name=attendee.ticket_name if attendee else None,
            first_checked_in_at=first_checked_in_at,
            scanned_at=scan["scanned_at"],
            device=scan["device"],
            scanned_by=self.user_id,
            received_at=iso(self.moment),
        )

    def settle(self, item: ScanModel, fresh: bool = True) -> None:
        self.answers[item.scan_id] = item
        if fresh:
            self.fresh.append(item)


def _by_record(batch: _Batch, scan: Mapping[str, Any], attendee: AttendeeModel) -> ScanModel | None:
    door = rules.Door(attendee.attendee_id, attendee.status, attendee.checked_in_at, attendee.checked_in_scan)
    result = rules.decided_by_record(scan["id"], door)
    if result is None:
        return None
    first = attendee.checked_in_at if result in (rules.OK, rules.ALREADY_CHECKED_IN) else None
    return batch.answer(scan, result, attendee, first)


def _admit_group(batch: _Batch, group: list[tuple[Mapping[str, Any], store.Admission]]) -> None:
    """Admit the group in one transaction; a failed condition answers the scans it names and the
    rest go again; a cancellation that answers none (another door's transaction on the same items,
    throttling) is retried after a short wait, a few times."""
    conflicts = 0
    while group:
        try:
            store.admit([admission for _, admission in group])
        except Cancelled as cancelled:
            if not cancelled.codes <= _ANSWERABLE:
                raise
            failed = store.failed_tags(cancelled)
            remaining = _answer_failures(batch, group, failed) if failed else group
            if len(remaining) == len(group):
                if conflicts >= _CONFLICT_RETRIES:
                    raise ConflictError(
                        "Other doors are recording scans at the same moment; send the batch again "
                        "(scans already answered keep their answer).",
                        code="busy",
                    ) from cancelled
                conflicts += 1
                time.sleep(_BACKOFF_SECONDS * (2 ** min(conflicts, 5)) * random.uniform(0.5, 1.0))
            group = remaining
            continue
        for _, admission in group:
            batch.settle(admission.scan)
        return


def _answer_failures(
    batch: _Batch, group: list[tuple[Mapping[str, Any], store.Admission]], failed: set[str]
) -> list[tuple[Mapping[str, Any], store.Admission]]:
    keep = []
    for scan, admission in group:
        attendee = admission.attendee
        if f"attendee:{attendee.attendee_id}" in failed:
            # Admitted meanwhile (by this very scan id, sent at the same moment: then ok), or revoked.
            decided = _by_record(batch, scan, store.get_attendee(attendee))
            if decided is None:
                keep.append((scan, admission))
            else:
                batch.settle(decided)
        elif f"order:{attendee.order_id}" in failed or f"ticket:{attendee.ticket_id}" in failed:
            batch.settle(batch.answer(scan, rules.REVOKED_RESULT, attendee))
        else:
            keep.append((scan, admission))
    return keep


def _named_key(event_id: str, scan: Mapping[str, Any]) -> store.Key | None:
    """Where the attendee an id scan names would be in this event (None: not an attendee id)."""
    parsed = parse_attendee_id(scan["attendee_id"])
    return store.attendee_key(event_id, *parsed) if parsed else None


def _attendee_keys(
    batch: _Batch,
    scans: Sequence[Mapping[str, Any]],
    named: Mapping[str, store.Key | None],
    known: store.Known,
) -> dict[str, store.Key]:
    """The attendee key of each scan still to answer; the rest answered unknown or wrong_event."""
    keys: dict[str, store.Key] = {}
    for scan in scans:
        if "code" in scan:
            code = known.codes.get(code_sha256(scan["code"]))
            if code is None:
                batch.settle(batch.answer(scan, rules.UNKNOWN))
            elif code.event_id != batch.event_id:
                batch.settle(batch.answer(scan, rules.WRONG_EVENT))
            else:
                keys[scan["id"]] = store.code_attendee_key(code)
        elif (key := named[scan["id"]]) is None:
            batch.settle(batch.answer(scan, rules.UNKNOWN))
        else:
            keys[scan["id"]] = key
    return keys


def record_scans(event_id: str, scans: Sequence[Mapping[str, Any]], user_id: str) -> list[dict[str, Any]]:
    """The answer of each scan, in the order sent (scan ids are distinct: the request checked). A
    scan names its attendee by code or by id (another event's id is not found: unknown)."""
    batch = _Batch(event_id, user_id, now())
    named = {scan["id"]: _named_key(event_id, scan) for scan in scans if "attendee_id" in scan}
    known = store.read_known(
        event_id,
        [scan["id"] for scan in scans],
        [code_sha256(scan["code"]) for scan in scans if "code" in scan],
        [key for key in named.values() if key],
    )
    rules.check_ids_kept(
        scans, {scan_id: (item.code_sha256, item.sent_attendee_id) for scan_id, item in known.scans.items()}
    )
    for stored in known.scans.values():
        batch.settle(stored, fresh=False)
    waiting = [scan for scan in scans if scan["id"] not in batch.answers]
    keys = _attendee_keys(batch, waiting, named, known)
    attendees = {**known.attendees, **store.read_attendees(set(keys.values()) - known.attendees.keys())}
    first_scan: dict[str, str] = {}
    repeats: list[tuple[Mapping[str, Any], AttendeeModel, str]] = []
    candidates: list[tuple[Mapping[str, Any], store.Admission]] = []
    for scan in waiting:
        if scan["id"] not in keys:
            continue
        attendee = attendees.get(keys[scan["id"]])
        if attendee is None:
            batch.settle(batch.answer(scan, rules.UNKNOWN))
        elif attendee.attendee_id in first_scan:
            repeats.append((scan, attendee, first_scan[attendee.attendee_id]))
        else:
            first_scan[attendee.attendee_id] = scan["id"]
            decided = _by_record(batch, scan, attendee)
            if decided is not None:
                batch.settle(decided)
                continue
            admitted_at = rules.admitted_at(scan["scanned_at"], batch.moment)
            item = batch.answer(scan, rules.OK, attendee, admitted_at)
            candidates.append((scan, store.Admission(attendee, item, admitted_at)))
    try:
        scans_of = {id(admission): scan for scan, admission in candidates}
        for group in store.transactions_of([admission for _, admission in candidates]):
            _admit_group(batch, [(scans_of[id(admission)], admission) for admission in group])
        for scan, attendee, first_id in repeats:
            first = batch.answers[first_id]
            result = rules.repeated(first.result)
            batch.settle(batch.answer(scan, result, attendee, first.first_checked_in_at))
    finally:
        store.save_answers(batch.fresh)
    return [scan_result(batch.answers[scan["id"]]) for scan in scans]


def checkin_list(event_id: str) -> list[dict[str, Any]]:
    return [checkin_entry(row) for row in store.checkin_list(event_id)]


def summary(event_id: str) -> dict[str, Any]:
    """Admitted and valid attendees per ticket and in all. ``valid`` is the ticket's ``sold``:
    the seats of its completed orders, each one valid attendee (voiding an order lowers it)."""
    tickets = sorted(store.ticket_counts(event_id), key=lambda t: (int(t.position), t.created_at))
    return rules.summary(
        [
            {"ticket_id": t.ticket_id, "name": t.name, "checked_in": int(t.checked_in), "valid": int(t.sold)}
            for t in tickets
        ]
    )


def push_counts(event_id: str) -> int:
    """The counts, once, to each connection watching the event's check-ins whose user may still
    read them (role and matrix as stored now, token not revoked). Nothing when nobody watches."""
    connections = connections_of(checkins_channel(event_id))
    if not connections:
        return 0
    people = store.watchers(event_id, [c.user_id for c in connections if c.user_id])
    matrix = load_matrix().matrix
    audience = [
        c
        for c in connections
        if c.user_id in people
        and people[c.user_id].token_version == c.token_version
        and (people[c.user_id].is_staff or allows(matrix, people[c.user_id].role, ATTENDEE, "read"))
    ]
    if not audience:
        return 0
    return push(audience, {"type": "checkins", "event_id": event_id, **summary(event_id)})
