"""PUT /events/{id}/tickets: the wizard saves its whole table at once, all or nothing."""

from typing import Any

import pytest

from tests.api.tickets_helpers import PAID, create, hold, tickets_ver

READ_ONLY = ("sold", "available", "position")


def row(**fields: Any) -> dict:
    return {**PAID, **fields}


def editable(ticket: dict) -> dict:
    """What the wizard sends back of a ticket it read."""
    return {k: v for k, v in ticket.items() if k not in READ_ONLY}


def test_hidden_flags_true_false_true_are_kept_in_order(api, owner, tickets_path):
    response = api.put(
        tickets_path,
        {
            "tickets": [
                row(name="Early bird", hidden=True),
                row(name="Standard", hidden=False),
                row(name="Speaker", type="free", price="0", hidden=True),
            ]
        },
        token=owner,
    )

    assert response.status == 200, response.json
    listed = api.get(tickets_path, token=owner).json
    assert [(t["name"], t["hidden"], t["position"]) for t in listed] == [
        ("Early bird", True, 0),
        ("Standard", False, 1),
        ("Speaker", True, 2),
    ]
    assert response.json == listed
    for ticket in listed:
        assert api.get(f"{tickets_path}/{ticket['id']}", token=owner).json["hidden"] == ticket["hidden"]

    # Flip every flag through the same round trip the wizard does.
    flipped = [editable({**t, "hidden": not t["hidden"]}) for t in listed]
    assert api.put(tickets_path, {"tickets": flipped}, token=owner).status == 200
    again = api.get(tickets_path, token=owner).json
    assert [(t["id"], t["hidden"]) for t in again] == [
        (listed[0]["id"], False),
        (listed[1]["id"], True),
        (listed[2]["id"], False),
    ]


def test_an_omitted_hidden_means_unchecked(api, owner, tickets_path):
    ticket = create(api, tickets_path, owner, hidden=True)
    sent = {k: v for k, v in editable(ticket).items() if k != "hidden"}
    assert api.put(tickets_path, {"tickets": [sent]}, token=owner).json[0]["hidden"] is False


def test_update_create_and_delete_in_one_save(api, owner, tickets_path):
    keep = create(api, tickets_path, owner, name="Keep")
    drop = create(api, tickets_path, owner, name="Drop")
    change = create(api, tickets_path, owner, name="Change")

    response = api.put(
        tickets_path,
        {
            "tickets": [
                row(name="Brand new", type="donation", price="3"),
                editable({**change, "name": "Changed", "price": "99.90"}),
                editable(keep),
            ]
        },
        token=owner,
    )

    assert response.status == 200, response.json
    listed = api.get(tickets_path, token=owner).json
    assert [(t["name"], t["position"]) for t in listed] == [("Brand new", 0), ("Changed", 1), ("Keep", 2)]
    assert listed[1]["id"] == change["id"] and listed[1]["price"] == "99.90"
    assert listed[2] == {**keep, "position": 2}
    assert api.get(f"{tickets_path}/{drop['id']}", token=owner).status == 404
    assert response.json == listed


def test_one_invalid_ticket_changes_nothing(api, owner, event, tickets_path):
    first = create(api, tickets_path, owner, name="First")
    second = create(api, tickets_path, owner, name="Second")
    before, version = api.get(tickets_path, token=owner).json, tickets_ver(api, event, owner)

    response = api.put(
        tickets_path,
        {
            "tickets": [
                editable({**first, "name": "Renamed"}),
                row(name="New one"),
                row(name="Broken", price="12.345"),
            ]
        },
        token=owner,
    )

    assert response.status == 422
    assert response.json["error"]["details"] == {"tickets[2].price": "Use at most 2 decimals."}
    assert api.get(tickets_path, token=owner).json == before
    assert tickets_ver(api, event, owner) == version
    assert api.get(f"{tickets_path}/{second['id']}", token=owner).status == 200


def test_every_invalid_row_is_reported_by_index(api, owner, tickets_path):
    response = api.put(
        tickets_path,
        {"tickets": [row(name="A", quantity=0), row(name="B"), row(name="a", hidden="yes")]},
        token=owner,
    )
    assert response.status == 422
    assert set(response.json["error"]["details"]) == {
        "tickets[0].quantity",
        "tickets[2].name",
        "tickets[2].hidden",
    }


