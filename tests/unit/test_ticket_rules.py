"""The ticket rules (chalicelib.domain.tickets): every rule with a failing and a passing case."""

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from chalicelib.domain.errors import ConflictError, ValidationError
from chalicelib.domain.ticket_table import ExistingTicket, plan_ticket_table
from chalicelib.domain.tickets import (
    MONEY_PATTERN,
    available,
    name_key,
    parse_price,
    sales_open,
    validate_new_ticket,
    validate_ticket_change,
)

EVENT_ENDS = "2027-05-03T18:00:00+02:00"
PAID = {"name": "Standard", "type": "paid", "price": "12.50", "quantity": 100}


def new(overrides: dict[str, Any] | None = None, taken: set[str] | None = None, **fields: Any) -> dict:
    payload = {**PAID, **(overrides or {}), **fields}
    return validate_new_ticket({k: v for k, v in payload.items() if v is not ...}, EVENT_ENDS, taken or set())


def errors_of(overrides: dict[str, Any] | None = None, taken: set[str] | None = None, **fields: Any) -> dict:
    with pytest.raises(ValidationError) as caught:
        new(overrides, taken, **fields)
    return caught.value.details


# --- name -----------------------------------------------------------------------------------


def test_name_is_required_and_trimmed() -> None:
    assert "name" in errors_of(name=...)
    assert "name" in errors_of(name="   ")
    assert "name" in errors_of(name=None)
    assert "name" in errors_of(name=42)
    assert new(name="  Early bird  ")["name"] == "Early bird"


def test_name_is_at_most_100_characters() -> None:
    assert errors_of(name="x" * 101)["name"] == "Use at most 100 characters."
    assert new(name="x" * 100)["name"] == "x" * 100


def test_name_is_unique_ignoring_case() -> None:
    assert "name" in errors_of(name="VIP", taken={name_key("vip")})
    assert "name" in errors_of(name="STRASSE", taken={name_key("Straße")})
    assert new(name="VIP", taken={name_key("VIP pass")})["name"] == "VIP"


# --- type and price -------------------------------------------------------------------------


def test_type_must_be_free_paid_or_donation() -> None:
    assert errors_of(type="gold")["type"] == "Use one of free, paid, donation."
    assert "type" in errors_of(type=...)
    assert "type" in errors_of(type="PAID")
    for ticket_type in ("free", "paid", "donation"):
        assert new(type=ticket_type, price="0" if ticket_type == "free" else "5")["type"] == ticket_type


def test_paid_needs_a_price_above_zero() -> None:
    assert errors_of(price=...)["price"] == "A paid ticket needs a price."
    assert errors_of(price="0")["price"] == "A paid ticket must cost more than 0."
    assert errors_of(price="0.00")["price"] == "A paid ticket must cost more than 0."
    assert new(price="0.01")["price"] == Decimal("0.01")


def test_price_has_at_most_two_decimals() -> None:
    assert errors_of(price="12.505")["price"] == "Use at most 2 decimals."
    assert errors_of(price="12.500")["price"] == "Use at most 2 decimals."
    assert new(price="12.5")["price"] == Decimal("12.50")
    assert str(new(price="12.5")["price"]) == "12.50"
    assert str(new(price="12")["price"]) == "12.00"


NOT_A_STRING = 'Give the price as a decimal string such as "12.50" (a JSON string, not a number).'


def test_price_is_a_string_never_a_number() -> None:
    for number in (12, 0, -1, 12.5, float("nan"), float("inf"), Decimal("19.99"), Decimal("NaN"), True):
        assert errors_of(price=number)["price"] == NOT_A_STRING, number
    assert errors_of(price=["12"])["price"] == NOT_A_STRING


def test_price_text_is_plain_digits() -> None:
    for text in ("NaN", "Infinity", "1e2", "12,50", "", " ", "+5", "0x10", "١٢", "12.", ".5", " 5", "5\n"):
        assert "decimal string" in errors_of(price=text)["price"], text
    assert errors_of(price="-1")["price"] == "A price can't be negative."


def test_price_has_an_upper_bound() -> None:
    assert "below" in errors_of(price="1000000000000")["price"]
    assert "below" in errors_of(price="9" * 100)["price"]
    assert "decimal string" in errors_of(price="9" * 101)["price"]
    assert errors_of(price="0000000000001")["price"] == "Use at most 12 digits before the decimal point."
    assert new(price="999999999999.99")["price"] == Decimal("999999999999.99")


