"""The check-in list (digests, never codes; revalidated with its ETag), the counts, and batches
whose transactions other doors keep cancelling."""

import pytest

from tests.api.checkin_helpers import (
    checked_in_counter,
    door_staff,
    free_attendees,
    results,
    scan,
    send,
    stored_attendee,
)
from tests.api.orders_helpers import FREE


@pytest.fixture
def door(shop, signup):
    return door_staff(shop, signup)


def test_the_check_in_list_has_digests_not_codes_and_revalidates_with_its_etag(shop, buyer, door):
    from chalicelib.domain.attendees import code_sha256

    ticket, _, (first, second) = free_attendees(shop, buyer)
    path = f"/events/{shop.event_id}/checkin-list"
    listed = shop.api.get(path, token=door)
    assert listed.status == 200, listed.json
    assert listed.json == [
        {
            "id": a["id"],
            "name": "Bea Buyer",
            "ticket_id": ticket["id"],
            "ticket_name": "Community",
            "code_sha256": code_sha256(a["code"]),
            "status": "valid",
            "checked_in_at": None,
        }
        for a in (first, second)
    ]
    assert first["code"].encode() not in listed.body
    etag = listed.headers["etag"]
    unchanged = shop.api.get(path, token=door, headers={"If-None-Match": etag})
    assert (unchanged.status, unchanged.body, unchanged.headers["etag"]) == (304, b"", etag)

    results(shop, door, scan(first["code"]))

    changed = shop.api.get(path, token=door, headers={"If-None-Match": etag})
    assert changed.status == 200 and changed.headers["etag"] != etag
    assert changed.json[0]["checked_in_at"] == "2026-12-01T19:02:11+01:00"


def test_the_summary_counts_admitted_and_valid_tickets(shop, buyer, door):
    community, _, (first, _) = free_attendees(shop, buyer, 2)
    crew = shop.ticket(**{**FREE, "name": "Crew"})
    _, _, (crew_member,) = free_attendees(shop, buyer, 1, crew)
    results(shop, door, scan(first["code"]), scan(crew_member["code"]))
    path = f"/events/{shop.event_id}/checkins/summary"

    summary = shop.api.get(path, token=shop.organizer)

    assert summary.status == 200, summary.json
    assert summary.json == {
        "total": {"checked_in": 2, "valid": 3},
        "tickets": [
            {"ticket_id": community["id"], "name": "Community", "checked_in": 1, "valid": 2},
            {"ticket_id": crew["id"], "name": "Crew", "checked_in": 1, "valid": 1},
        ],
    }
    again = shop.api.get(path, token=shop.organizer, headers={"If-None-Match": summary.headers["etag"]})
    assert again.status == 304


def test_transactions_cancelled_by_other_doors_are_retried_then_answered_busy(shop, buyer, door, monkeypatch):
    from chalicelib.services import checkins as cases
    from chalicelib.store import checkins as store
    from chalicelib.store.transactions import CONFLICT, Cancelled

    ticket, _, (first, second) = free_attendees(shop, buyer)
    real_admit, collisions = store.admit, []
    monkeypatch.setattr(cases, "_BACKOFF_SECONDS", 0.001)

    def colliding(admissions, times):
        if len(collisions) < times:
            collisions.append(1)
            raise Cancelled({f"attendee:{admissions[0].attendee.attendee_id}": CONFLICT})
        return real_admit(admissions)

    monkeypatch.setattr(store, "admit", lambda admissions: colliding(admissions, 3))
    assert [r["result"] for r in results(shop, door, scan(first["code"]))] == ["ok"]
    assert len(collisions) == 3

    collisions.clear()
    monkeypatch.setattr(store, "admit", lambda admissions: colliding(admissions, 100))
    sent = [scan(second["code"], "tried-twice"), scan("forged", "answered-anyway")]
    busy = send(shop, door, *sent)
    assert (busy.status, busy.error_code) == (409, "busy")
    assert len(collisions) == 9  # the first try and 8 retries
    assert stored_attendee(shop, second["id"]).checked_in_at is None

    monkeypatch.setattr(store, "admit", real_admit)
    assert [r["result"] for r in results(shop, door, *sent)] == ["ok", "unknown"]
    assert checked_in_counter(shop, ticket) == 2
