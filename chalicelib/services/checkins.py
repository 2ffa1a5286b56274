"""Check-in use cases: a batch of scans answered (each scan once, each attendee admitted once),
the check-in list a scanner keeps offline, and the live counts organizers watch.

A batch reads what it needs in a few BatchGetItem calls, answers every scan the records decide
on their own (already answered, unknown code, another event's ticket, already admitted, revoked),
and admits the rest in transactions of up to 25 scans; one push of the new counts follows the
whole batch."""

import logging
import random
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from chalicelib.domain import checkins as rules
from chalicelib.domain.attendees import code_sha256
from chalicelib.domain.clock import now
from chalicelib.domain.errors import ConflictError
from chalicelib.domain.permissions import ATTENDEE, allows
from chalicelib.realtime.connections import connections_of
from chalicelib.realtime.notifier import push
from chalicelib.services.signals import CheckinsRecorded, emit
from chalicelib.store import checkins as store
from chalicelib.store.access import load_matrix
from chalicelib.store.availability import iso
from chalicelib.store.models.attendees import AttendeeModel
from chalicelib.store.models.checkins import ScanModel, scan_sk
from chalicelib.store.models.connections import checkins_channel
from chalicelib.store.models.events import event_pk
from chalicelib.store.transactions import Cancelled
from chalicelib.views.checkins import checkin_entry, scan_result

logger = logging.getLogger("marquee.checkins")

# Doors racing for the same ticket counter cancel each other's transactions; a few quick retries
# with jitter settle it, after that the batch is answered 409 and sent again (each scan keeps its
# answer, so nothing is admitted twice).
_CONFLICT_RETRIES = 8
_BACKOFF_SECONDS = 0.02


class _Batch:
    """One request's scans and the answers found so far (``fresh``: still to be saved)."""

    def __init__(
        self, event_id: str, scans: Sequence[Mapping[str, Any]], user_id: str, moment: datetime
    ) -> None:
        self.event_id, self.scans, self.user_id, self.moment = event_id, scans, user_id, moment
        self.answers: dict[str, ScanModel] = {}
        self.fresh: list[ScanModel] = []
        self.admitted = 0

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
            code_sha256=code_sha256(scan["code"]),
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
    rest go again; a conflict with another door's transaction is retried after a short wait."""
    conflicts = 0
    while group:
        try:
            store.admit([admission for _, admission in group])
        except Cancelled as cancelled:
            failed = store.failed_tags(cancelled)
            if not failed:
                if not cancelled.only_conflicts or conflicts >= _CONFLICT_RETRIES:
                    raise ConflictError(
                        "Other doors are recording scans at the same moment; send the batch again "
                        "(scans already answered keep their answer).",
                        code="busy",
                    ) from cancelled
                conflicts += 1
                time.sleep(_BACKOFF_SECONDS * (2 ** min(conflicts, 5)) * random.uniform(0.5, 1.0))
                continue
            group = _answer_failures(batch, group, failed)
            continue
        for _, admission in group:
            batch.settle(admission.scan, fresh=False)
            batch.admitted += 1
        return


def _answer_failures(
    batch: _Batch, group: list[tuple[Mapping[str, Any], store.Admission]], failed: set[str]
) -> list[tuple[Mapping[str, Any], store.Admission]]:
    keep = []
    for scan, admission in group:
        attendee = admission.attendee
        if f"scan:{scan['id']}" in failed:
            # The same scan id, sent again at the same moment, was answered by the other request.
            batch.settle(store.get_scan(batch.event_id, scan["id"]), fresh=False)
        elif f"attendee:{attendee.attendee_id}" in failed:
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


def record_scans(event_id: str, scans: Sequence[Mapping[str, Any]], user_id: str) -> list[dict[str, Any]]:
    """The answer of each scan, in the order sent (scan ids are distinct: the request checked)."""
    batch = _Batch(event_id, scans, user_id, now())
    digests = {scan["id"]: code_sha256(scan["code"]) for scan in scans}
    known = store.read_scans_and_codes(event_id, digests, digests.values())
    for stored in known.scans.values():
        batch.settle(stored, fresh=False)
    waiting = [scan for scan in scans if scan["id"] not in batch.answers]
    ours = []
    for scan in waiting:
        code = known.codes.get(digests[scan["id"]])
        if code is None:
            batch.settle(batch.answer(scan, rules.UNKNOWN))
        elif code.event_id != event_id:
            batch.settle(batch.answer(scan, rules.WRONG_EVENT))
        else:
            ours.append((scan, code))
    attendees = store.read_attendees(code for _, code in ours)
    first_scan: dict[str, str] = {}
    repeats: list[tuple[Mapping[str, Any], AttendeeModel, str]] = []
    candidates: list[tuple[Mapping[str, Any], store.Admission]] = []
    for scan, code in ours:
        attendee = attendees.get(code.pk)
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
        for at in range(0, len(candidates), store.SCANS_PER_TRANSACTION):
            _admit_group(batch, candidates[at : at + store.SCANS_PER_TRANSACTION])
        for scan, attendee, first_id in repeats:
            first = batch.answers[first_id]
            result = rules.repeated(first.result)
            batch.settle(batch.answer(scan, result, attendee, first.first_checked_in_at))
    finally:
        store.save_answers(batch.fresh)
        if batch.admitted:
            emit(CheckinsRecorded(event_id))
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
