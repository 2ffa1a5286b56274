"""Split inventory (#21): a ticket of 1,000 seats or more is spread over several counter items;
the API shows their sums, an order says which slots it took from, and what is given back goes
there. Resizing keeps every slot at or above what it holds."""

import pytest

from tests.api.orders_helpers import FREE

BIG = {**FREE, "name": "Hall", "quantity": 1000, "max_order": 400}


def _slots(event_id: str, ticket_id: str) -> list[dict[str, int]]:
    """The stored counter items of a ticket, slot 0 (the ticket item) first."""
    from chalicelib.store.models.events import event_pk
    from chalicelib.store.models.tickets import SHARD_PREFIX, ShardModel, TicketModel, ticket_sk

    ticket = TicketModel.get(event_pk(event_id), ticket_sk(ticket_id), consistent_read=True)
    shards = ShardModel.query(
        event_pk(event_id), ShardModel.sk.startswith(f"{SHARD_PREFIX}{ticket_id}#"), consistent_read=True
    )
    capacity = ticket.quantity if ticket.capacity is None else ticket.capacity
    found = [{"capacity": int(capacity), "sold": int(ticket.sold), "reserved": int(ticket.reserved)}]
    for shard in sorted(shards, key=lambda s: int(s.index)):
        found.append(
            {"capacity": int(shard.capacity), "sold": int(shard.sold), "reserved": int(shard.reserved)}
        )
    return found


def _stored_lines(order_id: str) -> list[dict]:
    from chalicelib.store.orders import get_order

    return get_order(order_id).lines


def test_a_big_ticket_is_split_and_shown_as_one(shop, buyer):
    small = shop.ticket(**{**FREE, "quantity": 999})
    big = shop.ticket(**BIG)

    assert len(_slots(shop.event_id, small["id"])) == 1
    assert [s["capacity"] for s in _slots(shop.event_id, big["id"])] == [250, 250, 250, 250]
    order = shop.buy(buyer, big, 10)

    (line,) = _stored_lines(order["id"])
    ((index, seats),) = line["slots"]
    assert seats == 10
    assert _slots(shop.event_id, big["id"])[index]["sold"] == 10
    assert sum(s["sold"] for s in _slots(shop.event_id, big["id"])) == 10
    assert shop.available(big) == 990
    listed = shop.api.get(f"/events/{shop.event_id}/tickets/{big['id']}", token=shop.organizer).json
    assert (listed["quantity"], listed["sold"], listed["available"]) == (1000, 10, 990)


def test_an_order_bigger_than_any_slot_takes_from_several_and_gives_back_to_each(shop, buyer):
    big = shop.ticket(**{**BIG, "type": "paid", "price": "5.00"})

    order = shop.buy(buyer, big, 300)

    (line,) = _stored_lines(order["id"])
    assert len(line["slots"]) == 2 and sum(seats for _, seats in line["slots"]) == 300
    for index, seats in line["slots"]:
        assert _slots(shop.event_id, big["id"])[index]["reserved"] == seats
    assert shop.available(big) == 700

    assert shop.api.post(f"/orders/{order['id']}/cancel", token=buyer).status == 200
    assert all(s["reserved"] == s["sold"] == 0 for s in _slots(shop.event_id, big["id"]))
    assert shop.available(big) == 1000


def test_resizing_keeps_every_slot_above_what_it_holds(shop, buyer):
    big = shop.ticket(**BIG)
    path = f"/events/{shop.event_id}/tickets/{big['id']}"
    shop.buy(buyer, big, 240)

    grown = shop.api.patch(path, {"quantity": 2000}, token=shop.organizer)

    assert grown.status == 200 and grown.json["available"] == 1760
    slots = _slots(shop.event_id, big["id"])
    assert len(slots) == 8 and sum(s["capacity"] for s in slots) == 2000
    assert all(s["capacity"] >= s["sold"] for s in slots)

    shrunk = shop.api.patch(path, {"quantity": 400}, token=shop.organizer)
    assert shrunk.status == 200 and shrunk.json["available"] == 160
    slots = _slots(shop.event_id, big["id"])
    assert len(slots) == 8 and sum(s["capacity"] for s in slots) == 400
    assert all(s["capacity"] >= s["sold"] for s in slots)

    refused = shop.api.patch(path, {"quantity": 239}, token=shop.organizer)
    assert refused.status == 422
    assert sum(s["capacity"] for s in _slots(shop.event_id, big["id"])) == 400
    assert shop.buy(buyer, big, 160)["status"] == "completed"
    sold_out = shop.order(buyer, [{"ticket_id": big["id"], "quantity": 1}])
    assert sold_out.status == 409 and sold_out.error_code == "sold_out"


