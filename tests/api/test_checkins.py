"""Check-in at the door: batches of scans and their answers (ok once per attendee whatever the
doors do, the same answer for a scan id sent again, revoked tickets refused even before their
attendee was revoked, forged and foreign codes), scans naming the attendee by id (found by name)
under the same rules, validation and the calls a batch makes."""

from datetime import UTC, datetime

import pytest

from tests.api.checkin_helpers import (
    at_once,
    attendees_of,
    checked_in_counter,
    door_staff,
    free_attendees,
    results,
    scan,
    scan_by_id,
    send,
    stored_attendee,
)
from tests.api.orders_helpers import FREE, make_shop


@pytest.fixture
def door(shop, signup):
    return door_staff(shop, signup)


def test_a_valid_code_is_admitted_once_and_then_already_checked_in(shop, buyer, door):
    ticket, _, (first, second) = free_attendees(shop, buyer)

    admitted = results(shop, door, scan(first["code"], "scan-1", scanned_at="2026-12-01T19:02:11+01:00"))
    again = results(shop, door, scan(first["code"].lower(), "scan-2", device="South door"))

    assert admitted == [
        {
            "id": "scan-1",
            "result": "ok",
            "attendee": {
                "id": first["id"],
                "name": "Bea Buyer",
                "ticket_id": ticket["id"],
                "ticket_name": "Community",
            },
            "first_checked_in_at": "2026-12-01T19:02:11+01:00",
        }
    ]
    assert again[0]["result"] == "already_checked_in"
    assert again[0]["first_checked_in_at"] == "2026-12-01T19:02:11+01:00"
    assert again[0]["attendee"]["id"] == first["id"]
    stored = stored_attendee(shop, first["id"])
    assert (stored.checked_in_at, stored.checked_in_scan, stored.checked_in_device) == (
        "2026-12-01T19:02:11+01:00",
        "scan-1",
        "North door",
    )
    assert stored_attendee(shop, second["id"]).checked_in_at is None
    assert checked_in_counter(shop, ticket) == 1
    # The buyer sees it on the order too.
    assert attendees_of(shop, {"id": first["id"].rsplit("-", 1)[0]}, buyer)[0]["checked_in_at"] is not None


def test_the_same_scan_id_sent_again_gets_the_same_answer(shop, buyer, door):
    _, _, (first, _) = free_attendees(shop, buyer)
    sent = scan(first["code"], "scan-7")
    answered = results(shop, door, sent)
    assert results(shop, door, sent) == answered
    assert answered[0]["result"] == "ok"


def test_a_scan_whose_answer_was_lost_after_admitting_answers_ok_again(shop, buyer, door):
    from chalicelib.store.models.checkins import ScanModel, scan_sk
    from chalicelib.store.models.events import event_pk

    ticket, _, (first, _) = free_attendees(shop, buyer)
    sent = scan(first["code"], "scan-lost")
    answered = results(shop, door, sent)
    # As if the request had ended between the admission and writing the answer.
    ScanModel(event_pk(shop.event_id), scan_sk("scan-lost")).delete()

    assert results(shop, door, sent) == answered
    assert results(shop, door, scan(first["code"]))[0]["result"] == "already_checked_in"
    assert checked_in_counter(shop, ticket) == 1


def test_a_batch_holding_one_code_twice_admits_it_once(shop, buyer, door):
    ticket, _, (first, second) = free_attendees(shop, buyer)
    answered = results(shop, door, scan(first["code"]), scan(second["code"]), scan(first["code"]))
    assert [r["result"] for r in answered] == ["ok", "ok", "already_checked_in"]
    assert answered[2]["first_checked_in_at"] == answered[0]["first_checked_in_at"]
    assert checked_in_counter(shop, ticket) == 2


@pytest.mark.parametrize("by_id", [False, True], ids=["by code", "by attendee id"])
def test_eight_doors_scanning_one_ticket_at_once_admit_it_once(shop, buyer, door, threaded_app, by_id):
    ticket, _, (first, _) = free_attendees(shop, buyer)
    answers: list[str] = []

    def door_scan(n: int) -> dict:
        device = f"Door {n}"
        return scan_by_id(first["id"], device=device) if by_id else scan(first["code"], device=device)

    at_once(8, lambda n: answers.extend(r["result"] for r in results(shop, door, door_scan(n))))

    assert sorted(answers) == ["already_checked_in"] * 7 + ["ok"]
    assert checked_in_counter(shop, ticket) == 1