def test_the_money_pattern_is_exactly_what_is_accepted() -> None:
    """MONEY_PATTERN describes the price in the OpenAPI document."""
    pattern = re.compile(MONEY_PATTERN)
    texts = ("0", "0.5", "12.50", "999999999999.99", "000000000001", "12.505", "-1", "1e2", " 5", "5.")
    for text in (*texts, "1000000000000", "0000000000001", "١٢", "+1", "1,00"):
        try:
            parse_price(text)
            accepted = True
        except ValueError:
            accepted = False
        assert accepted == bool(pattern.search(text)), text


def test_parse_price_is_exact() -> None:
    assert parse_price("0.10") + parse_price("0.20") == Decimal("0.30")
    assert str(parse_price("0")) == "0.00"
    assert str(parse_price("0.00")) == "0.00"


def test_free_costs_zero() -> None:
    assert errors_of(type="free", price="5")["price"] == "A free ticket costs 0.00."
    assert errors_of(type="free", price="0.01")["price"] == "A free ticket costs 0.00."
    assert str(new(type="free", price=...)["price"]) == "0.00"
    assert str(new(type="free", price="0")["price"]) == "0.00"
    assert errors_of(type="free", price=0)["price"] == NOT_A_STRING


def test_donation_has_a_minimum_above_zero() -> None:
    assert str(new(type="donation", price=...)["price"]) == "1.00"
    assert errors_of(type="donation", price="0.00")["price"] == "A donation's minimum must be more than 0."
    assert str(new(type="donation", price="5")["price"]) == "5.00"
    assert errors_of(type="donation", price="-5")["price"] == "A price can't be negative."


# --- quantity and order limits --------------------------------------------------------------


def test_quantity_is_a_whole_number_from_one() -> None:
    for bad in (..., None, 0, -1, "5", True, 5.0, Decimal("5"), Decimal("5.0"), 1_000_001):
        assert "quantity" in errors_of(quantity=bad), bad
    assert new(quantity=1)["quantity"] == 1
    assert new(quantity=1_000_000)["quantity"] == 1_000_000


def test_quantity_never_below_what_is_sold_or_reserved() -> None:
    current = new()
    with pytest.raises(ValidationError) as caught:
        validate_ticket_change({"quantity": 9}, current, 10, EVENT_ENDS, set())
    assert "already sold or reserved" in caught.value.details["quantity"]
    assert validate_ticket_change({"quantity": 10}, current, 10, EVENT_ENDS, set())["quantity"] == 10


def test_order_limits_defaults() -> None:
    assert (new()["min_order"], new()["max_order"]) == (1, 10)
    assert (new(quantity=3)["min_order"], new(quantity=3)["max_order"]) == (1, 3)


def test_min_order_is_at_least_one() -> None:
    assert "min_order" in errors_of(min_order=0)
    assert "min_order" in errors_of(min_order="2")
    assert "min_order" in errors_of(min_order=None)
    assert new(min_order=1)["min_order"] == 1


def test_max_order_at_least_min_order() -> None:
    assert "below the minimum" in errors_of(min_order=5, max_order=4)["max_order"]
    assert new(min_order=5, max_order=5)["max_order"] == 5


def test_max_order_at_most_quantity() -> None:
    assert "exceed the quantity" in errors_of(quantity=5, max_order=6)["max_order"]
    assert "max_order" in errors_of(max_order=False)
    clean = new(quantity=5, min_order=5, max_order=5)
    assert (clean["min_order"], clean["max_order"], clean["quantity"]) == (5, 5, 5)


def test_lowering_quantity_below_stored_max_order_is_reported_on_max_order() -> None:
    current = new(max_order=10)
    with pytest.raises(ValidationError) as caught:
        validate_ticket_change({"quantity": 5}, current, 0, EVENT_ENDS, set())
    assert set(caught.value.details) == {"max_order"}
    assert (
        validate_ticket_change({"quantity": 5, "max_order": 5}, current, 0, EVENT_ENDS, set())["quantity"]
        == 5
    )


# --- sales window ---------------------------------------------------------------------------


def test_sales_end_after_they_start() -> None:
    details = errors_of(
        sales_starts_at="2027-04-01T10:00:00+00:00", sales_ends_at="2027-04-01T10:00:00+00:00"
    )
    assert details["sales_ends_at"] == "Sales must end after they start."
    details = errors_of(
        sales_starts_at="2027-04-02T10:00:00+00:00", sales_ends_at="2027-04-01T10:00:00+00:00"
    )
    assert details["sales_ends_at"] == "Sales must end after they start."
    clean = new(sales_starts_at="2027-04-01T10:00:00+00:00", sales_ends_at="2027-04-01T10:00:01+00:00")
    assert clean["sales_ends_at"] == "2027-04-01T10:00:01+00:00"


