"""Check-in rules without storage: what a stored record answers on its own, later scans of one
attendee in a batch, the admission time, and how admissions are cut into transactions."""

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
