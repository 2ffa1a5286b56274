"""After an order is placed: expiry (before and by the sweep), cancel, mark paid, lists, CSV
exports, organizer notifications and live availability over the WebSocket."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from chalicelib.domain.errors import DomainError
from tests.api.orders_helpers import FREE, PAID, make_shop


def later(minutes: float) -> time_machine.travel:
    return time_machine.travel(datetime.now(UTC) + timedelta(minutes=minutes), tick=False)


def sweep() -> int:
    from chalicelib.services.orders import sweep_expired_orders

    return sweep_expired_orders()


def cancel(shop, order, token):
    return shop.api.post(f"/orders/{order['id']}/cancel", token=token)


def mark_paid(shop, order, token, body=None):
    return shop.api.post(f"/events/{shop.event_id}/orders/{order['id']}/mark-paid", body, token=token)


# --- expiry ---------------------------------------------------------------------------------


def test_an_expired_hold_is_available_before_the_sweep_and_released_by_it_once(shop, buyer):
    ticket = shop.ticket(quantity=10)
    order = shop.buy(buyer, ticket, 4)
    assert shop.available(ticket) == 6

    with later(16):
        assert shop.available(ticket) == 10
        assert shop.api.get(f"/orders/{order['id']}", token=buyer).json["status"] == "expired"
        assert shop.counters(ticket) == {"sold": 0, "reserved": 4, "held": 4}
        before = shop.versions()["tickets_ver"]

        assert sweep() == 1
        assert sweep() == 0

        assert shop.counters(ticket) == {"sold": 0, "reserved": 0, "held": 0}
        assert shop.available(ticket) == 10
        assert shop.versions()["tickets_ver"] == before + 1


def test_the_sweep_leaves_holds_that_have_not_expired(shop, buyer):
    ticket = shop.ticket()
    shop.buy(buyer, ticket, 2)

    with later(14):
        assert sweep() == 0
        assert shop.counters(ticket)["reserved"] == 2


def test_the_next_order_releases_an_expired_hold_before_the_sweep(shop, buyer, signup):
    ticket = shop.ticket(quantity=3, max_order=3)
    first = shop.buy(buyer, ticket, 3)
    assert shop.order(signup(), [{"ticket_id": ticket["id"], "quantity": 1}]).error_code == "sold_out"

    with later(16):
        second = shop.buy(signup(), ticket, 3)

        assert second["status"] == "pending"
        assert shop.counters(ticket) == {"sold": 0, "reserved": 3, "held": 3}
        assert shop.api.get(f"/orders/{first['id']}", token=buyer).json["status"] == "expired"
        assert sweep() == 0


def test_a_pending_order_past_expiry_cannot_be_paid_or_cancelled(shop, buyer):
    ticket = shop.ticket()
    order = shop.buy(buyer, ticket, 2)

    with later(16):
        paid = mark_paid(shop, order, shop.organizer)
        assert (paid.status, paid.error_code) == (409, "order_expired")
        sweep()
        assert cancel(shop, order, buyer).error_code == "order_closed"
        assert mark_paid(shop, order, shop.organizer).error_code == "order_not_pending"
    assert shop.counters(ticket)["held"] == 0


def test_the_scheduled_function_runs_the_sweep(shop, buyer):
    from app import app

    ticket = shop.ticket()
    shop.buy(buyer, ticket, 2)
    handler = app.handler_map["sweep_orders"]

    with later(16):
        result = handler(
            {
                "version": "0",
                "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
                "detail-type": "Scheduled Event",
                "source": "aws.events",
                "account": "123456789012",
                "time": "2026-11-26T12:00:00Z",
                "region": "us-east-1",
                "resources": ["arn:aws:events:us-east-1:123456789012:rule/sweep_orders"],
                "detail": {},
            },
            None,
        )

    assert result == {"expired": 1}
    assert shop.counters(ticket)["reserved"] == 0


# --- cancel ---------------------------------------------------------------------------------


def test_the_buyer_cancels_a_pending_order_and_the_tickets_come_back_once(shop, buyer):
    ticket = shop.ticket(quantity=10)
    order = shop.buy(buyer, ticket, 4)

    first = cancel(shop, order, buyer)
    second = cancel(shop, order, buyer)

    assert first.status == 200
    assert first.json["status"] == "cancelled"
    assert (second.status, second.error_code) == (409, "order_closed")
    assert shop.counters(ticket) == {"sold": 0, "reserved": 0, "held": 0}
    assert shop.available(ticket) == 10


def test_two_cancels_racing_on_the_same_read_release_once(shop, buyer):
    """Both read the order as pending; the write's condition on the status lets one through."""
    from chalicelib.services.orders import cancel_order
    from chalicelib.store import orders as store

    ticket = shop.ticket(quantity=10)
    order_id = shop.buy(buyer, ticket, 4)["id"]
    stale_a, stale_b = store.get_order(order_id), store.get_order(order_id)
    buyer_id = stale_a.buyer_id

    cancel_order(stale_a, buyer_id, is_organizer=False)
    with pytest.raises(Exception) as lost:
        cancel_order(stale_b, buyer_id, is_organizer=False)

    assert getattr(lost.value, "code", None) == "order_closed"
    assert shop.counters(ticket) == {"sold": 0, "reserved": 0, "held": 0}