def test_a_failure_at_write_time_rolls_back_the_whole_table(api, owner, event, tickets_path, monkeypatch):
    """A ticket is sold between our read and our write: its delete fails, so nothing else is saved."""
    from chalicelib.store import tickets as store

    sold_later = create(api, tickets_path, owner, name="Sold later")
    keep = create(api, tickets_path, owner, name="Keep")
    before, version = api.get(tickets_path, token=owner).json, tickets_ver(api, event, owner)
    real_list = store.list_tickets

    def list_then_an_order_lands(event_id):
        found = real_list(event_id)
        hold(event, sold_later["id"], sold=1)
        return found

    monkeypatch.setattr(store, "list_tickets", list_then_an_order_lands)
    response = api.put(
        tickets_path, {"tickets": [editable({**keep, "price": "1"}), row(name="New")]}, token=owner
    )
    monkeypatch.setattr(store, "list_tickets", real_list)

    assert response.status == 409
    after = api.get(tickets_path, token=owner).json
    assert [(t["id"], t["price"]) for t in after] == [(t["id"], t["price"]) for t in before]
    assert after[0]["sold"] == 1
    assert tickets_ver(api, event, owner) == version


def test_a_concurrent_save_makes_the_later_one_fail_cleanly(api, owner, event, tickets_path, monkeypatch):
    from chalicelib.store import tickets as store

    create(api, tickets_path, owner, name="A")
    real_list = store.list_tickets

    def list_then_someone_else_saves(event_id):
        found = real_list(event_id)
        monkeypatch.setattr(store, "list_tickets", real_list)
        assert api.post(tickets_path, row(name="Theirs"), token=owner).status == 201
        return found

    monkeypatch.setattr(store, "list_tickets", list_then_someone_else_saves)
    response = api.put(tickets_path, {"tickets": [row(name="Mine")]}, token=owner)

    assert response.status == 409
    assert [t["name"] for t in api.get(tickets_path, token=owner).json] == ["A", "Theirs"]


def test_held_tickets_cannot_be_left_out(api, owner, event, tickets_path):
    held = create(api, tickets_path, owner, name="Held")
    hold(event, held["id"], reserved=2)
    before = api.get(tickets_path, token=owner).json

    response = api.put(tickets_path, {"tickets": [row(name="Other")]}, token=owner)

    assert response.status == 409 and response.error_code == "ticket_has_orders"
    assert held["id"] in response.json["error"]["details"]
    assert api.get(tickets_path, token=owner).json == before


def test_quantity_never_below_what_is_held(api, owner, event, tickets_path):
    held = create(api, tickets_path, owner, name="Held", quantity=100)
    hold(event, held["id"], sold=40, reserved=5)
    sent = editable({**held, "quantity": 44})
    response = api.put(tickets_path, {"tickets": [sent]}, token=owner)
    assert response.status == 422 and set(response.json["error"]["details"]) == {"tickets[0].quantity"}
    saved = api.put(tickets_path, {"tickets": [{**sent, "quantity": 45}]}, token=owner)
    assert saved.status == 200 and (saved.json[0]["quantity"], saved.json[0]["available"]) == (45, 0)


def test_names_unique_after_the_change(api, owner, tickets_path):
    one, two = create(api, tickets_path, owner, name="One"), create(api, tickets_path, owner, name="Two")
    swapped = [editable({**one, "name": "Two"}), editable({**two, "name": "One"})]
    assert [t["name"] for t in api.put(tickets_path, {"tickets": swapped}, token=owner).json] == [
        "Two",
        "One",
    ]
    # A name freed by a deleted ticket can be reused in the same save.
    assert api.put(tickets_path, {"tickets": [row(name="two")]}, token=owner).status == 200
    duplicate = api.put(tickets_path, {"tickets": [row(name="Same"), row(name="SAME")]}, token=owner)
    assert duplicate.status == 422 and set(duplicate.json["error"]["details"]) == {"tickets[1].name"}


def test_rows_must_name_tickets_of_this_event(api, owner, tickets_path, make_event):
    other_event = make_event(owner)
    theirs = create(api, f"/events/{other_event['id']}/tickets", owner, name="Theirs")
    response = api.put(tickets_path, {"tickets": [editable(theirs)]}, token=owner)
    assert response.status == 422 and set(response.json["error"]["details"]) == {"tickets[0].id"}
    assert api.get(f"/events/{other_event['id']}/tickets/{theirs['id']}", token=owner).json == theirs


def test_read_only_fields_are_refused(api, owner, tickets_path):
    ticket = create(api, tickets_path, owner)
    response = api.put(tickets_path, {"tickets": [ticket]}, token=owner)
    assert response.status == 422
    assert set(response.json["error"]["details"]) == {
        "tickets[0].sold",
        "tickets[0].available",
        "tickets[0].position",
    }


