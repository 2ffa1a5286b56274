"""Attendees: one per seat of a completed order (free, marked paid), with unguessable codes, the
buyer's edits until the event starts, who may see and change them, and revocation when the order
is cancelled or refunded in full."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.api.orders_helpers import FREE, make_shop


@pytest.fixture
def shop(api, signup, make_event):
    return make_shop(api, signup, make_event)


@pytest.fixture
def buyer(signup):
    return signup("buyer@example.com", name="Bea Buyer")


def attendees(shop, order, token):
    response = shop.api.get(f"/orders/{order['id']}/attendees", token=token)
    assert response.status == 200, response.json
    return response.json


def stored(shop, order):
    from chalicelib.store import attendees as store

    return store.order_attendees(shop.event_id, order["id"])


def test_a_free_order_has_one_attendee_per_seat_with_distinct_unguessable_codes(shop, buyer):
    free, paid = shop.ticket(**FREE), shop.ticket(price="0", type="free", name="Second")
    order = shop.order(
        buyer, [{"ticket_id": free["id"], "quantity": 2}, {"ticket_id": paid["id"], "quantity": 1}]
    )
    assert order.status == 201, order.json
    found = attendees(shop, order.json, buyer)
    assert [a["ticket_id"] for a in found] == [free["id"], free["id"], paid["id"]]
    assert [a["id"] for a in found] == [f"{order.json['id']}-{n}" for n in (1, 2, 3)]
    assert {a["name"] for a in found} == {"Bea Buyer"} and {a["email"] for a in found} == {
        "buyer@example.com"
    }
    assert all(a["status"] == "valid" and a["checked_in_at"] is None for a in found)
    codes = [a["code"] for a in found]
    assert len(set(codes)) == 3 and all(len(code) == 32 and code.isalnum() for code in codes)
    # Made when the order completed, not on read.
    assert len(stored(shop, order.json)) == 3


def test_a_pending_order_has_no_attendees_until_it_is_paid(shop, buyer):
    order = shop.buy(buyer, shop.ticket(), 2)
    assert attendees(shop, order, buyer) == []
    paid = shop.api.post(f"/events/{shop.event_id}/orders/{order['id']}/mark-paid", token=shop.organizer)
    assert paid.status == 200
    assert [a["status"] for a in attendees(shop, order, buyer)] == ["valid", "valid"]


def test_attendees_lost_by_a_failed_reaction_are_made_on_read_with_the_same_codes(shop, buyer):
    from chalicelib.store.models.attendees import AttendeeCodeModel

    def codes():
        return list(AttendeeCodeModel.scan(AttendeeCodeModel.pk.startswith("CODE#")))

    order = shop.buy(buyer, shop.ticket(**FREE), 2)
    first = attendees(shop, order, buyer)
    for item in [*stored(shop, order), *codes()]:
        item.delete()
    again = attendees(shop, order, buyer)
    assert [a["code"] for a in again] == [a["code"] for a in first]
    assert len(stored(shop, order)) == 2 and len(codes()) == 2


def test_the_buyer_renames_an_attendee_and_the_organizer_sees_it(shop, buyer):
    order = shop.buy(buyer, shop.ticket(**FREE), 2)
    second = attendees(shop, order, buyer)[1]
    path = f"/orders/{order['id']}/attendees/{second['id']}"
    changed = shop.api.patch(path, {"name": "  Ada Lovelace ", "email": "ADA@Example.com"}, token=buyer)
    assert changed.status == 200, changed.json
    assert changed.json["name"] == "Ada Lovelace" and changed.json["email"] == "ada@example.com"
    seen = attendees(shop, order, shop.organizer)
    assert [a["name"] for a in seen] == ["Bea Buyer", "Ada Lovelace"]
    assert seen[1]["code"] == second["code"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"email": "nope"}, "email"),
        ({"code": "X"}, "code"),
        ({"name": "x" * 201}, "name"),
    ],
)
def test_bad_attendee_changes_are_422_and_change_nothing(shop, buyer, body, field):
    order = shop.buy(buyer, shop.ticket(**FREE), 1)
    attendee = attendees(shop, order, buyer)[0]
    response = shop.api.patch(f"/orders/{order['id']}/attendees/{attendee['id']}", body, token=buyer)
    assert response.status == 422 and field in response.json["error"]["details"], response.json
    assert attendees(shop, order, buyer) == [attendee]


def test_strangers_get_404_and_other_members_403(shop, buyer, signup):
    order = shop.buy(buyer, shop.ticket(**FREE), 1)
    attendee = attendees(shop, order, buyer)[0]
    stranger = signup("stranger@example.com")
    path = f"/orders/{order['id']}/attendees/{attendee['id']}"
    assert shop.api.get(f"/orders/{order['id']}/attendees", token=stranger).status == 404
    assert shop.api.patch(path, {"name": "Mallory"}, token=stranger).status == 404
    moderator = signup("mod@example.com")
    shop.add_member(moderator, "moderator")
    assert shop.api.patch(path, {"name": "Mallory"}, token=moderator).status == 403
    coorganizer = signup("co@example.com")
    shop.add_member(coorganizer, "coorganizer")
    assert shop.api.get(path, token=coorganizer).status == 200
    assert shop.api.patch(path, {"name": "Mallory"}, token=coorganizer).status == 403
    assert attendees(shop, order, buyer)[0]["name"] == "Bea Buyer"


@pytest.mark.parametrize("attendee_id", ["1", "x" * 40, "abc-1", "0" * 32 + "-1"])
def test_unknown_attendee_ids_are_404(shop, buyer, attendee_id):
    order = shop.buy(buyer, shop.ticket(**FREE), 1)
    response = shop.api.patch(f"/orders/{order['id']}/attendees/{attendee_id}", {"name": "A"}, token=buyer)
    assert response.status == 404, response.json
    assert shop.api.get(f"/orders/{order['id']}/attendees/{order['id']}-2", token=buyer).status == 404


def test_attendees_cannot_be_changed_once_the_event_started(shop, buyer, api):
    order = shop.buy(buyer, shop.ticket(**FREE), 1)
    attendee = attendees(shop, order, buyer)[0]
    from chalicelib.store.models.events import EventModel, event_pk

    event = EventModel.get(event_pk(shop.event_id), "EVENT")
    event.update(actions=[EventModel.starts_at.set((datetime.now(UTC) - timedelta(minutes=1)).isoformat())])
    response = shop.api.patch(
        f"/orders/{order['id']}/attendees/{attendee['id']}", {"name": "Late"}, token=buyer
    )
    assert response.status == 409 and response.error_code == "event_started"


def test_cancelling_a_free_order_revokes_its_attendees(shop, buyer):
    order = shop.buy(buyer, shop.ticket(**FREE), 2)
    assert shop.api.post(f"/orders/{order['id']}/cancel", token=shop.organizer).status == 200
    assert [a["status"] for a in attendees(shop, order, buyer)] == ["revoked", "revoked"]
    assert {a.status for a in stored(shop, order)} == {"revoked"}


def test_an_order_read_alone_carries_its_attendees(shop, buyer):
    order = shop.buy(buyer, shop.ticket(**FREE), 2)
    seen = shop.api.get(f"/orders/{order['id']}", token=buyer).json
    assert [a["id"] for a in seen["attendees"]] == [f"{order['id']}-1", f"{order['id']}-2"]
    by_organizer = shop.api.get(f"/events/{shop.event_id}/orders/{order['id']}", token=shop.organizer).json
    assert by_organizer["attendees"] == seen["attendees"]
    pending = shop.buy(buyer, shop.ticket(), 1)
    assert shop.api.get(f"/orders/{pending['id']}", token=buyer).json["attendees"] == []
    # Lists stay one query: no attendees there.
    assert "attendees" not in shop.api.get("/me/orders", token=buyer).json[0]