def test_the_sweep_and_a_cancel_racing_release_once(shop, buyer):
    from chalicelib.services.orders import cancel_order
    from chalicelib.store import orders as store

    ticket = shop.ticket(quantity=10)
    order_id = shop.buy(buyer, ticket, 4)["id"]
    stale = store.get_order(order_id)

    with later(16):
        assert sweep() == 1
        with pytest.raises(DomainError) as lost:
            cancel_order(stale, stale.buyer_id, is_organizer=False)

    assert lost.value.code == "order_closed"

    assert shop.counters(ticket) == {"sold": 0, "reserved": 0, "held": 0}


def test_a_buyer_cannot_cancel_a_completed_order_but_the_organizer_can(shop, buyer):
    ticket = shop.ticket(**FREE)
    order = shop.buy(buyer, ticket, 2)

    refused = cancel(shop, order, buyer)
    done = cancel(shop, order, shop.organizer)

    assert (refused.status, refused.error_code) == (409, "order_completed")
    assert done.status == 200
    assert done.json["status"] == "cancelled"
    assert done.json["buyer"]["name"] == "Bea Buyer"
    assert shop.counters(ticket) == {"sold": 0, "reserved": 0, "held": 0}


def test_the_organizer_cancels_a_pending_order(shop, buyer):
    ticket = shop.ticket()
    order = shop.buy(buyer, ticket, 2)

    assert cancel(shop, order, shop.organizer).json["status"] == "cancelled"
    assert shop.counters(ticket)["held"] == 0


def test_strangers_get_404_and_other_members_403_on_someone_elses_order(shop, buyer, signup):
    ticket = shop.ticket()
    order = shop.buy(buyer, ticket, 2)
    stranger, coorganizer = signup(), signup()
    shop.add_member(coorganizer, "coorganizer")

    assert cancel(shop, order, stranger).status == 404
    assert shop.api.get(f"/orders/{order['id']}", token=stranger).status == 404
    assert cancel(shop, order, coorganizer).status == 403
    assert shop.api.get(f"/orders/{order['id']}", token=coorganizer).status == 200
    assert shop.api.post("/orders/not-an-id/cancel", token=buyer).status == 404
    assert shop.api.post(f"/orders/{order['id']}/cancel").status == 401
    assert shop.counters(ticket)["held"] == 2


def test_staff_may_cancel_any_order(shop, buyer, make_staff):
    order = shop.buy(buyer, shop.ticket(), 1)

    assert cancel(shop, order, make_staff()).json["status"] == "cancelled"


# --- mark paid ------------------------------------------------------------------------------


