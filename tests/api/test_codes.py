"""Access and discount codes: managing them, unlocking hidden tickets, pricing (percent, amount,
rounded to the currency), max_uses under concurrent buyers, uses given back exactly once, codes
of one event useless on another, and bad input."""

import threading
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest

from tests.api.orders_helpers import FREE


@pytest.fixture
def buyer(signup):
    return signup("buyer@example.com", name="Bea Buyer")


def make_code(shop, token=None, **fields):
    response = shop.api.post(
        f"/events/{shop.event_id}/codes", {"code": "SAVE10", **fields}, token=token or shop.organizer
    )
    assert response.status == 201, response.json
    return response.json


def order(shop, token, items, code=None, key=None):
    body = {"items": items, **({"code": code} if code is not None else {})}
    return shop.api.post(
        f"/events/{shop.event_id}/orders",
        body,
        token=token,
        headers={"Idempotency-Key": key or uuid.uuid4().hex},
    )


def uses(shop, code) -> int:
    return shop.api.get(f"/events/{shop.event_id}/codes/{code['id']}", token=shop.organizer).json["uses"]


# --- managing codes --------------------------------------------------------------------------


def test_an_organizer_creates_lists_changes_and_deletes_a_code(shop):
    made = make_code(shop, code="early-Bird_10", discount={"percent": "10"}, max_uses=5)
    assert made["code"] == "EARLY-BIRD_10" and made["uses"] == 0 and made["ticket_ids"] is None
    assert made["discount"] == {"percent": "10"} and made["unlocks_hidden"] is False
    listed = shop.api.get(f"/events/{shop.event_id}/codes", token=shop.organizer).json
    assert [c["id"] for c in listed] == [made["id"]]

    path = f"/events/{shop.event_id}/codes/{made['id']}"
    changed = shop.api.patch(path, {"code": "EARLY20", "discount": {"percent": "20"}}, token=shop.organizer)
    assert changed.status == 200, changed.json
    assert (changed.json["code"], changed.json["discount"], changed.json["max_uses"]) == (
        "EARLY20",
        {"percent": "20"},
        5,
    )
    # The old name is free again, the new one taken.
    assert (
        shop.api.post(
            f"/events/{shop.event_id}/codes",
            {"code": "early-bird_10", "discount": {"percent": "5"}},
            token=shop.organizer,
        ).status
        == 201
    )
    assert shop.api.delete(path, token=shop.organizer).status == 204
    assert shop.api.get(path, token=shop.organizer).status == 404
    assert shop.api.delete(path, token=shop.organizer).status == 404


def test_codes_are_unique_per_event_whatever_their_case(shop, api, signup, make_event):
    make_code(shop, discount={"percent": "10"})
    again = shop.api.post(
        f"/events/{shop.event_id}/codes", {"code": "save10", "unlocks_hidden": True}, token=shop.organizer
    )
    assert again.status == 422 and again.json["error"]["details"] == {
        "code": "A code with this name exists in this event."
    }
    other = make_event(shop.organizer)
    assert (
        api.post(
            f"/events/{other['id']}/codes", {"code": "save10", "unlocks_hidden": True}, token=shop.organizer
        ).status
        == 201
    )
    second = make_code(shop, code="OTHER", discount={"percent": "5"})
    renamed = shop.api.patch(
        f"/events/{shop.event_id}/codes/{second['id']}", {"code": "Save10"}, token=shop.organizer
    )
    assert renamed.status == 422 and "code" in renamed.json["error"]["details"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "ab", "unlocks_hidden": True}, "code"),
        ({"code": "has space", "unlocks_hidden": True}, "code"),
        ({"code": "X" * 41, "unlocks_hidden": True}, "code"),
        ({"code": "OKAY"}, "discount"),
        ({"code": "OKAY", "discount": {"percent": "101"}}, "discount"),
        ({"code": "OKAY", "discount": {"percent": "0"}}, "discount"),
        ({"code": "OKAY", "discount": {"amount": "1.005"}}, "discount"),
        ({"code": "OKAY", "discount": {"amount": "5", "percent": "5"}}, "discount"),
        ({"code": "OKAY", "discount": {"amount": 5}}, "discount"),
        ({"code": "OKAY", "unlocks_hidden": True, "ticket_ids": ["nope"]}, "ticket_ids[0]"),
        ({"code": "OKAY", "unlocks_hidden": True, "max_uses": 0}, "max_uses"),
        (
            {
                "code": "OKAY",
                "unlocks_hidden": True,
                "valid_from": "2027-05-02T10:00:00+00:00",
                "valid_until": "2027-05-01T10:00:00+00:00",
            },
            "valid_until",
        ),
        ({"code": "OKAY", "unlocks_hidden": True, "colour": "red"}, "colour"),
    ],
)
def test_bad_codes_are_422_with_the_field_and_nothing_is_stored(shop, body, field):
    shop.ticket()
    response = shop.api.post(f"/events/{shop.event_id}/codes", body, token=shop.organizer)
    assert response.status == 422, response.json
    assert field in response.json["error"]["details"], response.json
    assert shop.api.get(f"/events/{shop.event_id}/codes", token=shop.organizer).json == []


