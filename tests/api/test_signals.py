"""Use cases announce a change only once its transaction committed, and what follows (pushes,
notifications) can never fail or undo the change."""

import pytest

from chalicelib.domain.errors import DomainError
from chalicelib.domain.payments import PaymentConfirmation
from chalicelib.services import signals
from chalicelib.services.signals import OrderCompleted
from tests.api.orders_helpers import FREE, stored_orders


@pytest.fixture
def subscribed():
    """Subscribe a handler for the test only."""
    added = []

    def add(kind, handler):
        signals.subscribe(kind)(handler)
        added.append((kind, handler))

    yield add
    for kind, handler in added:
        signals.unsubscribe(kind, handler)


def test_a_failing_subscriber_does_not_fail_the_order(shop, buyer, subscribed):
    def broken(event):
        raise RuntimeError("a subscriber with a bug")

    subscribed(OrderCompleted, broken)
    ticket = shop.ticket(**{**FREE, "quantity": 5})

    response = shop.order(buyer, [{"ticket_id": ticket["id"], "quantity": 2}])

    assert response.status == 201, response.json
    assert response.json["status"] == "completed"
    assert [o.order_id for o in stored_orders(shop.event_id)] == [response.json["id"]]
    assert shop.counters(ticket)["sold"] == 2
    # The other subscribers of the same event still ran: the organizer was notified.
    notices = shop.api.get("/notifications", token=shop.organizer).json
    assert [n["title"] for n in notices] == [f"New order for {shop.event['name']}"]
    # It links to the event's orders page.
    assert [n["link"] for n in notices] == [f"/events/{shop.event_id}/orders"]


def test_a_cancelled_transaction_announces_nothing(shop, buyer, subscribed):
    """mark-paid on a copy read while the order was pending, after it was cancelled: the
    transaction's condition on the status cancels it, and no OrderCompleted goes out."""
    from chalicelib.services.orders import mark_paid
    from chalicelib.store.orders import get_order

    ticket = shop.ticket(quantity=5)
    order_id = shop.buy(buyer, ticket, 1)["id"]
    stale = get_order(order_id)
    assert shop.api.post(f"/orders/{order_id}/cancel", token=buyer).status == 200
    heard = []
    subscribed(OrderCompleted, heard.append)

    with pytest.raises(DomainError) as refused:
        mark_paid(stale, PaymentConfirmation("manual", None, stale.buyer_id))

    assert refused.value.code == "order_not_pending"
    assert heard == []
    assert get_order(order_id).status == "cancelled"
    assert shop.api.get("/notifications", token=shop.organizer).json == []