def test_the_organizer_marks_an_order_paid_and_is_notified(shop, buyer):
    ticket = shop.ticket(quantity=10)
    order = shop.buy(buyer, ticket, 3)

    response = mark_paid(shop, order, shop.organizer, {"reference": "IBAN transfer 42"})

    assert response.status == 200
    assert response.json["status"] == "completed"
    assert response.json["paid_at"]
    assert response.json["payment"] == {"provider": "manual", "reference": "IBAN transfer 42", "issue": None}
    assert shop.counters(ticket) == {"sold": 3, "reserved": 0, "held": 3}
    assert shop.available(ticket) == 7
    notes = shop.api.get("/notifications", token=shop.organizer).json
    assert [n["action"] for n in notes] == ["order_completed"]
    assert "Bea Buyer ordered 3 tickets (37.50 EUR)" in notes[0]["message"]
    with later(16):
        assert sweep() == 0
    assert shop.counters(ticket) == {"sold": 3, "reserved": 0, "held": 3}


def test_mark_paid_twice_is_409_and_sells_once(shop, buyer):
    ticket = shop.ticket()
    order = shop.buy(buyer, ticket, 2)
    mark_paid(shop, order, shop.organizer)

    again = mark_paid(shop, order, shop.organizer)

    assert (again.status, again.error_code) == (409, "order_not_pending")
    assert shop.counters(ticket) == {"sold": 2, "reserved": 0, "held": 2}


def test_only_the_organizer_marks_paid(shop, buyer, signup):
    order = shop.buy(buyer, shop.ticket(), 1)
    coorganizer = signup()
    shop.add_member(coorganizer, "coorganizer")

    assert mark_paid(shop, order, buyer).status == 403
    assert mark_paid(shop, order, coorganizer).status == 403
    assert mark_paid(shop, {"id": "f" * 32}, shop.organizer).status == 404


def test_mark_paid_of_another_events_order_is_404(shop, buyer, api, signup, make_event):
    order = shop.buy(buyer, shop.ticket(), 1)
    other = make_shop(api, signup, make_event)

    response = api.post(f"/events/{other.event_id}/orders/{order['id']}/mark-paid", token=other.organizer)

    assert response.status == 404


@pytest.mark.parametrize("body", [{"reference": 42}, {"reference": "x" * 201}])
def test_a_bad_payment_reference_is_422(shop, buyer, body):
    ticket = shop.ticket()
    order = shop.buy(buyer, ticket, 1)

    response = mark_paid(shop, order, shop.organizer, body)

    assert response.status == 422
    assert shop.counters(ticket) == {"sold": 0, "reserved": 1, "held": 1}


def test_a_free_order_notifies_every_organizer(shop, buyer, signup):
    second_organizer = signup()
    shop.add_member(second_organizer, "organizer")

    shop.buy(buyer, shop.ticket(**FREE), 1)

    for token in (shop.organizer, second_organizer):
        assert [n["action"] for n in shop.api.get("/notifications", token=token).json] == ["order_completed"]
    assert shop.api.get("/notifications", token=buyer).json == []


def test_a_buyer_name_is_quoted_as_plain_text_in_the_notification(shop, signup):
    """Messages are plain text: markup in a name is kept as the characters it is (clients show text)."""
    sneaky = signup(name='<img src=x onerror="alert(1)">Eve & Co')

    shop.buy(sneaky, shop.ticket(**FREE), 1)

    message = shop.api.get("/notifications", token=shop.organizer).json[0]["message"]
    assert message.startswith('<img src=x onerror="alert(1)">Eve & Co ordered 1 ticket ')


# --- lists ----------------------------------------------------------------------------------


def test_my_orders_lists_mine_newest_first(shop, buyer, signup):
    ticket = shop.ticket()
    first = shop.buy(buyer, ticket, 1)
    second = shop.buy(buyer, ticket, 2)
    shop.buy(signup(), ticket, 1)

    mine = shop.api.get("/me/orders", token=buyer)

    assert mine.status == 200
    assert [o["id"] for o in mine.json] == [second["id"], first["id"]]
    assert "buyer" not in mine.json[0]
    assert mine.json[0]["event_name"] == shop.event["name"]
    page = shop.api.get("/me/orders?limit=1", token=buyer)
    assert [o["id"] for o in page.json] == [second["id"]]
    rest = shop.api.get(f"/me/orders?limit=1&cursor={page.headers['x-next-cursor']}", token=buyer)
    assert [o["id"] for o in rest.json] == [first["id"]]
    assert shop.api.get("/me/orders").status == 401