def test_an_amount_off_has_at_most_the_currencys_decimals(api, signup, make_event):
    organizer = signup()
    event = make_event(organizer, currency="JPY")
    response = api.post(
        f"/events/{event['id']}/codes", {"code": "YEN", "discount": {"amount": "100.50"}}, token=organizer
    )
    assert response.status == 422 and "JPY" in response.json["error"]["details"]["discount"]


def test_who_may_manage_codes(shop, signup):
    co, moderator, stranger = signup("co@example.com"), signup("mod@example.com"), signup("x@example.com")
    shop.add_member(co, "coorganizer")
    shop.add_member(moderator, "moderator")
    made = make_code(shop, token=co, unlocks_hidden=True)
    path = f"/events/{shop.event_id}/codes"
    assert shop.api.get(path, token=moderator).status == 403
    assert shop.api.post(path, {"code": "MINE", "unlocks_hidden": True}, token=moderator).status == 403
    # The event is published: everyone knows it exists, only its team may see its codes.
    assert shop.api.get(path, token=stranger).status == 403
    assert shop.api.delete(f"{path}/{made['id']}", token=stranger).status == 403
    assert uses(shop, made) == 0
    assert shop.api.get(path).status == 401


def test_lowering_max_uses_below_the_uses_is_refused(shop, buyer):
    ticket = shop.ticket(quantity=10)
    made = make_code(shop, discount={"percent": "10"}, max_uses=5)
    for _ in range(2):
        assert order(shop, buyer, [{"ticket_id": ticket["id"], "quantity": 1}], "SAVE10").status == 201
    response = shop.api.patch(
        f"/events/{shop.event_id}/codes/{made['id']}", {"max_uses": 1}, token=shop.organizer
    )
    assert response.status == 422 and response.json["error"]["details"] == {
        "max_uses": "This code was used 2 times already."
    }


def test_bulk_makes_distinct_random_codes_and_the_csv_lists_their_uses(shop, buyer):
    ticket = shop.ticket()
    response = shop.api.post(
        f"/events/{shop.event_id}/codes/bulk",
        {"prefix": "vip-", "count": 60, "discount": {"amount": "2.00"}},
        token=shop.organizer,
    )
    assert response.status == 201, response.json
    names = [c["code"] for c in response.json]
    assert len(set(names)) == 60 and all(n.startswith("VIP-") and len(n) == 12 for n in names)
    assert order(shop, buyer, [{"ticket_id": ticket["id"], "quantity": 1}], names[0].lower()).status == 201
    csv = shop.api.get(f"/events/{shop.event_id}/codes.csv", token=shop.organizer)
    assert csv.status == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.body.decode().splitlines()
    assert lines[0] == "code,unlocks_hidden,discount,tickets,max_uses,uses,valid_from,valid_until"
    assert f"{names[0]},no,2.00,all,,1,," in lines and len(lines) == 61
    assert (
        shop.api.post(
            f"/events/{shop.event_id}/codes/bulk",
            {"count": 501, "unlocks_hidden": True},
            token=shop.organizer,
        ).status
        == 422
    )


# --- unlocking and pricing -------------------------------------------------------------------