def test_a_ticket_grown_past_the_threshold_splits_and_keeps_its_orders(shop, buyer):
    ticket = shop.ticket(**{**FREE, "quantity": 100, "max_order": 100})
    earlier = shop.buy(buyer, ticket, 60)
    assert "slots" not in _stored_lines(earlier["id"])[0]

    grown = shop.api.patch(
        f"/events/{shop.event_id}/tickets/{ticket['id']}", {"quantity": 1000}, token=shop.organizer
    )

    assert grown.status == 200, grown.json
    slots = _slots(shop.event_id, ticket["id"])
    assert len(slots) == 4 and sum(s["capacity"] for s in slots) == 1000
    assert slots[0]["sold"] == 60 and slots[0]["capacity"] >= 60
    assert shop.available(ticket) == 940


def test_deleting_a_split_ticket_deletes_its_slots(shop):
    big = shop.ticket(**BIG)

    assert shop.api.delete(f"/events/{shop.event_id}/tickets/{big['id']}", token=shop.organizer).status == 204

    from chalicelib.store.models.events import event_pk
    from chalicelib.store.models.tickets import SHARD_PREFIX, ShardModel

    assert list(ShardModel.query(event_pk(shop.event_id), ShardModel.sk.startswith(SHARD_PREFIX))) == []


@pytest.mark.parametrize("seats", [1, 4])
def test_a_refund_of_some_attendees_gives_their_seats_back_to_their_slots(shop, buyer, seats):
    from chalicelib.services.refunds import refund_order
    from chalicelib.store.orders import get_order

    big = shop.ticket(**{**BIG, "type": "paid", "price": "5.00"})
    order = shop.buy(buyer, big, 300)
    paid = shop.api.post(f"/events/{shop.event_id}/orders/{order['id']}/mark-paid", token=shop.organizer)
    assert paid.status == 200, paid.json
    line = _stored_lines(order["id"])[0]
    # The last seats of the order come from its last slot: refund those.
    last_index, last_seats = line["slots"][-1]
    attendee_ids = [f"{order['id']}-{seat}" for seat in range(301 - seats, 301)]
    assert seats <= last_seats
    before = _slots(shop.event_id, big["id"])

    refund_order(get_order(order["id"]), "organizer", amount=None, attendee_ids=attendee_ids)

    after = _slots(shop.event_id, big["id"])
    assert after[last_index]["sold"] == before[last_index]["sold"] - seats
    assert sum(s["sold"] for s in after) == 300 - seats
    assert shop.available(big) == 700 + seats


def test_an_order_needing_seats_of_expired_holds_gets_them_from_the_slots(shop, buyer, signup):
    """Every slot full of holds that have expired: the order's read counts them free, its first
    allocation (from slots read before the expired holds were released) cannot place it, and it
    reads again instead of failing."""
    from tests.api.test_orders_lifecycle import later

    big = shop.ticket(**{**BIG, "type": "paid", "price": "5.00"})
    for seats in (400, 400, 200):
        shop.buy(signup(), big, seats)
    assert shop.available(big) == 0

    with later(16):
        response = shop.order(buyer, [{"ticket_id": big["id"], "quantity": 400}])

        assert response.status == 201, response.json
        slots = _slots(shop.event_id, big["id"])
        assert sum(s["reserved"] for s in slots) == 400
        assert all(s["reserved"] <= s["capacity"] for s in slots)
        assert shop.available(big) == 600
