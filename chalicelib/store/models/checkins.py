"""Scans at the door: one item per scan id in the event's partition (``sk=SCAN#<scan id>``),
holding the answer it got, so the same scan sent again (a scanner's retry, a second sync) gets
the same answer without touching the attendee. What makes a scan id admit at most once is the
attendee's own ``checked_in_scan``, set by the conditional update that admits: a scan whose
update fails because this same scan id admitted the attendee (two requests at once, or a crash
before its answer was written) answers ``ok`` again."""

from pynamodb.attributes import UnicodeAttribute

from chalicelib.store.models.base import BaseMeta, BaseModel
from chalicelib.store.models.events import EVENTS_TABLE

SCAN_PREFIX = "SCAN#"


def scan_sk(scan_id: str) -> str:
    return f"{SCAN_PREFIX}{scan_id}"


class ScanModel(BaseModel):
    owns_table = False

    class Meta(BaseMeta):
        table_name = EVENTS_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    scan_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    # What the scan sent: a code (its SHA-256) or an attendee's id, the other one None.
    code_sha256 = UnicodeAttribute(null=True)
    sent_attendee_id = UnicodeAttribute(null=True)
    result = UnicodeAttribute()
    # The attendee the scan named (None for unknown codes and ids and other events' tickets).
    attendee_id = UnicodeAttribute(null=True)
    attendee_name = UnicodeAttribute(null=True)
    ticket_id = UnicodeAttribute(null=True)
    ticket_name = UnicodeAttribute(null=True)
    first_checked_in_at = UnicodeAttribute(null=True)
    scanned_at = UnicodeAttribute()
    device = UnicodeAttribute()
    scanned_by = UnicodeAttribute()
    received_at = UnicodeAttribute()