def test_the_event_order_list_for_organizers_and_coorganizers(shop, buyer, signup):
    ticket = shop.ticket()
    pending = shop.buy(buyer, ticket, 1)
    paid = shop.buy(buyer, ticket, 2)
    mark_paid(shop, paid, shop.organizer)
    coorganizer, moderator, stranger = signup(), signup(), signup()
    shop.add_member(coorganizer, "coorganizer")
    shop.add_member(moderator, "moderator")
    path = f"/events/{shop.event_id}/orders"

    listed = shop.api.get(path, token=coorganizer)

    assert listed.status == 200
    assert [o["id"] for o in listed.json] == [paid["id"], pending["id"]]
    assert listed.json[0]["buyer"] == {
        "id": shop.api.get("/me", token=buyer).json["id"],
        "name": "Bea Buyer",
        "email": "buyer@example.com",
    }
    assert [o["id"] for o in shop.api.get(f"{path}?status=pending", token=shop.organizer).json] == [
        pending["id"]
    ]
    assert shop.api.get(f"{path}?status=lost", token=shop.organizer).status == 422
    assert shop.api.get(f"{path}?limit=0", token=shop.organizer).status == 422
    assert shop.api.get(f"{path}?cursor=garbage!", token=shop.organizer).status == 422
    assert shop.api.get(path, token=moderator).status == 403
    assert shop.api.get(path, token=stranger).status == 403
    assert shop.api.get(path, token=buyer).status == 403
    detail = shop.api.get(f"{path}/{pending['id']}", token=coorganizer)
    assert detail.json["id"] == pending["id"]
    assert detail.headers["etag"]


# --- CSV ------------------------------------------------------------------------------------


def rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.body.decode())))


def test_orders_and_attendees_export_as_csv(shop, buyer, signup):
    ticket, free = shop.ticket(), shop.ticket(**FREE)
    paid = shop.buy(buyer, ticket, 2)
    mark_paid(shop, paid, shop.organizer)
    shop.buy(signup(name="Pat Pending"), ticket, 1)
    shop.buy(signup(name="=HYPERLINK(1)"), free, 1)

    orders = shop.api.get(f"/events/{shop.event_id}/orders.csv", token=shop.organizer)
    attendees = shop.api.get(f"/events/{shop.event_id}/attendees.csv", token=shop.organizer)

    assert orders.status == 200
    assert orders.headers["content-type"].startswith("text/csv")
    assert "attachment" in orders.headers["content-disposition"]
    assert [(r["buyer_name"], r["status"], r["total"], r["tickets"]) for r in rows(orders)] == [
        ("Bea Buyer", "completed", "25.00", "2"),
        ("Pat Pending", "pending", "12.50", "1"),
        ("'=HYPERLINK(1)", "completed", "0.00", "1"),
    ]
    assert [(r["name"], r["ticket"], r["seat"]) for r in rows(attendees)] == [
        ("Bea Buyer", "Standard", "1"),
        ("Bea Buyer", "Standard", "2"),
        ("'=HYPERLINK(1)", "Community", "1"),
    ]


def test_only_the_organizer_exports(shop, buyer, signup):
    coorganizer = signup()
    shop.add_member(coorganizer, "coorganizer")

    for path in ("orders.csv", "attendees.csv"):
        assert shop.api.get(f"/events/{shop.event_id}/{path}", token=coorganizer).status == 403
        assert shop.api.get(f"/events/{shop.event_id}/{path}", token=buyer).status == 403
        assert shop.api.get(f"/events/{shop.event_id}/{path}").status == 401


# --- live availability ----------------------------------------------------------------------


