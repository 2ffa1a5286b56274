"""The check-in list's rows and a scan's answer, as the scanner receives them."""

from typing import Any

from chalicelib.domain.checkins import CHECKIN_ENTRY, SCANNED_ATTENDEE
from chalicelib.store.models.checkins import ScanModel


def scan_result(scan: ScanModel) -> dict[str, Any]:
    """{id, result} plus the attendee the code named (not for another event's ticket) and, once
    admitted, when they were first."""
    answer: dict[str, Any] = {"id": scan.scan_id, "result": scan.result}
    if scan.attendee_id:
        answer["attendee"] = SCANNED_ATTENDEE.dump(
            {
                "id": scan.attendee_id,
                "name": scan.attendee_name or "",
                "ticket_id": scan.ticket_id,
                "ticket_name": scan.ticket_name or "",
            }
        )
    if scan.first_checked_in_at:
        answer["first_checked_in_at"] = scan.first_checked_in_at
    return answer


def checkin_entry(row: dict[str, Any]) -> dict[str, Any]:
    return CHECKIN_ENTRY.dump(row)