def test_a_hidden_ticket_opens_with_a_code_that_unlocks_it(shop, buyer):
    hidden = shop.ticket(name="Crew", hidden=True, price="0", type="free")
    make_code(shop, code="CREW", unlocks_hidden=True, ticket_ids=[hidden["id"]])
    page = shop.api.get(f"/public/events/{shop.event_id}")
    assert hidden["id"] not in [t["id"] for t in page.json["tickets"]]
    with_code = shop.api.get(f"/public/events/{shop.event_id}?code=crew")
    assert with_code.status == 200 and hidden["id"] in [t["id"] for t in with_code.json["tickets"]]
    assert with_code.headers["etag"] != page.headers["etag"]

    refused = order(shop, buyer, [{"ticket_id": hidden["id"], "quantity": 1}])
    assert refused.status == 422 and "items[0].ticket_id" in refused.json["error"]["details"]
    placed = order(shop, buyer, [{"ticket_id": hidden["id"], "quantity": 1}], "Crew")
    assert placed.status == 201, placed.json
    assert (placed.json["status"], placed.json["code"]) == ("completed", "CREW")


def test_a_code_unlocking_other_tickets_does_not_open_this_one(shop, buyer):
    hidden, other = shop.ticket(name="Crew", hidden=True), shop.ticket(name="Press", hidden=True)
    make_code(shop, code="PRESS", unlocks_hidden=True, ticket_ids=[other["id"]])
    refused = order(shop, buyer, [{"ticket_id": hidden["id"], "quantity": 1}], "PRESS")
    assert refused.status == 422 and "items[0].ticket_id" in refused.json["error"]["details"]


@pytest.mark.parametrize(
    ("discount", "unit"),
    [
        ({"percent": "15"}, "10.63"),
        ({"percent": "100"}, "0.00"),
        ({"amount": "2.50"}, "10.00"),
        ({"amount": "20.00"}, "0.00"),
    ],
)
def test_discounts_come_off_each_ticket_rounded_to_the_currency_and_never_below_zero(
    shop, buyer, discount, unit
):
    ticket = shop.ticket(price="12.50")
    make_code(shop, discount=discount)
    page = shop.api.get(f"/public/events/{shop.event_id}?code=save10").json
    assert next(t for t in page["tickets"] if t["id"] == ticket["id"])["price_with_code"] == unit

    placed = order(shop, buyer, [{"ticket_id": ticket["id"], "quantity": 2}], "SAVE10")

    assert placed.status == 201, placed.json
    (line,) = placed.json["items"]
    assert (line["unit_price"], line["list_price"]) == (unit, "12.50")
    assert placed.json["total"] == format(2 * float(unit), ".2f")
    assert placed.json["status"] == ("completed" if unit == "0.00" else "pending")


def test_a_yen_percentage_rounds_to_whole_yen(api, signup, make_event, buyer):
    from tests.api.orders_helpers import Shop

    organizer = signup()
    event = make_event(organizer, currency="JPY")
    assert api.patch(f"/events/{event['id']}", {"state": "published"}, token=organizer).status == 200
    shop = Shop(api, organizer, event)
    ticket = shop.ticket(price="1005")
    make_code(shop, discount={"percent": "10"})
    placed = order(shop, buyer, [{"ticket_id": ticket["id"], "quantity": 1}], "SAVE10")
    assert placed.json["items"][0]["unit_price"] == "905"


def test_only_the_covered_paid_tickets_are_discounted(shop, buyer):
    covered, other = shop.ticket(price="10.00"), shop.ticket(name="Other", price="10.00")
    donation = shop.ticket(name="Gift", type="donation", price="5.00")
    make_code(shop, discount={"amount": "3.00"}, ticket_ids=[covered["id"], donation["id"]])
    placed = order(
        shop,
        buyer,
        [
            {"ticket_id": covered["id"], "quantity": 1},
            {"ticket_id": other["id"], "quantity": 1},
            {"ticket_id": donation["id"], "quantity": 1, "amount": "8.00"},
        ],
        "SAVE10",
    )
    assert placed.status == 201, placed.json
    assert [line["unit_price"] for line in placed.json["items"]] == ["7.00", "10.00", "8.00"]
    assert placed.json["total"] == "25.00"


@pytest.mark.parametrize("text", ["NOPE", "ab", "x" * 300, "bad code!"])
def test_unknown_or_malformed_codes_are_422_invalid_code(shop, buyer, text):
    ticket = shop.ticket()
    page = shop.api.get(f"/public/events/{shop.event_id}?{urlencode({'code': text})}")
    assert (page.status, page.error_code) == (422, "invalid_code")
    placed = order(shop, buyer, [{"ticket_id": ticket["id"], "quantity": 1}], text)
    assert placed.status == 422
    assert shop.counters(ticket)["held"] == 0