def test_one_scan_id_sent_by_eight_requests_at_once_admits_once_and_answers_ok_to_all(
    shop, buyer, door, threaded_app
):
    ticket, _, (first, _) = free_attendees(shop, buyer)
    sent = scan(first["code"], "retried-scan")
    answers: list[dict] = []

    at_once(8, lambda _: answers.extend(results(shop, door, sent)))

    assert [a["result"] for a in answers] == ["ok"] * 8
    assert len({a["first_checked_in_at"] for a in answers}) == 1
    assert checked_in_counter(shop, ticket) == 1


def test_forged_codes_and_ids_are_unknown_another_events_codes_wrong_event_and_its_ids_unknown(
    shop, buyer, door, api, signup, make_event
):
    from chalicelib.domain.attendees import seat_code

    other = make_shop(api, signup, make_event)
    _, _, (foreign, _) = free_attendees(other, buyer)
    ticket, order, (mine, _) = free_attendees(shop, buyer)
    forged = seat_code("00" * 32, order["id"], 1)  # the right shape, the wrong key
    # Another event's attendee, a seat this order lacks, no id at all, the right id mis-cased.
    ids = [foreign["id"], f"{order['id']}-3", "not-an-id", mine["id"].upper()]

    answered = results(
        shop,
        door,
        scan(foreign["code"]),
        scan(forged),
        scan("not a code at all"),
        *[scan_by_id(attendee_id) for attendee_id in ids],
        scan(mine["code"]),
    )

    assert [r["result"] for r in answered] == ["wrong_event"] + ["unknown"] * 6 + ["ok"]
    # Nothing said about whom a refused code or id might name.
    assert all(set(r) == {"id", "result"} for r in answered[:-1])
    # The other event's attendee was not admitted, and only mine by the code.
    assert stored_attendee(other, foreign["id"]).checked_in_at is None
    assert checked_in_counter(shop, ticket) == 1


def mark_paid(shop, order):
    response = shop.api.post(f"/events/{shop.event_id}/orders/{order['id']}/mark-paid", token=shop.organizer)
    assert response.status == 200, response.json


def test_a_ticket_refunded_in_full_is_revoked_by_code_and_by_id(shop, buyer, door):
    ticket = shop.ticket(quantity=10)
    order = shop.buy(buyer, ticket, 2)
    mark_paid(shop, order)
    first, second = attendees_of(shop, order, buyer)
    refunded = shop.api.post(
        f"/events/{shop.event_id}/orders/{order['id']}/refunds", {}, token=shop.organizer
    )
    assert refunded.status == 201, refunded.json

    answered = results(shop, door, scan(first["code"]), scan_by_id(second["id"]))

    assert [(r["result"], r["attendee"]["id"]) for r in answered] == [
        ("revoked", first["id"]),
        ("revoked", second["id"]),
    ]
    assert checked_in_counter(shop, ticket) == 0


def test_a_cancelled_orders_ticket_is_refused_even_before_its_attendee_was_revoked(shop, buyer, door):
    from chalicelib.store.models.attendees import AttendeeModel

    ticket, order, (first, second) = free_attendees(shop, buyer)
    cancelled = shop.api.post(f"/orders/{order['id']}/cancel", token=shop.organizer)
    assert cancelled.status == 200, cancelled.json
    assert stored_attendee(shop, first["id"]).status == "revoked"
    # As if revoking the attendees had failed after the order was cancelled: only the order says.
    for attendee_id in (first["id"], second["id"]):
        stored_attendee(shop, attendee_id).update(actions=[AttendeeModel.status.set("valid")])

    answered = results(shop, door, scan(first["code"]), scan_by_id(second["id"]))

    assert [r["result"] for r in answered] == ["revoked", "revoked"]
    assert answered[1]["attendee"]["id"] == second["id"]
    assert stored_attendee(shop, first["id"]).checked_in_at is None
    assert checked_in_counter(shop, ticket) == 0


def test_a_scan_time_ahead_of_the_server_is_recorded_as_now(shop, buyer, door):
    _, _, (first, _) = free_attendees(shop, buyer)
    answered = results(shop, door, scan(first["code"], scanned_at="2099-01-01T00:00:00+00:00"))
    admitted = datetime.fromisoformat(answered[0]["first_checked_in_at"])
    assert admitted <= datetime.now(UTC)