def test_sales_end_not_after_the_event_ends() -> None:
    # The event ends 2027-05-03 18:00 +02:00 = 16:00 UTC.
    assert "end of the event" in errors_of(sales_ends_at="2027-05-03T16:00:01+00:00")["sales_ends_at"]
    assert new(sales_ends_at="2027-05-03T16:00:00+00:00")["sales_ends_at"] == "2027-05-03T16:00:00+00:00"


def test_sales_start_before_the_event_ends_when_no_end_is_given() -> None:
    assert (
        "before the event ends" in errors_of(sales_starts_at="2027-05-03T18:00:00+02:00")["sales_starts_at"]
    )
    assert new(sales_starts_at="2027-05-03T17:59:00+02:00")["sales_ends_at"] is None


def test_sales_times_are_iso_with_an_offset_or_null() -> None:
    assert "sales_starts_at" in errors_of(sales_starts_at="tomorrow")
    assert "sales_starts_at" in errors_of(sales_starts_at="2027-04-01T10:00:00")
    assert "sales_ends_at" in errors_of(sales_ends_at=1234)
    assert "sales_ends_at" in errors_of(sales_ends_at="")
    clean = new(sales_starts_at=None, sales_ends_at=None)
    assert (clean["sales_starts_at"], clean["sales_ends_at"]) == (None, None)


def test_sales_open_follows_the_window_and_the_event_end() -> None:
    at = datetime.fromisoformat
    assert sales_open(None, None, EVENT_ENDS, at("2026-11-26T00:00:00+00:00"))
    assert not sales_open(None, None, EVENT_ENDS, at("2027-05-03T16:00:00+00:00"))
    window = ("2027-01-01T00:00:00+00:00", "2027-02-01T00:00:00+00:00")
    assert not sales_open(*window, EVENT_ENDS, at("2026-12-31T23:59:59+00:00"))
    assert sales_open(*window, EVENT_ENDS, at("2027-01-01T00:00:00+00:00"))
    assert not sales_open(*window, EVENT_ENDS, at("2027-02-01T00:00:00+00:00"))


def test_available_is_never_negative() -> None:
    assert available(10, 3, 2) == 5
    assert available(10, 8, 5) == 0


# --- description, hidden, fields ------------------------------------------------------------


def test_description_is_text_up_to_2000_characters() -> None:
    assert errors_of(description="x" * 2001)["description"] == "Use at most 2000 characters."
    assert errors_of(description=["x"])["description"] == "Give text."
    assert new(description="x" * 2000)["description"] == "x" * 2000
    assert new(description=None)["description"] == ""
    assert new()["description"] == ""


def test_hidden_must_be_a_boolean() -> None:
    for bad in ("true", 1, 0, None, "on"):
        assert errors_of(hidden=bad)["hidden"] == "Give true or false.", bad
    assert new(hidden=True)["hidden"] is True
    assert new(hidden=False)["hidden"] is False
    assert new()["hidden"] is False


def test_position_is_a_whole_number() -> None:
    assert "position" in errors_of(position=-1)
    assert "position" in errors_of(position="1")
    assert new(position=3)["position"] == 3
    assert "position" not in new()


def test_unknown_and_read_only_fields_are_rejected() -> None:
    assert errors_of(colour="red")["colour"] == "Unknown field."
    for field in ("sold", "reserved", "available", "id", "ver"):
        assert errors_of({field: 0})[field] == "This field is read-only."


def test_every_error_is_reported_at_once() -> None:
    details = errors_of(name="", type="paid", price="-1", quantity=0, hidden="yes")
    assert {"name", "price", "quantity", "hidden"} <= set(details)


# --- the whole table (PUT) ------------------------------------------------------------------


def existing(ticket_id: str, committed: int = 0, **fields: Any) -> ExistingTicket:
    clean = validate_new_ticket({**PAID, **fields}, EVENT_ENDS, set())
    clean.setdefault("position", 0)
    return ExistingTicket(ticket_id, clean, committed)


def plan_errors(payload: Any, current: dict[str, ExistingTicket] | None = None) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        plan_ticket_table(payload, current or {}, EVENT_ENDS)
    return caught.value.details


def test_table_errors_are_keyed_by_row() -> None:
    rows = [dict(PAID, name="A"), dict(PAID, name="B"), dict(PAID, name="C", price="abc")]
    assert set(plan_errors({"tickets": rows})) == {"tickets[2].price"}


def test_table_names_are_unique_ignoring_case() -> None:
    rows = [dict(PAID, name="VIP"), dict(PAID, name="Standard"), dict(PAID, name="vip ")]
    assert set(plan_errors({"tickets": rows})) == {"tickets[2].name"}


