"""Single tickets over HTTP: create / read / change / delete, validation as 422 with per-field
details, who may do what, ETags and If-Match, and tickets_ver bumping once per write."""

import pytest

from tests.api.conftest import EVENT
from tests.api.tickets_helpers import PAID, create, grant, hold, tickets_ver

# --- create and read ------------------------------------------------------------------------


def test_create_and_read_back(api, owner, tickets_path):
    created = api.post(tickets_path, {**PAID, "description": "Entry to all talks"}, token=owner)

    assert created.status == 201
    ticket = created.json
    assert ticket == {
        "id": ticket["id"],
        "name": "Standard",
        "type": "paid",
        "price": "12.50",
        "suggested_price": None,
        "quantity": 100,
        "description": "Entry to all talks",
        "sales_starts_at": None,
        "sales_ends_at": None,
        "min_order": 1,
        "max_order": 10,
        "hidden": False,
        "position": 0,
        "sold": 0,
        "available": 100,
    }
    assert api.get(f"{tickets_path}/{ticket['id']}", token=owner).json == ticket
    assert api.get(tickets_path, token=owner).json == [ticket]


def test_money_is_exact_in_and_out(api, owner, tickets_path):
    assert create(api, tickets_path, owner, name="A", price="19.99")["price"] == "19.99"
    assert create(api, tickets_path, owner, name="B", price="12.5")["price"] == "12.50"
    assert create(api, tickets_path, owner, name="C", price="0.10")["price"] == "0.10"
    response = api.post(
        tickets_path,
        {"name": "D", "type": "paid", "price": "0.10000000000000000001", "quantity": 5},
        token=owner,
    )
    assert response.status == 422 and response.json["error"]["details"] == {
        "price": "Use at most 2 decimals."
    }
    # NaN and Infinity are not JSON at all: refused before any rule looks at the price.
    for raw in (b'{"name": "E", "type": "paid", "price": NaN, "quantity": 5}', b'{"price": Infinity}'):
        response = api.post(tickets_path, raw=raw, token=owner)
        assert response.status == 400 and response.error_code == "malformed_json"
    assert [t["price"] for t in api.get(tickets_path, token=owner).json] == ["19.99", "12.50", "0.10"]


def test_free_and_donation_prices(api, owner, tickets_path):
    free = api.post(tickets_path, {"name": "Free", "type": "free", "quantity": 10}, token=owner).json
    donation = api.post(tickets_path, {"name": "Give", "type": "donation", "quantity": 10}, token=owner).json
    minimum = create(api, tickets_path, owner, name="Give more", type="donation", price="5")

    assert (free["price"], donation["price"], minimum["price"]) == ("0.00", "1.00", "5.00")


def test_a_donation_has_a_minimum_above_zero_and_may_suggest_an_amount(api, owner, tickets_path):
    zero = api.post(
        tickets_path, {"name": "Nothing", "type": "donation", "price": "0", "quantity": 5}, token=owner
    )
    below = api.post(
        tickets_path,
        {"name": "Low", "type": "donation", "price": "10", "suggested_price": "5", "quantity": 5},
        token=owner,
    )
    on_paid = api.post(tickets_path, {**PAID, "suggested_price": "20.00"}, token=owner)
    given = create(api, tickets_path, owner, name="Give", type="donation", price="5", suggested_price="25")

    assert zero.status == 422 and zero.json["error"]["details"] == {
        "price": "A donation's minimum must be more than 0."
    }
    assert below.json["error"]["details"] == {
        "suggested_price": "The suggested amount can't be below the minimum (10.00)."
    }
    assert on_paid.json["error"]["details"] == {
        "suggested_price": "Only donation tickets take a suggested amount."
    }
    assert (given["price"], given["suggested_price"]) == ("5.00", "25.00")
    assert [t["name"] for t in api.get(tickets_path, token=owner).json] == ["Give"]