def test_the_scan_item_keeps_the_answer_device_and_time(shop, buyer, door):
    from chalicelib.store.models.checkins import ScanModel, scan_sk
    from chalicelib.store.models.events import event_pk

    _, _, (first, _) = free_attendees(shop, buyer)
    results(shop, door, scan("nothing", "s-unknown", device="Gate 3"), scan(first["code"], "s-ok"))

    unknown = ScanModel.get(event_pk(shop.event_id), scan_sk("s-unknown"))
    ok = ScanModel.get(event_pk(shop.event_id), scan_sk("s-ok"))
    assert (unknown.result, unknown.device, unknown.scanned_at) == (
        "unknown",
        "Gate 3",
        "2026-12-01T19:02:11+01:00",
    )
    assert (ok.result, ok.attendee_id, ok.scanned_by) == ("ok", first["id"], shop.api.user_id(door))


@pytest.mark.parametrize(
    ("body", "details"),
    [
        ({"scans": []}, {"scans": "Give a list of 1 to 500 scans."}),
        ({}, {"scans": "Give a list of 1 to 500 scans."}),
        ({"scans": "x"}, {"scans": "Give a list of 1 to 500 scans."}),
        (
            {"scans": [scan("A")] * 2 + [scan("B"), {**scan("C"), "code": None}]},
            {
                "scans[1].id": "This scan id is already in the batch.",
                "scans[3].code": "Give the scanned code.",
            },
        ),
        (
            {"scans": [{**scan("A"), "scanned_at": "yesterday"}]},
            {"scans[0].scanned_at": "Not an ISO 8601 date and time."},
        ),
        (
            {"scans": [{**scan("A"), "scanned_at": "2026-12-01T19:02:11"}]},
            {"scans[0].scanned_at": "Include the UTC offset, e.g. +02:00."},
        ),
        ({"scans": [{**scan("A"), "device": "x" * 65}]}, {"scans[0].device": "Use at most 64 characters."}),
        (
            {"scans": [{**scan("A"), "id": "no spaces allowed"}]},
            {"scans[0].id": "Give the scan's id: 1 to 64 letters, digits, - or _ (a UUID)."},
        ),
        (
            {"scans": [{**scan("A"), "extra": 1}]},
            {"scans[0].extra": "Unknown field; send id, code or attendee_id, scanned_at and device."},
        ),
        (
            {"scans": [{**scan("A"), "attendee_id": "x-1"}, {**scan_by_id("x-1"), "attendee_id": None}]},
            {
                "scans[0]": "Send either code or attendee_id: one of them, not both.",
                "scans[1].attendee_id": "Give the attendee's id from the check-in list.",
            },
        ),
        (
            {"scans": [scan_by_id("x-1"), {k: v for k, v in scan("A").items() if k != "code"}]},
            {"scans[1]": "Send either code or attendee_id: one of them, not both."},
        ),
        (
            {"scans": [scan_by_id("x" * 65)]},
            {"scans[0].attendee_id": "Use at most 64 characters."},
        ),
    ],
)
def test_bad_batches_are_422_per_field_and_record_nothing(shop, door, body, details):
    from chalicelib.store.models.checkins import SCAN_PREFIX, ScanModel
    from chalicelib.store.models.events import event_pk

    response = shop.api.post(f"/events/{shop.event_id}/checkins", body, token=door)
    assert response.status == 422, response.json
    assert response.json["error"]["details"] == details
    assert list(ScanModel.query(event_pk(shop.event_id), ScanModel.sk.startswith(SCAN_PREFIX))) == []


def test_more_than_500_scans_are_422(shop, door):
    response = send(shop, door, *[scan("A") for _ in range(501)])
    assert response.status == 422
    assert response.json["error"]["details"] == {
        "scans": "Send at most 500 scans a request; send the rest in another."
    }


def test_a_batch_is_read_in_a_few_batch_gets_and_admitted_in_one_transaction_per_100_items(
    shop, buyer, door, dynamodb_calls
):
    ticket = shop.ticket(**{**FREE, "quantity": 200, "max_order": 10})
    codes = []
    for _ in range(6):
        codes += [a["code"] for a in attendees_of(shop, shop.buy(buyer, ticket, 10), buyer)]
    scans = [scan(code) for code in codes] + [scan(codes[0]), scan("forged")]

    with dynamodb_calls:
        answered = results(shop, door, *scans)

    assert [r["result"] for r in answered] == ["ok"] * 60 + ["already_checked_in", "unknown"]
    calls = dynamodb_calls.calls
    # The guard's one, then 62 scans + 61 codes (2 chunks), then the attendees (60: 1 chunk).
    assert calls.count("BatchGetItem") == 4
    # 60 attendee updates, 6 order checks, 1 ticket counter: one transaction.
    assert calls.count("TransactWriteItems") == 1
    assert calls.count("BatchWriteItem") == 3  # the 62 answers, 25 a request
    assert checked_in_counter(shop, ticket) == 60


