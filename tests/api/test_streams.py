"""The stream foundation (chalicelib.streams): the tables' streams reach the handlers registered
for their items, decoded, batched, and with one failing handler not costing the others their work."""

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from chalicelib.config import settings
from chalicelib.store.aws import client
from chalicelib.store.models.events import EVENTS_TABLE
from chalicelib.store.models.orders import ORDERS_TABLE
from chalicelib.streams import INSERT, MODIFY, Change, on_items, remove_handler


@pytest.fixture
def heard() -> Iterator[dict[str, list[list[Change]]]]:
    """Handlers for tickets and orders that keep the batches they were given."""
    batches: dict[str, list[list[Change]]] = {"tickets": [], "orders": []}

    def tickets(changes: list[Change]) -> None:
        batches["tickets"].append(changes)

    def orders(changes: list[Change]) -> None:
        batches["orders"].append(changes)

    on_items("TICKET#", table=EVENTS_TABLE)(tickets)
    on_items("ORDER#", table=ORDERS_TABLE)(orders)
    yield batches
    remove_handler(tickets)
    remove_handler(orders)


def test_the_events_and_orders_tables_stream_both_images(aws: None) -> None:
    for short in ("events", "orders"):
        table = client("dynamodb").describe_table(TableName=settings().table_name(short))["Table"]
        assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}


def test_a_handler_gets_its_items_changes_decoded_and_in_one_batch(shop, buyer, stream, heard) -> None:
    ticket = shop.ticket(quantity=10)
    shop.buy(buyer, ticket, 2)
    shop.buy(buyer, ticket, 3)

    delivered = stream.run_pending()

    assert delivered >= 3
    [events_batch] = heard["tickets"]
    ticket_changes = [c for c in events_batch if c.keys["sk"] == f"TICKET#{ticket['id']}"]
    assert [c.event_name for c in ticket_changes] == [INSERT, MODIFY, MODIFY]
    created, first, second = ticket_changes
    assert created.old is None and created.new["quantity"] == Decimal(10)
    assert (first.before("held"), first.after("held")) == (Decimal(0), Decimal(2))
    assert (second.before("held"), second.after("held")) == (Decimal(2), Decimal(5))
    assert second.changed("held") and not second.changed("quantity")
    [orders_batch] = heard["orders"]
    assert [c.event_name for c in orders_batch] == [INSERT, INSERT]
    assert {c.new["status"] for c in orders_batch} == {"pending"}
    # Nothing else of either table reaches them (holds, idempotency records, the event item).
    assert all(c.kind_key.startswith("TICKET#") for c in events_batch)
    assert all(c.kind_key.startswith("ORDER#") for c in orders_batch)
    assert stream.run_pending() == 0


def test_a_failing_handler_does_not_cost_the_others_their_work(shop, buyer, stream, heard) -> None:
    attempts: list[int] = []

    def broken(changes: list[Change]) -> None:
        attempts.append(len(changes))
        raise RuntimeError("mail is down")

    on_items("TICKET#")(broken)
    try:
        ticket = shop.ticket(quantity=10)
        shop.buy(buyer, ticket, 1)
        stream.run_pending()
    finally:
        remove_handler(broken)

    # The healthy handlers got everything (again on each retry: handlers are idempotent) ...
    assert heard["orders"] and heard["orders"][0][0].new["status"] == "pending"
    assert len(heard["tickets"]) == len(attempts) == 3
    assert all(batch == heard["tickets"][0] for batch in heard["tickets"])
    # ... and the failing one was given its changes again, from its first one, until the retries ran out.
    assert attempts == [2, 2, 2]
    assert stream.run_pending() == 0


def test_dispatch_names_the_earliest_record_a_failed_handler_was_given(aws: None) -> None:
    from chalicelib.streams import dispatch

    table = settings().table_name("events")
    arn = f"arn:aws:dynamodb:us-east-1:123456789012:table/{table}/stream/2026-12-04T00:00:00.000"

    def record(sequence: str, sk: str) -> dict[str, Any]:
        keys = {"pk": {"S": "EVENT#e1"}, "sk": {"S": sk}}
        return {
            "eventName": "MODIFY",
            "eventSourceARN": arn,
            "dynamodb": {
                "Keys": keys,
                "NewImage": {**keys, "n": {"N": "2"}},
                "OldImage": keys,
                "SequenceNumber": sequence,
            },
        }

    def fails_on_messages(changes: list[Change]) -> None:
        raise RuntimeError("down")

    seen: list[str] = []

    def keeps_tickets(changes: list[Change]) -> None:
        seen.extend(c.sequence_number for c in changes)

    on_items("MESSAGE#")(fails_on_messages)
    on_items("TICKET#")(keeps_tickets)
    try:
        answer = dispatch(
            {
                "Records": [
                    record("100", "TICKET#a"),
                    record("101", "MESSAGE#m"),
                    record("102", "TICKET#b"),
                    record("103", "MESSAGE#n"),
                ]
            }
        )
    finally:
        remove_handler(fails_on_messages)
        remove_handler(keeps_tickets)

    assert answer == {"batchItemFailures": [{"itemIdentifier": "101"}]}
    assert seen == ["100", "102"]


def test_a_handler_may_name_its_table_by_its_short_name(shop, buyer, stream) -> None:
    heard: list[str] = []

    def orders(changes: list[Change]) -> None:
        heard.extend(c.kind_key for c in changes)

    on_items("ORDER#", table="orders")(orders)
    on_items("ORDER#", table="events")(orders)  # no order lives there: never called
    try:
        ticket = shop.ticket(quantity=3)
        order = shop.buy(buyer, ticket, 1)
        stream.run_pending()
    finally:
        remove_handler(orders)

    assert heard == [f"ORDER#{order['id']}"]