def test_codes_of_one_event_are_useless_on_another(shop, buyer, api, signup, make_event):
    from tests.api.orders_helpers import make_shop

    other = make_shop(api, signup, make_event)
    ticket = other.ticket()
    make_code(shop, discount={"percent": "50"})
    placed = order(other, buyer, [{"ticket_id": ticket["id"], "quantity": 1}], "SAVE10")
    assert (placed.status, placed.error_code) == (422, "invalid_code")
    assert api.get(f"/public/events/{other.event_id}?code=SAVE10").error_code == "invalid_code"


def test_a_code_outside_its_window_or_used_up_is_refused_with_the_reason(shop, buyer, signup):
    ticket = shop.ticket(quantity=10)
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    earlier = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    make_code(shop, code="SOON", discount={"percent": "5"}, valid_from=later)
    make_code(shop, code="OVER", discount={"percent": "5"}, valid_until=earlier)
    make_code(shop, code="ONCE", discount={"percent": "5"}, max_uses=1)
    item = [{"ticket_id": ticket["id"], "quantity": 1}]
    assert order(shop, buyer, item, "SOON").json["error"]["details"]["code"] == "This code is not valid yet."
    assert order(shop, buyer, item, "OVER").json["error"]["details"]["code"] == "This code has expired."
    assert order(shop, buyer, item, "ONCE").status == 201
    used_up = order(shop, signup("two@example.com"), item, "ONCE")
    assert used_up.json["error"]["details"]["code"] == "This code has been used up."
    assert shop.api.get(f"/public/events/{shop.event_id}?code=ONCE").error_code == "invalid_code"


def test_the_same_key_with_another_code_is_a_reused_key(shop, buyer):
    ticket = shop.ticket()
    make_code(shop, discount={"percent": "10"})
    item = [{"ticket_id": ticket["id"], "quantity": 1}]
    first = order(shop, buyer, item, "SAVE10", key="k1")
    again = order(shop, buyer, item, "save10", key="k1")
    other = order(shop, buyer, item, None, key="k1")
    assert first.status == 201 and again.json["id"] == first.json["id"]
    assert other.error_code == "idempotency_key_reused"


# --- max_uses under load, uses given back ----------------------------------------------------