def test_an_attendee_named_by_id_is_admitted_like_a_scanned_code(shop, buyer, door):
    from chalicelib.store.models.checkins import ScanModel, scan_sk
    from chalicelib.store.models.events import event_pk

    ticket, _, (first, second) = free_attendees(shop, buyer)

    admitted = results(shop, door, scan_by_id(first["id"], "by-id", scanned_at="2026-12-01T19:05:00+01:00"))
    sent_again = results(shop, door, scan_by_id(first["id"], "by-id"))
    later = results(shop, door, scan(first["code"]), scan_by_id(f" {first['id']} "))

    assert admitted == [
        {
            "id": "by-id",
            "result": "ok",
            "attendee": {
                "id": first["id"],
                "name": "Bea Buyer",
                "ticket_id": ticket["id"],
                "ticket_name": "Community",
            },
            "first_checked_in_at": "2026-12-01T19:05:00+01:00",
        }
    ]
    assert sent_again == admitted
    assert [r["result"] for r in later] == ["already_checked_in"] * 2
    assert later[0]["first_checked_in_at"] == "2026-12-01T19:05:00+01:00"
    stored = stored_attendee(shop, first["id"])
    assert (stored.checked_in_scan, stored.checked_in_device) == ("by-id", "North door")
    assert stored_attendee(shop, second["id"]).checked_in_at is None
    assert checked_in_counter(shop, ticket) == 1
    item = ScanModel.get(event_pk(shop.event_id), scan_sk("by-id"))
    assert (item.sent_attendee_id, item.code_sha256, item.attendee_id) == (first["id"], None, first["id"])


@pytest.mark.parametrize("code_first", [True, False])
def test_one_attendee_by_id_twice_or_by_code_and_id_in_a_batch_is_admitted_once(
    shop, buyer, door, code_first
):
    ticket, _, (first, second) = free_attendees(shop, buyer)
    by_code, by_id = scan(first["code"]), scan_by_id(first["id"])
    pair = [by_code, by_id] if code_first else [by_id, by_code]

    answered = results(shop, door, *pair, scan_by_id(second["id"]), scan_by_id(second["id"]))

    assert [r["result"] for r in answered] == ["ok", "already_checked_in", "ok", "already_checked_in"]
    assert answered[1]["first_checked_in_at"] == answered[0]["first_checked_in_at"]
    assert stored_attendee(shop, first["id"]).checked_in_scan == pair[0]["id"]
    assert checked_in_counter(shop, ticket) == 2


def test_a_batch_by_id_reads_attendees_with_the_scans_in_one_batch_get(shop, buyer, door, dynamodb_calls):
    ticket = shop.ticket(**{**FREE, "quantity": 20, "max_order": 10})
    ids = [a["id"] for a in attendees_of(shop, shop.buy(buyer, ticket, 10), buyer)]

    with dynamodb_calls:
        answered = results(shop, door, *[scan_by_id(attendee_id) for attendee_id in ids])

    assert [r["result"] for r in answered] == ["ok"] * 10
    # The guard's one, then the scans and the attendees together; no second read for codes.
    assert dynamodb_calls.calls.count("BatchGetItem") == 2
    assert dynamodb_calls.calls.count("TransactWriteItems") == 1


def test_a_scan_id_sent_again_for_another_ticket_is_422_and_admits_nothing(shop, buyer, door):
    _, _, (first, second) = free_attendees(shop, buyer)
    assert results(shop, door, scan(first["code"], "door1-0001"))[0]["result"] == "ok"

    for reused in (scan("FORGEDFORGEDFORGED", "door1-0001"), scan_by_id(second["id"], "door1-0001")):
        response = send(shop, door, scan(second["code"]), reused)
        assert response.status == 422, response.json
        assert response.json["error"]["details"] == {
            "scans[1].id": "This scan id was sent before for another ticket; give each scan its own id."
        }

    assert stored_attendee(shop, second["id"]).checked_in_at is None
    # The same ticket under its old id is the same scan: the same answer.
    assert results(shop, door, scan(first["code"].lower(), "door1-0001"))[0]["result"] == "ok"
