"""Check-in rules without storage: what a stored record answers on its own, later scans of one
attendee in a batch, the admission time, how admissions are cut into transactions, and a scan
naming its attendee by exactly one of code and id (validator and schema alike)."""

from datetime import UTC, datetime

import pytest

from chalicelib.domain import checkins as rules


def door(status="valid", checked_in_at=None, scan=None):
    return rules.Door("order-1", status, checked_in_at, scan)


@pytest.mark.parametrize(
    ("record", "answer"),
    [
        (door(), None),
        (door(checked_in_at="2027-05-01T09:00:00+00:00", scan="other"), "already_checked_in"),
        (door(checked_in_at="2027-05-01T09:00:00+00:00", scan="this"), "ok"),
        (door(status="revoked"), "revoked"),
        # Admitted, then the order was refunded: they are in; the same scan still reads ok.
        (
            door(status="revoked", checked_in_at="2027-05-01T09:00:00+00:00", scan="other"),
            "already_checked_in",
        ),
        (door(status="revoked", checked_in_at="2027-05-01T09:00:00+00:00", scan="this"), "ok"),
    ],
)
def test_what_the_record_answers(record, answer):
    assert rules.decided_by_record("this", record) == answer


def test_a_later_scan_in_the_batch_follows_the_first():
    assert [rules.repeated(first) for first in ("ok", "already_checked_in", "revoked")] == [
        "already_checked_in",
        "already_checked_in",
        "revoked",
    ]


_SCAN = {"id": "s-1", "scanned_at": "2027-05-01T09:00:00+00:00", "device": "North door"}
_ONE_OF = "Send either code or attendee_id: one of them, not both."


@pytest.mark.parametrize(
    ("scan", "error"),
    [
        ({**_SCAN, "code": "MZXW6YTBOI2DKNRXHA4TAMJSGM2DKNRX"}, None),
        ({**_SCAN, "attendee_id": "9f2c4e1a7b3d4c5e8f6a1b2c3d4e5f60-2"}, None),
        (_SCAN, {"scans[0]": _ONE_OF}),
        ({**_SCAN, "code": "A", "attendee_id": "b-1"}, {"scans[0]": _ONE_OF}),
    ],
)
def test_a_scan_names_its_attendee_by_code_or_by_id_never_both(scan, error):
    import jsonschema

    from chalicelib.domain.errors import ValidationError

    body = {"scans": [scan]}
    schema_error = None
    try:
        jsonschema.validate(body, rules.CHECKINS_REQUEST.schema())
    except jsonschema.ValidationError as refused:
        schema_error = refused
    if error is None:
        assert schema_error is None
        assert rules.CHECKINS_REQUEST.validate(body) == body
    else:
        assert schema_error is not None
        with pytest.raises(ValidationError) as caught:
            rules.CHECKINS_REQUEST.validate(body)
        assert caught.value.details == error


def test_the_admission_time_is_the_scan_time_but_never_ahead_of_now():
    moment = datetime(2027, 5, 1, 10, 0, tzinfo=UTC)
    assert rules.admitted_at("2027-05-01T11:30:00+02:00", moment) == "2027-05-01T11:30:00+02:00"
    assert rules.admitted_at("2027-05-01T12:30:00+00:00", moment) == moment.isoformat()


def _admissions(orders: int, seats: int, tickets: int = 1):
    from chalicelib.store.checkins import Admission
    from chalicelib.store.models.attendees import AttendeeModel
    from chalicelib.store.models.checkins import ScanModel

    made = []
    for order in range(orders):
        for seat in range(seats):
            attendee = AttendeeModel(
                "EVENT#e",
                f"ATTENDEE#o{order}#{seat:04d}",
                order_id=f"o{order}",
                ticket_id=f"t{seat % tickets}",
            )
            made.append(
                Admission(attendee, ScanModel("EVENT#e", f"SCAN#{order}-{seat}"), "2027-05-01T09:00:00+00:00")
            )
    return made


@pytest.mark.parametrize(
    ("orders", "seats", "tickets", "sizes"),
    [
        (1, 500, 1, [98, 98, 98, 98, 98, 10]),  # one big order: 98 updates + 1 check + 1 counter
        (500, 1, 1, [49] * 10 + [10]),  # one seat per order: a check per scan
        (50, 10, 3, [88, 87, 87, 88, 88, 62]),  # 88 updates + 9 orders + 3 tickets = 100
    ],
)
def test_admissions_are_cut_into_transactions_of_at_most_100_items(orders, seats, tickets, sizes):
    from chalicelib.store.checkins import ITEMS_PER_TRANSACTION, transactions_of

    groups = transactions_of(_admissions(orders, seats, tickets))

    assert [len(group) for group in groups] == sizes
    for group in groups:
        items = (
            len(group)
            + len({a.attendee.order_id for a in group})
            + len({a.attendee.ticket_id for a in group})
        )
        assert items <= ITEMS_PER_TRANSACTION