def test_table_may_swap_names_between_rows() -> None:
    current = {"a": existing("a", name="One"), "b": existing("b", name="Two")}
    rows = [dict(PAID, id="a", name="Two"), dict(PAID, id="b", name="One")]
    plan = plan_ticket_table({"tickets": rows}, current, EVENT_ENDS)
    assert [row.fields["name"] for row in plan.rows] == ["Two", "One"]


def test_table_shape() -> None:
    assert plan_errors({"tickets": "x"}) == {"tickets": "Give the list of tickets."}
    assert "tickets" in plan_errors({})
    assert plan_errors({"tickets": [], "extra": 1}) == {"extra": "Unknown field."}
    assert plan_errors({"tickets": [5]}) == {"tickets[0]": "Give a ticket object."}
    assert plan_ticket_table({"tickets": []}, {}, EVENT_ENDS).rows == []


def test_table_of_more_than_99_tickets_is_refused() -> None:
    rows = [dict(PAID, name=f"T{i}") for i in range(100)]
    assert "at most 99" in plan_errors({"tickets": rows})["tickets"]
    assert len(plan_ticket_table({"tickets": rows[:99]}, {}, EVENT_ENDS).rows) == 99


def test_table_counts_creates_changes_and_deletes_against_the_transaction_limit() -> None:
    current = {f"old{i}": existing(f"old{i}", name=f"Old {i}") for i in range(50)}
    rows = [dict(PAID, name=f"New {i}") for i in range(50)]
    assert "at most 99 can change" in plan_errors({"tickets": rows}, current)["tickets"]
    assert plan_ticket_table({"tickets": rows[:49]}, current, EVENT_ENDS).writes == 99


def test_table_rows_ids_must_be_tickets_of_the_event_once() -> None:
    current = {"a": existing("a", name="One")}
    assert "tickets[0].id" in plan_errors({"tickets": [dict(PAID, id="zzz")]}, current)
    assert "tickets[0].id" in plan_errors({"tickets": [dict(PAID, id=5)]}, current)
    rows = [dict(PAID, id="a", name="One"), dict(PAID, id="a", name="Two")]
    assert plan_errors({"tickets": rows}, current) == {
        "tickets[1].id": "This ticket appears twice in the list."
    }


def test_table_rows_take_position_from_their_index_and_reject_position() -> None:
    rows = [dict(PAID, name="A"), dict(PAID, name="B")]
    plan = plan_ticket_table({"tickets": rows}, {}, EVENT_ENDS)
    assert [row.fields["position"] for row in plan.rows] == [0, 1]
    details = plan_errors({"tickets": [dict(PAID, name="A", position=4)]})
    assert details == {"tickets[0].position": "The order of the list sets the position here."}
    assert plan_errors({"tickets": [dict(PAID, name="A", sold=4)]}) == {
        "tickets[0].sold": "This field is read-only."
    }


def test_table_rows_are_complete_tickets_an_omitted_hidden_is_false() -> None:
    current = {"a": existing("a", name="One", hidden=True)}
    plan = plan_ticket_table({"tickets": [dict(PAID, id="a", name="One")]}, current, EVENT_ENDS)
    assert plan.rows[0].fields["hidden"] is False
    assert plan.rows[0].changed


def test_table_unchanged_rows_are_not_written() -> None:
    current = {"a": existing("a", name="One")}
    plan = plan_ticket_table({"tickets": [dict(PAID, id="a", name="One")]}, current, EVENT_ENDS)
    assert not plan.rows[0].changed
    assert plan.writes == 0


def test_table_deletes_what_is_left_out_but_never_a_held_ticket() -> None:
    current = {"a": existing("a", name="One"), "b": existing("b", name="Two")}
    plan = plan_ticket_table({"tickets": [dict(PAID, id="a", name="One")]}, current, EVENT_ENDS)
    assert plan.deletes == ["b"]
    held = {"a": existing("a", name="One"), "b": existing("b", committed=2, name="Two")}
    with pytest.raises(ConflictError) as caught:
        plan_ticket_table({"tickets": [dict(PAID, id="a", name="One")]}, held, EVENT_ENDS)
    assert caught.value.code == "ticket_has_orders"
    assert set(caught.value.details) == {"b"}


def test_table_quantity_never_below_what_is_held() -> None:
    current = {"a": existing("a", committed=20, name="One")}
    details = plan_errors({"tickets": [dict(PAID, id="a", name="One", quantity=19, max_order=10)]}, current)
    assert set(details) == {"tickets[0].quantity"}
    plan = plan_ticket_table({"tickets": [dict(PAID, id="a", name="One", quantity=20)]}, current, EVENT_ENDS)
    assert plan.rows[0].fields["quantity"] == 20
