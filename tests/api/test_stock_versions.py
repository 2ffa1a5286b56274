"""Orders do not write the event item (#21): what they change is versioned on the ticket items
they write, and the public page's ETag and the versions API still move with every order."""

from tests.api.orders_helpers import FREE


def _event_item(event_id: str) -> dict:
    from chalicelib.store.models.events import EVENT_SK, EventModel, event_pk

    return EventModel.get(event_pk(event_id), EVENT_SK, consistent_read=True).attribute_values


def test_an_order_moves_the_public_etag_without_writing_the_event_item(shop, buyer):
    ticket = shop.ticket()  # paid: the order is pending, so its buyer may cancel it
    page = f"/public/events/{shop.event_id}"
    etag = shop.api.get(page).headers["etag"]
    assert shop.api.get(page, headers={"If-None-Match": etag}).status == 304
    versions = shop.versions()
    before = _event_item(shop.event_id)

    order = shop.buy(buyer, ticket, 2)

    assert _event_item(shop.event_id) == before
    fresh = shop.api.get(page, headers={"If-None-Match": etag})
    assert fresh.status == 200 and fresh.headers["etag"] != etag
    assert fresh.json["tickets"][0]["available"] == 48
    after = shop.versions()
    assert set(after) == set(versions)
    assert after == {**versions, "tickets_ver": versions["tickets_ver"] + 1}
    again = fresh.headers["etag"]
    assert shop.api.get(page, headers={"If-None-Match": again}).status == 304

    assert shop.api.post(f"/orders/{order['id']}/cancel", token=buyer).status == 200
    assert _event_item(shop.event_id) == before
    assert shop.api.get(page, headers={"If-None-Match": again}).status == 200
    assert shop.versions()["tickets_ver"] == versions["tickets_ver"] + 2


def test_an_order_moves_the_organizers_ticket_list_etag(shop, buyer):
    ticket = shop.ticket(**FREE)
    path = f"/events/{shop.event_id}/tickets"
    etag = shop.api.get(path, token=shop.organizer).headers["etag"]

    shop.buy(buyer, ticket, 3)

    listed = shop.api.get(path, token=shop.organizer, headers={"If-None-Match": etag})
    assert listed.status == 200 and listed.json[0]["sold"] == 3
    # If-Match still compares the table's own version: an order in between is no conflict.
    renamed = shop.api.put(
        path,
        {"tickets": [{"id": ticket["id"], **FREE, "name": "Renamed"}]},
        token=shop.organizer,
        headers={"If-Match": etag},
    )
    assert renamed.status == 200, renamed.json
    assert renamed.headers["etag"] == shop.api.get(path, token=shop.organizer).headers["etag"]


def test_deleting_a_ticket_its_orders_touched_never_moves_tickets_ver_back(shop, buyer):
    kept, gone = shop.ticket(**FREE), shop.ticket(name="Gone")
    for _ in range(3):
        order = shop.buy(buyer, gone, 1)
        assert shop.api.post(f"/orders/{order['id']}/cancel", token=buyer).status == 200
    shop.buy(buyer, kept, 1)
    before = shop.versions()["tickets_ver"]

    deleted = shop.api.delete(f"/events/{shop.event_id}/tickets/{gone['id']}", token=shop.organizer)

    assert deleted.status == 204
    assert shop.versions()["tickets_ver"] == before + 1


def test_an_order_moves_the_etag_of_its_ticket_but_not_what_if_match_compares(shop, buyer):
    ticket = shop.ticket(**FREE)
    path = f"/events/{shop.event_id}/tickets/{ticket['id']}"
    etag = shop.api.get(path, token=shop.organizer).headers["etag"]

    shop.buy(buyer, ticket, 2)

    fresh = shop.api.get(path, token=shop.organizer, headers={"If-None-Match": etag})
    assert fresh.status == 200 and fresh.json["sold"] == 2
    changed = shop.api.patch(path, {"description": "Now"}, token=shop.organizer, headers={"If-Match": etag})
    assert changed.status == 200
    assert changed.headers["etag"] == shop.api.get(path, token=shop.organizer).headers["etag"]