def test_new_tickets_go_to_the_end_of_the_table(api, owner, tickets_path):
    for name in ("A", "B", "C"):
        create(api, tickets_path, owner, name=name)
    listed = api.get(tickets_path, token=owner).json
    assert [(t["name"], t["position"]) for t in listed] == [("A", 0), ("B", 1), ("C", 2)]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"type": "gold"}, "type"),
        ({"price": None}, "price"),
        ({"price": "0"}, "price"),
        ({"price": "12.345"}, "price"),
        ({"price": "-5"}, "price"),
        ({"price": "NaN"}, "price"),
        ({"type": "free", "price": "1"}, "price"),
        ({"type": "donation", "price": "-1"}, "price"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": "10"}, "quantity"),
        ({"quantity": 10.0}, "quantity"),
        ({"quantity": True}, "quantity"),
        ({"min_order": 0}, "min_order"),
        ({"min_order": 5, "max_order": 4}, "max_order"),
        ({"quantity": 5, "max_order": 6}, "max_order"),
        (
            {"sales_starts_at": "2027-04-02T00:00:00+00:00", "sales_ends_at": "2027-04-01T00:00:00+00:00"},
            "sales_ends_at",
        ),
        ({"sales_ends_at": "2027-05-04T00:00:00+02:00"}, "sales_ends_at"),
        ({"sales_starts_at": "2027-04-01T00:00:00"}, "sales_starts_at"),
        ({"sales_starts_at": "0001-01-01T00:00:00+00:00"}, "sales_starts_at"),
        ({"sales_starts_at": "2027-04-01T00:00:00+23:59"}, "sales_starts_at"),
        ({"sales_ends_at": "2027-04-01T00:00:00-14:01"}, "sales_ends_at"),
        ({"description": "x" * 2001}, "description"),
        ({"hidden": "true"}, "hidden"),
        ({"hidden": 1}, "hidden"),
        ({"sold": 5}, "sold"),
        ({"reserved": 5}, "reserved"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_create_validation(api, owner, tickets_path, fields, field):
    response = api.post(tickets_path, {**PAID, **fields}, token=owner)

    assert response.status == 422, response.json
    assert response.error_code == "validation_error"
    assert field in response.json["error"]["details"]
    assert api.get(tickets_path, token=owner).json == []


@pytest.mark.parametrize(
    "fields",
    [
        {"name": "x" * 100},
        {"price": "0.01"},
        {"type": "free", "price": "0.00"},
        {"type": "donation", "price": "0.01"},
        {"quantity": 1, "min_order": 1, "max_order": 1},
        {"min_order": 4, "max_order": 4},
        {"sales_starts_at": "2027-04-01T00:00:00+00:00", "sales_ends_at": EVENT["ends_at"]},
        {"description": "x" * 2000},
        {"hidden": True},
    ],
)
def test_create_boundaries_accepted(api, owner, tickets_path, fields):
    response = api.post(tickets_path, {**PAID, **fields}, token=owner)
    assert response.status == 201, response.json


def test_names_are_unique_ignoring_case(api, owner, tickets_path, make_event):
    create(api, tickets_path, owner, name="VIP")
    response = api.post(tickets_path, {**PAID, "name": " vip "}, token=owner)
    assert response.status == 422 and "name" in response.json["error"]["details"]
    # Another event may use the same name.
    other = make_event(owner)
    assert api.post(f"/events/{other['id']}/tickets", {**PAID, "name": "VIP"}, token=owner).status == 201


def test_bad_bodies_are_4xx_never_500(api, owner, tickets_path):
    assert api.post(tickets_path, raw=b"{nope", token=owner).status == 400
    assert api.post(tickets_path, raw=b"[]", token=owner).status == 400
    assert api.post(tickets_path, raw=b'{"quantity": 1' + b"0" * 5000 + b"}", token=owner).status == 400
    assert api.post(tickets_path, raw=b'{"quantity": 1e400}', token=owner).status == 422


def test_unknown_event_and_ticket_are_404(api, owner, tickets_path):
    assert api.get("/events/nope/tickets", token=owner).status == 404
    assert api.get(f"{tickets_path}/{'0' * 32}", token=owner).status == 404
    assert api.get(f"{tickets_path}/not-a-ticket-id", token=owner).status == 404
    assert api.get(f"{tickets_path}/{'x' * 2000}", token=owner).status == 404
    assert api.patch(f"{tickets_path}/{'0' * 32}", {"name": "X"}, token=owner).status == 404
    assert api.delete(f"{tickets_path}/{'0' * 32}", token=owner).status == 404


# --- change and delete ----------------------------------------------------------------------


def test_patch_changes_only_what_is_given(api, owner, tickets_path):
    ticket = create(api, tickets_path, owner, hidden=True, description="Kept")
    response = api.patch(f"{tickets_path}/{ticket['id']}", {"price": "15", "max_order": 20}, token=owner)

    assert response.status == 200, response.json
    assert response.json == {**ticket, "price": "15.00", "max_order": 20}
    assert api.get(f"{tickets_path}/{ticket['id']}", token=owner).json == response.json


def test_patch_validates_the_merged_ticket(api, owner, tickets_path):
    ticket = create(api, tickets_path, owner, quantity=100, max_order=10)
    item = f"{tickets_path}/{ticket['id']}"
    response = api.patch(item, {"quantity": 5}, token=owner)
    assert response.status == 422 and set(response.json["error"]["details"]) == {"max_order"}
    response = api.patch(item, {"type": "free"}, token=owner)
    assert response.status == 422 and set(response.json["error"]["details"]) == {"price"}
    assert api.patch(item, {"type": "free", "price": "0"}, token=owner).json["type"] == "free"
    assert api.patch(item, {"sold": 3}, token=owner).status == 422
    assert api.patch(item, {"id": "other"}, token=owner).status == 422
    assert api.get(item, token=owner).json["quantity"] == 100


def test_patch_rename_keeps_names_unique(api, owner, tickets_path):
    create(api, tickets_path, owner, name="VIP")
    other = create(api, tickets_path, owner, name="Standard")
    response = api.patch(f"{tickets_path}/{other['id']}", {"name": "Vip"}, token=owner)
    assert response.status == 422 and "name" in response.json["error"]["details"]
    # Changing only the case of its own name is fine.
    assert (
        api.patch(f"{tickets_path}/{other['id']}", {"name": "STANDARD"}, token=owner).json["name"]
        == "STANDARD"
    )


def test_patch_clears_the_sales_window_with_null(api, owner, tickets_path):
    ticket = create(api, tickets_path, owner, sales_starts_at="2027-01-01T00:00:00+00:00")
    response = api.patch(f"{tickets_path}/{ticket['id']}", {"sales_starts_at": None}, token=owner)
    assert response.status == 200 and response.json["sales_starts_at"] is None
    assert api.get(f"{tickets_path}/{ticket['id']}", token=owner).json["sales_starts_at"] is None


def test_quantity_never_below_sold_plus_reserved(api, owner, event, tickets_path):
    ticket = create(api, tickets_path, owner, quantity=100)
    hold(event, ticket["id"], sold=30, reserved=20)
    item = f"{tickets_path}/{ticket['id']}"

    response = api.patch(item, {"quantity": 49}, token=owner)
    assert response.status == 422
    assert "already sold or reserved" in response.json["error"]["details"]["quantity"]
    response = api.patch(item, {"quantity": 50}, token=owner)
    assert response.status == 200
    assert (response.json["quantity"], response.json["sold"], response.json["available"]) == (50, 30, 0)


def test_edits_never_touch_the_inventory_counters(api, owner, event, tickets_path):
    ticket = create(api, tickets_path, owner)
    hold(event, ticket["id"], sold=7, reserved=3)
    response = api.patch(f"{tickets_path}/{ticket['id']}", {"name": "Renamed", "quantity": 200}, token=owner)
    assert (response.json["sold"], response.json["available"]) == (7, 190)

    from chalicelib.store.tickets import get_ticket

    stored = get_ticket(event["id"], ticket["id"])
    assert (stored.sold, stored.reserved) == (7, 3)


def test_delete(api, owner, tickets_path):
    ticket = create(api, tickets_path, owner)
    assert api.delete(f"{tickets_path}/{ticket['id']}", token=owner).status == 204
    assert api.get(f"{tickets_path}/{ticket['id']}", token=owner).status == 404
    assert api.get(tickets_path, token=owner).json == []
    assert api.delete(f"{tickets_path}/{ticket['id']}", token=owner).status == 404


@pytest.mark.parametrize(("sold", "reserved"), [(1, 0), (0, 1)])
def test_a_held_ticket_cannot_be_deleted(api, owner, event, tickets_path, sold, reserved):
    ticket = create(api, tickets_path, owner)
    hold(event, ticket["id"], sold=sold, reserved=reserved)

    response = api.delete(f"{tickets_path}/{ticket['id']}", token=owner)
    assert response.status == 409 and response.error_code == "ticket_has_orders"
    assert api.get(f"{tickets_path}/{ticket['id']}", token=owner).status == 200


# --- versions, ETags, If-Match --------------------------------------------------------------


def test_tickets_ver_bumps_by_exactly_one_per_write(api, owner, event, tickets_path):
    start = tickets_ver(api, event, owner)
    event_ver = api.get(f"/events/{event['id']}/versions", token=owner).json["event_ver"]
    ticket = create(api, tickets_path, owner)
    assert tickets_ver(api, event, owner) == start + 1
    api.patch(f"{tickets_path}/{ticket['id']}", {"price": "20"}, token=owner)
    assert tickets_ver(api, event, owner) == start + 2
    api.patch(f"{tickets_path}/{ticket['id']}", {"name": "Renamed"}, token=owner)
    assert tickets_ver(api, event, owner) == start + 3
    api.delete(f"{tickets_path}/{ticket['id']}", token=owner)
    assert tickets_ver(api, event, owner) == start + 4
    # Failed writes change nothing.
    api.post(tickets_path, {**PAID, "price": "bad"}, token=owner)
    assert tickets_ver(api, event, owner) == start + 4
    assert api.get(f"/events/{event['id']}/versions", token=owner).json["event_ver"] == event_ver


def test_list_etag_follows_versions_and_a_304_reads_only_tickets(api, owner, tickets_path, dynamodb_calls):
    first = api.get(tickets_path, token=owner)
    etag = first.headers["etag"]
    with dynamodb_calls:
        again = api.get(tickets_path, token=owner, headers={"If-None-Match": etag})
    assert again.status == 304 and again.body == b"" and again.headers["etag"] == etag
    # Orders version the ticket items they write, not the event item (#21): the tag needs the
    # tickets' Query (no shard Query for a table with no split ticket), and no more.
    assert dynamodb_calls.calls == ["GetItem", "BatchGetItem", "Query"]

    create(api, tickets_path, owner)
    changed = api.get(tickets_path, token=owner, headers={"If-None-Match": etag})
    assert changed.status == 200 and changed.headers["etag"] != etag and len(changed.json) == 1


def test_ticket_etag_and_if_match(api, owner, tickets_path):
    ticket = create(api, tickets_path, owner)
    item = f"{tickets_path}/{ticket['id']}"
    etag = api.get(item, token=owner).headers["etag"]
    assert api.get(item, token=owner, headers={"If-None-Match": etag}).status == 304

    updated = api.patch(item, {"price": "20"}, token=owner, headers={"If-Match": etag})
    assert updated.status == 200
    new_etag = updated.headers["etag"]
    assert new_etag != etag and api.get(item, token=owner).headers["etag"] == new_etag

    stale = api.patch(item, {"price": "30"}, token=owner, headers={"If-Match": etag})
    assert stale.status == 412 and stale.error_code == "precondition_failed"
    assert api.delete(item, token=owner, headers={"If-Match": etag}).status == 412
    assert api.get(item, token=owner).json["price"] == "20.00"

    # A tag of the list (or of another ticket) is not this ticket's.
    list_etag = api.get(tickets_path, token=owner).headers["etag"]
    assert api.patch(item, {"price": "30"}, token=owner, headers={"If-Match": list_etag}).status == 412
    assert api.delete(item, token=owner, headers={"If-Match": new_etag}).status == 204


def test_only_this_tickets_etag_changes(api, owner, tickets_path):
    first, second = create(api, tickets_path, owner, name="A"), create(api, tickets_path, owner, name="B")
    second_etag = api.get(f"{tickets_path}/{second['id']}", token=owner).headers["etag"]
    api.patch(f"{tickets_path}/{first['id']}", {"price": "1"}, token=owner)
    assert (
        api.get(f"{tickets_path}/{second['id']}", token=owner, headers={"If-None-Match": second_etag}).status
        == 304
    )


def test_create_honours_if_match_on_the_list(api, owner, tickets_path):
    etag = api.get(tickets_path, token=owner).headers["etag"]
    assert (
        api.post(tickets_path, {**PAID, "name": "A"}, token=owner, headers={"If-Match": etag}).status == 201
    )
    stale = api.post(tickets_path, {**PAID, "name": "B"}, token=owner, headers={"If-Match": etag})
    assert stale.status == 412
    assert [t["name"] for t in api.get(tickets_path, token=owner).json] == ["A"]


def test_concurrent_creates_with_the_same_name_cannot_both_win(api, owner, event, tickets_path, monkeypatch):
    """The other save lands between our read of the table and our write: ours fails cleanly."""
    from chalicelib.store import tickets as store

    real_list = store.list_tickets
    interleaved = []

    def list_then_someone_else_saves(event_id):
        found = real_list(event_id)
        if not interleaved:
            interleaved.append(True)
            monkeypatch.setattr(store, "list_tickets", real_list)
            assert api.post(tickets_path, {**PAID, "name": "VIP"}, token=owner).status == 201
        return found

    monkeypatch.setattr(store, "list_tickets", list_then_someone_else_saves)
    response = api.post(tickets_path, {**PAID, "name": "vip"}, token=owner)

    assert response.status == 409 and response.error_code == "conflict"
    assert [t["name"] for t in api.get(tickets_path, token=owner).json] == ["VIP"]


def test_a_ticket_sold_while_being_deleted_stays(api, owner, event, tickets_path, monkeypatch):
    from chalicelib.store import tickets as store

    ticket = create(api, tickets_path, owner)
    real_get = store.get_ticket
    calls = []

    def get_then_an_order_lands(event_id, ticket_id):
        found = real_get(event_id, ticket_id)
        calls.append(ticket_id)
        if len(calls) == 1:
            hold(event, ticket_id, sold=1)
        return found

    monkeypatch.setattr(store, "get_ticket", get_then_an_order_lands)
    response = api.delete(f"{tickets_path}/{ticket['id']}", token=owner)
    monkeypatch.setattr(store, "get_ticket", real_get)

    assert response.status == 409
    assert api.get(f"{tickets_path}/{ticket['id']}", token=owner).json["sold"] == 1


# --- who may do what ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "may_write"),
    [("organizer", True), ("coorganizer", True), ("track_organizer", False), ("moderator", False)],
)
def test_event_roles(api, signup, owner, event, tickets_path, role, may_write):
    ticket = create(api, tickets_path, owner, name="Existing")
    member = signup()
    grant(api, member, event, role)
    item = f"{tickets_path}/{ticket['id']}"

    assert api.get(tickets_path, token=member).status == 200
    assert api.get(item, token=member).status == 200

    writes = [
        api.post(tickets_path, {**PAID, "name": "New"}, token=member),
        api.patch(item, {"price": "1"}, token=member),
        api.put(tickets_path, {"tickets": [{**PAID, "id": ticket["id"], "name": "Existing"}]}, token=member),
    ]
    expected = [201, 200, 200] if may_write else [403, 403, 403]
    assert [w.status for w in writes] == expected
    assert api.delete(item, token=member).status == (204 if may_write else 403)
    if not may_write:
        assert api.get(item, token=owner).json == ticket


@pytest.mark.parametrize("super_admin", [True, False])
def test_staff_read_and_write_any_event(api, make_staff, owner, tickets_path, super_admin):
    staff = make_staff("staff@example.com", super_admin=super_admin)
    ticket = create(api, tickets_path, staff)
    assert api.get(tickets_path, token=staff).status == 200
    assert api.patch(f"{tickets_path}/{ticket['id']}", {"hidden": True}, token=staff).json["hidden"] is True
    assert api.delete(f"{tickets_path}/{ticket['id']}", token=staff).status == 204


def test_no_role_and_no_token(api, signup, owner, tickets_path):
    ticket = create(api, tickets_path, owner)
    stranger = signup()
    item = f"{tickets_path}/{ticket['id']}"
    for token, status in ((stranger, 403), (None, 401)):
        assert api.get(tickets_path, token=token).status == status
        assert api.get(item, token=token).status == status
        assert api.post(tickets_path, {**PAID, "name": "X"}, token=token).status == status
        assert api.put(tickets_path, {"tickets": []}, token=token).status == status
        assert api.patch(item, {"price": "1"}, token=token).status == status
        assert api.delete(item, token=token).status == status
    assert api.get(tickets_path, token=owner).json == [ticket]


NUMBER_PRICE = 'Give the price as a decimal string such as "12.50" (a JSON string, not a number).'


@pytest.mark.parametrize("raw_price", [b"10.5", b"10", b"0", b"1e1"])
def test_a_json_number_is_no_price(api, owner, tickets_path, event, raw_price):
    raw = b'{"name": "N", "type": "paid", "price": %s, "quantity": 5}' % raw_price
    response = api.post(tickets_path, raw=raw, token=owner)
    assert response.status == 422
    assert response.json["error"]["details"] == {"price": NUMBER_PRICE}

    ticket = create(api, tickets_path, owner, name="Kept", price="12.00")
    changed = api.request(
        "PATCH", f"{tickets_path}/{ticket['id']}", raw=b'{"price": %s}' % raw_price, token=owner
    )
    assert changed.status == 422 and changed.json["error"]["details"] == {"price": NUMBER_PRICE}
    table = (
        b'{"tickets": [{"id": "%s", "name": "Kept", "type": "paid", "price": "12.00", "quantity": 100},'
        % (ticket["id"].encode())
        + b' {"name": "New", "type": "paid", "price": %s, "quantity": 5}]}' % raw_price
    )
    saved = api.put(tickets_path, raw=table, token=owner)
    assert saved.status == 422 and saved.json["error"]["details"] == {"tickets[1].price": NUMBER_PRICE}
    assert [(t["name"], t["price"]) for t in api.get(tickets_path, token=owner).json] == [("Kept", "12.00")]


def test_a_stored_price_survives_a_change_of_another_field(api, owner, tickets_path):
    ticket = create(api, tickets_path, owner, name="Kept", price="19.90")
    changed = api.patch(f"{tickets_path}/{ticket['id']}", {"quantity": 70}, token=owner)
    assert changed.status == 200, changed.json
    assert (changed.json["price"], changed.json["quantity"]) == ("19.90", 70)