def test_more_than_99_tickets_are_refused(api, owner, event, tickets_path):
    too_many = [row(name=f"T{i}", quantity=1) for i in range(100)]
    response = api.put(tickets_path, {"tickets": too_many}, token=owner)
    assert response.status == 422 and "at most 99" in response.json["error"]["details"]["tickets"]
    assert api.get(tickets_path, token=owner).json == []

    saved = api.put(tickets_path, {"tickets": too_many[:99]}, token=owner)
    assert saved.status == 200 and len(api.get(tickets_path, token=owner).json) == 99
    assert tickets_ver(api, event, owner) == 1
    response = api.post(tickets_path, row(name="One more"), token=owner)
    assert response.status == 422 and "tickets" in response.json["error"]["details"]


def test_empty_table_deletes_every_ticket(api, owner, tickets_path):
    create(api, tickets_path, owner, name="A")
    create(api, tickets_path, owner, name="B")
    assert api.put(tickets_path, {"tickets": []}, token=owner).json == []
    assert api.get(tickets_path, token=owner).json == []


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"{bad", 400),
        (b"[]", 400),
        (b'{"tickets": {}}', 422),
        (b'{"tickets": [1]}', 422),
        (b'{"tickets": [], "more": 1}', 422),
        (b"{}", 422),
    ],
)
def test_bad_bodies(api, owner, tickets_path, raw, status):
    assert api.put(tickets_path, raw=raw, token=owner).status == status


def test_tickets_ver_bumps_by_exactly_one_per_save(api, owner, event, tickets_path):
    start = tickets_ver(api, event, owner)
    saved = api.put(
        tickets_path, {"tickets": [row(name="A"), row(name="B"), row(name="C")]}, token=owner
    ).json
    assert tickets_ver(api, event, owner) == start + 1
    api.put(
        tickets_path, {"tickets": [editable({**saved[0], "price": "1"}), editable(saved[2])]}, token=owner
    )
    assert tickets_ver(api, event, owner) == start + 2
    # Saving the table unchanged writes nothing.
    unchanged = [editable(t) for t in api.get(tickets_path, token=owner).json]
    assert api.put(tickets_path, {"tickets": unchanged}, token=owner).status == 200
    assert tickets_ver(api, event, owner) == start + 2


def test_if_match(api, owner, event, tickets_path):
    create(api, tickets_path, owner, name="A")
    etag = api.get(tickets_path, token=owner).headers["etag"]

    saved = api.put(tickets_path, {"tickets": [row(name="B")]}, token=owner, headers={"If-Match": etag})
    assert saved.status == 200
    new_etag = saved.headers["etag"]
    assert new_etag != etag and api.get(tickets_path, token=owner).headers["etag"] == new_etag
    before, version = api.get(tickets_path, token=owner).json, tickets_ver(api, event, owner)

    stale = api.put(tickets_path, {"tickets": [row(name="C")]}, token=owner, headers={"If-Match": etag})
    assert stale.status == 412 and stale.error_code == "precondition_failed"
    assert api.get(tickets_path, token=owner).json == before
    assert tickets_ver(api, event, owner) == version

    ticket_etag = api.get(f"{tickets_path}/{before[0]['id']}", token=owner).headers["etag"]
    wrong = api.put(tickets_path, {"tickets": []}, token=owner, headers={"If-Match": ticket_etag})
    assert wrong.status == 412
    assert api.put(tickets_path, {"tickets": []}, token=owner, headers={"If-Match": "*"}).status == 200


def test_a_save_racing_an_if_match_save_gets_412(api, owner, event, tickets_path, monkeypatch):
    from chalicelib.store import tickets as store

    etag = api.get(tickets_path, token=owner).headers["etag"]
    real_list = store.list_tickets

    def list_then_someone_else_saves(event_id):
        found = real_list(event_id)
        monkeypatch.setattr(store, "list_tickets", real_list)
        assert api.post(tickets_path, row(name="Theirs"), token=owner).status == 201
        return found

    monkeypatch.setattr(store, "list_tickets", list_then_someone_else_saves)
    response = api.put(tickets_path, {"tickets": [row(name="Mine")]}, token=owner, headers={"If-Match": etag})

    assert response.status == 412
    assert [t["name"] for t in api.get(tickets_path, token=owner).json] == ["Theirs"]