def test_thirty_concurrent_buyers_get_exactly_max_uses(shop, signup, threaded_app):
    ticket = shop.ticket(quantity=100)
    made = make_code(shop, discount={"percent": "10"}, max_uses=10)
    buyers = [signup(f"b{n}@example.com") for n in range(30)]
    start = threading.Barrier(30)
    answers: list = []

    def buy(token: str) -> None:
        start.wait()
        answers.append(order(shop, token, [{"ticket_id": ticket["id"], "quantity": 1}], "SAVE10"))

    threads = [threading.Thread(target=buy, args=(token,)) for token in buyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = sorted(a.status for a in answers)
    assert statuses == [201] * 10 + [422] * 20, [a.json for a in answers if a.status not in (201, 422)]
    assert {a.error_code for a in answers if a.status == 422} == {"invalid_code"}
    assert uses(shop, made) == 10
    assert shop.counters(ticket)["held"] == 10


def test_a_cancelled_order_gives_its_use_back_once(shop, buyer):
    ticket = shop.ticket(quantity=10)
    made = make_code(shop, discount={"percent": "10"}, max_uses=1)
    placed = order(shop, buyer, [{"ticket_id": ticket["id"], "quantity": 1}], "SAVE10").json
    assert uses(shop, made) == 1
    assert shop.api.post(f"/orders/{placed['id']}/cancel", token=buyer).status == 200
    assert shop.api.post(f"/orders/{placed['id']}/cancel", token=buyer).status == 409
    assert uses(shop, made) == 0
    assert order(shop, buyer, [{"ticket_id": ticket["id"], "quantity": 1}], "SAVE10").status == 201


def test_an_expired_order_gives_its_use_back(shop, buyer):
    from chalicelib.services.orders import sweep_expired_orders

    ticket = shop.ticket(quantity=10)
    made = make_code(shop, discount={"percent": "10"})
    order(shop, buyer, [{"ticket_id": ticket["id"], "quantity": 1}], "SAVE10")
    assert sweep_expired_orders(datetime.now(UTC) + timedelta(hours=2)) == 1
    assert sweep_expired_orders(datetime.now(UTC) + timedelta(hours=2)) == 0
    assert uses(shop, made) == 0


def test_a_free_order_cancelled_and_a_paid_one_refunded_give_their_uses_back(shop, buyer):
    free, paid = shop.ticket(**FREE), shop.ticket(quantity=5)
    made = make_code(shop, unlocks_hidden=True, discount={"percent": "10"})
    first = order(shop, buyer, [{"ticket_id": free["id"], "quantity": 1}], "SAVE10").json
    second = order(shop, buyer, [{"ticket_id": paid["id"], "quantity": 1}], "SAVE10").json
    assert (
        shop.api.post(f"/events/{shop.event_id}/orders/{second['id']}/mark-paid", token=shop.organizer).status
        == 200
    )
    assert uses(shop, made) == 2
    assert shop.api.post(f"/orders/{first['id']}/cancel", token=shop.organizer).status == 200
    refund = shop.api.post(f"/events/{shop.event_id}/orders/{second['id']}/refunds", {}, token=shop.organizer)
    assert refund.status == 201 and refund.json["amount"] == "11.25"
    assert uses(shop, made) == 0


def test_a_deleted_code_cannot_be_used_and_its_orders_still_give_back(shop, buyer):
    ticket = shop.ticket(quantity=5)
    made = make_code(shop, discount={"percent": "10"})
    placed = order(shop, buyer, [{"ticket_id": ticket["id"], "quantity": 1}], "SAVE10").json
    assert shop.api.delete(f"/events/{shop.event_id}/codes/{made['id']}", token=shop.organizer).status == 204
    assert (
        order(shop, buyer, [{"ticket_id": ticket["id"], "quantity": 1}], "SAVE10").error_code
        == "invalid_code"
    )
    assert shop.api.post(f"/orders/{placed['id']}/cancel", token=buyer).status == 200
    assert shop.counters(ticket)["held"] == 0


def test_lowering_max_uses_while_an_order_takes_one_never_leaves_more_uses_than_the_limit(
    shop, buyer, meanwhile
):
    ticket = shop.ticket(quantity=10)
    made = make_code(shop, discount={"percent": "10"}, max_uses=5)
    item = [{"ticket_id": ticket["id"], "quantity": 1}]
    assert order(shop, buyer, item, "SAVE10").status == 201
    happened = meanwhile("TransactWriteItems", lambda: order(shop, buyer, item, "SAVE10").status)

    changed = shop.api.patch(
        f"/events/{shop.event_id}/codes/{made['id']}", {"max_uses": 1}, token=shop.organizer
    )

    assert happened == [201]
    assert changed.status == 422 and changed.json["error"]["details"] == {
        "max_uses": "This code was used 2 times already."
    }
    stored = shop.api.get(f"/events/{shop.event_id}/codes/{made['id']}", token=shop.organizer).json
    assert (stored["uses"], stored["max_uses"]) == (2, 5)


def test_codes_that_do_not_work_are_throttled_per_address_and_a_working_one_costs_nothing(shop, buyer, api):
    ticket = shop.ticket(quantity=50)
    make_code(shop, code="VIP2027", unlocks_hidden=True)
    for _ in range(25):
        assert api.get(f"/public/events/{shop.event_id}?code=VIP2027").status == 200
    answers = [api.get(f"/public/events/{shop.event_id}?code=GUESS{n:04d}") for n in range(21)]
    assert [a.status for a in answers] == [422] * 20 + [429]
    assert answers[-1].headers.get("retry-after")
    # Ordering counts against the buyer's account, not the address.
    item = [{"ticket_id": ticket["id"], "quantity": 1}]
    assert order(shop, buyer, item, "VIP2027").status == 201


@pytest.mark.parametrize(("field", "value"), [("code", "-SAVE"), ("code", "_SAVE"), ("prefix", "-")])
def test_a_code_starts_with_a_letter_or_digit_so_a_spreadsheet_shows_it_as_typed(shop, field, value):
    body = (
        {"code": value, "unlocks_hidden": True}
        if field == "code"
        else {"prefix": value, "count": 2, "unlocks_hidden": True}
    )
    path = f"/events/{shop.event_id}/codes" + ("" if field == "code" else "/bulk")
    response = shop.api.post(path, body, token=shop.organizer)
    assert response.status == 422 and field in response.json["error"]["details"], response.json