def test_open_public_pages_receive_new_availability(shop, buyer, ws, api, signup, make_event):
    ticket, hidden = shop.ticket(quantity=10), shop.ticket(name="Secret", hidden=True)
    page = ws.connect(event=shop.event_id)
    other_event = make_shop(api, signup, make_event)
    elsewhere = ws.connect(event=other_event.event_id)
    assert page.status == elsewhere.status == 200

    order = shop.buy(buyer, ticket, 3)
    assert ws.received(page.connection_id) == [
        {
            "meta": "availability",
            "event_id": shop.event_id,
            "tickets": [{"id": ticket["id"], "available": 7}],
        }
    ]
    cancel(shop, order, buyer)

    # The second push waits for the next second's window, and then shows the change.
    assert ws.received(page.connection_id)[1:] == [
        {
            "meta": "availability",
            "event_id": shop.event_id,
            "tickets": [{"id": ticket["id"], "available": 10}],
        },
    ]
    assert ws.received(elsewhere.connection_id) == []
    assert hidden["id"] not in str(ws.received(page.connection_id))


def test_a_burst_of_orders_is_one_message_with_the_last_availability(shop, signup, ws):
    ticket = shop.ticket(quantity=20)
    page = ws.connect(event=shop.event_id)
    buyers = [signup(f"burst{n}@example.com") for n in range(5)]

    for token in buyers:
        shop.buy(token, ticket, 2)

    assert ws.received(page.connection_id) == [
        {
            "meta": "availability",
            "event_id": shop.event_id,
            "tickets": [{"id": ticket["id"], "available": 10}],
        }
    ]


def test_the_sweep_pushes_released_availability(shop, buyer, ws):
    ticket = shop.ticket(quantity=10)
    shop.buy(buyer, ticket, 3)
    page = ws.connect(event=shop.event_id)

    with later(16):
        sweep()

    assert ws.received(page.connection_id)[-1]["tickets"] == [{"id": ticket["id"], "available": 10}]


def test_a_push_reads_only_the_events_own_channel(shop, buyer, ws, dynamodb_calls):
    """O(open connections of this event): one Query of its channel, no Scan, whatever listens elsewhere."""
    from chalicelib.services.pushes import push_availability

    ticket = shop.ticket(quantity=10)
    for _ in range(5):
        ws.connect(token=buyer)
    page = ws.connect(event=shop.event_id)

    with dynamodb_calls:
        delivered = push_availability(shop.event_id)

    assert delivered == 1
    assert "Scan" not in dynamodb_calls.calls
    assert dynamodb_calls.calls.count("Query") == 3  # the channel, the tickets, the expired holds
    assert ws.received(page.connection_id)[-1]["tickets"] == [{"id": ticket["id"], "available": 10}]


def test_no_listener_no_work(shop, buyer, dynamodb_calls):
    from chalicelib.services.pushes import push_availability

    shop.ticket()
    with dynamodb_calls:
        assert push_availability(shop.event_id) == 0
    assert dynamodb_calls.calls == ["Query"]


def test_a_draft_events_page_cannot_listen(api, signup, make_event, ws):
    draft = make_shop(api, signup, make_event, publish=False)

    assert ws.connect(event=draft.event_id).status == 404
    assert ws.connect(event=draft.event_id, token="bad").status == 401


def test_pending_orders_show_paying_instructions_only_while_pending(shop, buyer):
    order = shop.buy(buyer, shop.ticket(**PAID), 1)
    assert "instructions" in order["payment"]

    paid = mark_paid(shop, order, shop.organizer).json

    assert "instructions" not in paid["payment"]


def test_orders_of_a_deleted_event_still_expire_and_cancel(shop, buyer):
    ticket = shop.ticket()
    expiring = shop.buy(buyer, ticket, 1)
    cancelled = shop.buy(buyer, ticket, 1)
    assert shop.api.delete(f"/events/{shop.event_id}", token=shop.organizer).status == 204

    assert cancel(shop, cancelled, buyer).json["status"] == "cancelled"
    with later(16):
        assert sweep() == 1

    statuses = {o["id"]: o["status"] for o in shop.api.get("/me/orders", token=buyer).json}
    assert statuses == {expiring["id"]: "expired", cancelled["id"]: "cancelled"}
