"""Refunds that name attendees: what each seat cost goes back, those attendees are revoked and
only their seats go back on sale; never twice, whoever refunds at once; card orders revoke only
once Stripe refunded."""

import threading
from decimal import Decimal

import pytest

from tests.api.orders_helpers import FREE, make_shop
from tests.api.test_refunds import card_order, order_of, paid_order, refund, stored_order


@pytest.fixture
def shop(api, signup, make_event):
    return make_shop(api, signup, make_event)


@pytest.fixture
def buyer(signup):
    return signup("buyer@example.com", name="Bea Buyer")


def attendees(shop, order, token=None) -> list[dict]:
    response = shop.api.get(f"/orders/{order['id']}/attendees", token=token or shop.organizer)
    assert response.status == 200, response.json
    return response.json


def statuses(shop, order) -> list[str]:
    return [a["status"] for a in attendees(shop, order)]


def test_refunding_one_attendee_gives_back_their_seat_and_its_price_only(shop, buyer):
    ticket = shop.ticket(quantity=10)
    order = paid_order(shop, buyer, ticket, 3)
    second = attendees(shop, order)[1]

    response = refund(shop, order, {"attendee_ids": [second["id"]], "reason": "Cannot come"})

    assert response.status == 201, response.json
    assert (response.json["amount"], response.json["status"]) == ("12.50", "succeeded")
    assert response.json["attendee_ids"] == [second["id"]]
    seen = order_of(shop, order)
    assert (seen["status"], seen["refunded_total"]) == ("partially_refunded", "12.50")
    assert statuses(shop, order) == ["valid", "revoked", "valid"]
    assert shop.counters(ticket)["sold"] == 2 and shop.available(ticket) == 8


def test_refunding_every_attendee_refunds_the_order_and_releases_each_seat_once(shop, buyer):
    ticket = shop.ticket(quantity=10)
    order = paid_order(shop, buyer, ticket, 2)
    first, second = attendees(shop, order)

    assert refund(shop, order, {"attendee_ids": [first["id"]]}).status == 201
    last = refund(shop, order, {"attendee_ids": [second["id"]]})

    assert last.status == 201, last.json
    seen = order_of(shop, order)
    assert (seen["status"], seen["refunded_total"]) == ("refunded", "25.00")
    assert statuses(shop, order) == ["revoked", "revoked"]
    assert shop.counters(ticket) == {"sold": 0, "reserved": 0, "held": 0}
    assert refund(shop, order).status == 422


def test_the_rest_refunded_after_one_attendee_releases_only_the_seats_left(shop, buyer):
    ticket = shop.ticket(quantity=10)
    order = paid_order(shop, buyer, ticket, 3)
    first = attendees(shop, order)[0]
    assert refund(shop, order, {"attendee_ids": [first["id"]]}).status == 201

    rest = refund(shop, order)

    assert (rest.status, rest.json["amount"]) == (201, "25.00")
    assert order_of(shop, order)["status"] == "refunded"
    assert statuses(shop, order) == ["revoked", "revoked", "revoked"]
    assert shop.counters(ticket) == {"sold": 0, "reserved": 0, "held": 0}


def test_an_amount_with_attendees_gives_back_that_amount_and_revokes_them(shop, buyer):
    ticket = shop.ticket(quantity=10)
    order = paid_order(shop, buyer, ticket, 2)
    first = attendees(shop, order)[0]

    response = refund(shop, order, {"amount": "5.00", "attendee_ids": [first["id"]]})

    assert (response.status, response.json["amount"]) == (201, "5.00")
    assert order_of(shop, order)["refunded_total"] == "5.00"
    assert statuses(shop, order) == ["revoked", "valid"]
    assert shop.counters(ticket)["sold"] == 1


def test_unknown_foreign_and_already_refunded_attendees_are_422_and_change_nothing(shop, buyer, signup):
    ticket = shop.ticket(quantity=10)
    order = paid_order(shop, buyer, ticket, 2)
    other = paid_order(shop, signup("other@example.com"), ticket, 1)
    mine, foreign = attendees(shop, order)[0], attendees(shop, other)[0]
    assert refund(shop, order, {"attendee_ids": [mine["id"]]}).status == 201
    before = order_of(shop, order)

    response = refund(shop, order, {"attendee_ids": [mine["id"], foreign["id"], "nobody"]})

    assert response.status == 422, response.json
    assert response.json["error"]["details"] == {
        "attendee_ids[0]": "This attendee was already refunded.",
        "attendee_ids[1]": "No such attendee of this order.",
        "attendee_ids[2]": "No such attendee of this order.",
    }
    assert order_of(shop, order) == before
    assert statuses(shop, other) == ["valid"] and shop.counters(ticket)["sold"] == 2


def test_at_most_forty_attendees_a_refund(shop, buyer):
    order = paid_order(shop, buyer)
    response = refund(shop, order, {"attendee_ids": [f"{order['id']}-{n}" for n in range(1, 42)]})
    assert response.status == 422 and "attendee_ids" in response.json["error"]["details"]


def test_a_free_seat_of_a_paid_order_is_refunded_for_nothing_and_goes_back(shop, buyer):
    paid, free = shop.ticket(quantity=5), shop.ticket(**FREE)
    placed = shop.order(
        buyer, [{"ticket_id": paid["id"], "quantity": 1}, {"ticket_id": free["id"], "quantity": 1}]
    )
    marked = shop.api.post(
        f"/events/{shop.event_id}/orders/{placed.json['id']}/mark-paid", token=shop.organizer
    )
    order = marked.json
    guest = attendees(shop, order)[1]
    assert guest["ticket_id"] == free["id"]

    response = refund(shop, order, {"attendee_ids": [guest["id"]]})

    assert (response.status, response.json["amount"]) == (201, "0.00")
    seen = order_of(shop, order)
    assert (seen["status"], seen["refunded_total"]) == ("partially_refunded", "0.00")
    assert statuses(shop, order) == ["valid", "revoked"]
    assert shop.counters(free)["sold"] == 0 and shop.counters(paid)["sold"] == 1


