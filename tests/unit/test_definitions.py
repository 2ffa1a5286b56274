"""One definition per body: the table that checks a request is the one the OpenAPI document
describes, and the serializers build what the response definitions document."""

from decimal import Decimal

import jsonschema
import pytest

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.events import EVENT, EVENT_CHANGES, EVENT_INPUT, VERSIONS
from chalicelib.domain.fields import Integer, Text
from chalicelib.domain.objects import ListOf, Object, Rule
from chalicelib.domain.tickets import TICKET, TICKET_TABLE
from chalicelib.domain.users import USER
from chalicelib.store.models.events import EventModel
from chalicelib.store.models.tickets import TicketModel
from chalicelib.store.models.users import UserModel
from chalicelib.store.users import user_view
from chalicelib.views.events import event_view, versions_view
from chalicelib.views.tickets import ticket_view


def details(definition: Object, payload: object) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        definition.validate(payload)
    return caught.value.details


def test_every_bad_field_is_named_by_its_path_at_once() -> None:
    row = {"name": "A", "type": "paid", "price": "1.234", "quantity": 0, "surprise": 1}
    found = details(TICKET_TABLE, {"tickets": [row, "no", {**row, "name": "a", "price": "2"}]})
    assert found == {
        "tickets[0].price": "Use at most 2 decimals.",
        "tickets[0].quantity": "Use a whole number from 1 to 1000000.",
        "tickets[0].surprise": "Unknown field.",
        "tickets[1]": "Give a ticket object.",
        "tickets[2].quantity": "Use a whole number from 1 to 1000000.",
        "tickets[2].surprise": "Unknown field.",
        "tickets[2].name": "Another ticket of this event already has this name (names ignore case).",
    }


def test_the_schema_says_what_the_validator_accepts() -> None:
    table = Object(
        {"count": Integer(1, 5), "tags": ListOf(Text(3), max_items=2)},
        required=("count",),
        rules=(Rule(("count", "tags"), lambda v, report, c: None),),
    )
    schema = table.schema()
    for payload in ({"count": 1}, {"count": 5, "tags": ["abc", "de"]}):
        jsonschema.validate(payload, schema)
        assert table.validate(payload) == payload
    for payload in (
        {},
        {"count": 6},
        {"count": 1, "tags": ["abcd"]},
        {"count": 1, "tags": ["a"] * 3},
        {"x": 1},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(payload, schema)
        details(table, payload)


def test_the_event_examples_are_valid_for_both_the_schema_and_the_validator() -> None:
    for definition in (EVENT_INPUT, EVENT_CHANGES):
        for example in definition.schema()["examples"]:
            definition.validate(example)
    assert details(EVENT_INPUT, {"name": " "}) == {
        "name": "A name is required.",
        "starts_at": "Give a date and time in ISO 8601 with an offset, e.g. 2026-05-01T09:00:00+02:00.",
        "ends_at": "Give a date and time in ISO 8601 with an offset, e.g. 2026-05-01T09:00:00+02:00.",
        "timezone": "Use an IANA time zone such as Europe/Berlin.",
    }


def test_a_change_is_checked_field_by_field_and_by_the_rules_it_carries() -> None:
    assert EVENT_CHANGES.validate({"currency": "eur"}) == {"currency": "EUR"}
    late = {"starts_at": "2027-05-02T09:00:00+02:00", "ends_at": "2027-05-01T09:00:00+02:00"}
    assert details(EVENT_CHANGES, late) == {"ends_at": "The event must end after it starts."}


def _valid(value: object, definition: Object) -> None:
    jsonschema.validate(value, definition.schema(), cls=jsonschema.Draft202012Validator)
    assert set(value) == set(definition.fields)  # type: ignore[arg-type]


def test_the_serializers_send_exactly_what_is_documented() -> None:
    event = EventModel(
        "EVENT#e1",
        "EVENT",
        event_id="e1",
        name="PyCon",
        starts_at="2027-05-01T09:00:00+02:00",
        ends_at="2027-05-03T18:00:00+02:00",
        timezone="Europe/Berlin",
        created_by="u1",
        created_at="2026-01-01T00:00:00+00:00",
    )
    _valid(event_view(event), EVENT)
    _valid(versions_view(event, 3), VERSIONS)
    ticket = TicketModel(
        "EVENT#e1",
        "TICKET#t1",
        ticket_id="t1",
        name="Early",
        ticket_type="paid",
        price=Decimal("12.50"),
        quantity=10,
        description="",
        min_order=1,
        max_order=4,
        hidden=False,
        position=0,
        sold=2,
        reserved=1,
    )
    _valid({**ticket_view(ticket), "price": "12.50"}, TICKET)
    assert ticket_view(ticket)["available"] == 7
    user = UserModel("u1", email="a@example.com", name="Ada", password_hash="x")
    _valid(user_view(user), USER)