def test_a_donation_seat_gives_back_what_was_given(shop, buyer):
    ticket = shop.ticket(type="donation", price="5.00", name="Supporter")
    order = shop.buy(buyer, ticket, 2, amount="30.00")
    order = shop.api.post(
        f"/events/{shop.event_id}/orders/{order['id']}/mark-paid", token=shop.organizer
    ).json

    response = refund(shop, order, {"attendee_ids": [attendees(shop, order)[0]["id"]]})

    assert (response.status, response.json["amount"]) == (201, "30.00")


def test_eight_organizers_refunding_the_same_attendee_at_once_refund_it_once(shop, buyer, threaded_app):
    ticket = shop.ticket(quantity=10)
    order = paid_order(shop, buyer, ticket, 3)
    target = attendees(shop, order)[2]
    start = threading.Barrier(8)
    answers: list[int] = []

    def one() -> None:
        start.wait()
        answers.append(refund(shop, order, {"attendee_ids": [target["id"]]}).status)

    threads = [threading.Thread(target=one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == [201] + [422] * 7
    stored = stored_order(order["id"])
    assert stored.refunded_total == Decimal("12.50") and len(stored.refunds) == 1
    assert shop.counters(ticket)["sold"] == 2
    assert statuses(shop, order) == ["valid", "valid", "revoked"]


def test_a_card_refund_of_an_attendee_sends_their_price_to_stripe(shop, buyer, stripe_sandbox):
    ticket = shop.ticket(quantity=10)
    order, intent = card_order(shop, buyer, stripe_sandbox, ticket, 2)

    response = refund(shop, order, {"attendee_ids": [attendees(shop, order)[0]["id"]]})

    assert (response.status, response.json["status"]) == (201, "succeeded"), response.json
    made = [r["amount"] for r in stripe_sandbox.state.refunds.values() if r["payment_intent"] == intent]
    assert made == [1250]
    assert statuses(shop, order) == ["revoked", "valid"]
    assert shop.counters(ticket)["sold"] == 1


def test_an_attendee_refund_stripe_refuses_keeps_the_attendee_and_the_seat(shop, buyer, stripe_sandbox):
    ticket = shop.ticket(quantity=10)
    order, intent = card_order(shop, buyer, stripe_sandbox, ticket, 2)
    stripe_sandbox.state.create_refund({"payment_intent": intent})
    first = attendees(shop, order)[0]

    response = refund(shop, order, {"attendee_ids": [first["id"]]})

    assert (response.status, response.error_code) == (409, "refund_failed")
    assert statuses(shop, order) == ["valid", "valid"]
    assert shop.counters(ticket)["sold"] == 2
    assert order_of(shop, order)["status"] == "completed"
    # Refused, it counts no more: the attendee can be refunded again.
    assert refund(shop, order, {"attendee_ids": [first["id"]]}).error_code == "refund_failed"


def test_a_full_refund_revokes_every_attendee(shop, buyer):
    order = paid_order(shop, buyer, shop.ticket(), 3)
    assert refund(shop, order).status == 201
    from chalicelib.store import attendees as store

    assert {a.status for a in store.order_attendees(shop.event_id, order["id"])} == {"revoked"}


def test_a_pending_attendee_refund_revokes_them_only_when_stripe_says_it_succeeded(
    shop, buyer, stripe_sandbox, monkeypatch
):
    from chalicelib.payments import stripe_gateway
    from chalicelib.services.refunds import apply_refund_update

    ticket = shop.ticket(quantity=10)
    order, _intent = card_order(shop, buyer, stripe_sandbox, ticket, 2)
    monkeypatch.setattr(
        stripe_gateway,
        "refund",
        lambda **_: stripe_gateway.Refund(refund_id="re_pending_seat", amount=1250, status="pending"),
    )
    second = attendees(shop, order)[1]

    response = refund(shop, order, {"attendee_ids": [second["id"]]})

    assert (response.status, response.json["status"]) == (201, "pending")
    assert statuses(shop, order) == ["valid", "valid"] and shop.counters(ticket)["sold"] == 2
    assert refund(shop, order, {"attendee_ids": [second["id"]]}).status == 422

    assert apply_refund_update(order["id"], "re_pending_seat", "succeeded") is True
    assert apply_refund_update(order["id"], "re_pending_seat", "succeeded") is True

    assert statuses(shop, order) == ["valid", "revoked"]
    assert shop.counters(ticket)["sold"] == 1
    assert order_of(shop, order)["status"] == "partially_refunded"


def test_a_refunded_attendee_who_was_admitted_leaves_the_door_counts(shop, buyer, signup, api):
    from tests.api.checkin_helpers import door_staff, results, scan

    door = door_staff(shop, signup)
    ticket = shop.ticket(quantity=10)
    order = paid_order(shop, buyer, ticket, 3)
    first, second, _ = attendees(shop, order)
    admitted = results(shop, door, scan(first["code"]), scan(second["code"]))
    assert [r["result"] for r in admitted] == ["ok", "ok"]

    assert refund(shop, order, {"attendee_ids": [first["id"]]}).status == 201
    summary = api.get(f"/events/{shop.event_id}/checkins/summary", token=door).json
    assert summary["total"] == {"checked_in": 1, "valid": 2}

    assert refund(shop, order).status == 201
    summary = api.get(f"/events/{shop.event_id}/checkins/summary", token=door).json
    assert summary["total"] == {"checked_in": 0, "valid": 0}
