"""An audience larger than a page (``MARQUEE_FAN_OUT_PAGE_SIZE``, 1,000 deployed; 5 here) is told
through fan-out invocations: the stream function posts the first page itself and invokes the
``fan_out`` function once per further page, each naming its own connections; every page hears the
new availability, none twice. An invocation that cannot be made fails the batch, and its
redelivery tells everyone (nothing is lost). The invocations run the app's own function, as
Lambda would (the local stack's Invoke API is tested over HTTP in tests/integration)."""

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib.config import FAN_OUT_FUNCTION
from chalicelib.realtime import fanout
from chalicelib.store.models.connections import event_channel
from tests.api.conftest import forget_cached_state

PAGE_SIZE = 5


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARQUEE_FAN_OUT_PAGE_SIZE", str(PAGE_SIZE))
    forget_cached_state()
    yield
    monkeypatch.delenv("MARQUEE_FAN_OUT_PAGE_SIZE")
    forget_cached_state()


@pytest.fixture
def invocations(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Each asynchronous invocation made (its function and event), run as Lambda would run it."""
    from app import app

    made: list[dict[str, Any]] = []

    def invoke(function: str, payload: bytes) -> None:
        event = json.loads(payload)
        made.append({"function": function, "event": event})
        app.handler_map[function](event, None)

    monkeypatch.setattr(fanout, "invoke_async", invoke)
    return made


def _ids(invocation: dict[str, Any]) -> list[str]:
    return [i for ids in invocation["event"]["endpoints"].values() for i in ids]


def test_past_a_page_the_other_pages_go_to_fan_out_invocations(
    small_pages, shop, buyer, ws, stream, invocations
):
    ticket = shop.ticket(quantity=100)
    pages = [ws.connect(event=shop.event_id).connection_id for _ in range(12)]
    stream.run_pending()
    invocations.clear()

    shop.buy(buyer, ticket, 3)
    stream.run_pending()

    assert [i["function"] for i in invocations] == [FAN_OUT_FUNCTION, FAN_OUT_FUNCTION]
    handed = [_ids(invocation) for invocation in invocations]
    assert [len(ids) for ids in handed] == [5, 2]
    assert len({*handed[0], *handed[1]}) == 7 and not set(handed[0] + handed[1]) - set(pages)
    assert all(i["event"]["channel"] == event_channel(shop.event_id) for i in invocations)
    for page in pages:
        told = [m["tickets"] for m in ws.received(page)]
        assert told[-1] == [{"id": ticket["id"], "available": 97}]
        assert told.count(told[-1]) == 1


def test_an_audience_within_one_page_is_told_without_invocations(shop, buyer, ws, stream, invocations):
    ticket = shop.ticket(quantity=100)
    pages = [ws.connect(event=shop.event_id).connection_id for _ in range(12)]
    stream.run_pending()

    shop.buy(buyer, ticket, 1)
    stream.run_pending()

    assert invocations == []
    assert all(ws.received(page)[-1]["tickets"][0]["available"] == 99 for page in pages)


def test_an_invocation_that_fails_is_delivered_again_and_everyone_hears(
    small_pages, shop, buyer, ws, stream, monkeypatch
):
    from app import app

    ticket = shop.ticket(quantity=100)
    pages = [ws.connect(event=shop.event_id).connection_id for _ in range(8)]
    stream.run_pending()
    failures = iter([True])

    def invoke(function: str, payload: bytes) -> None:
        if next(failures, False):
            raise ClientError({"Error": {"Code": "TooManyRequestsException", "Message": "Rate"}}, "Invoke")
        app.handler_map[function](json.loads(payload), None)

    monkeypatch.setattr(fanout, "invoke_async", invoke)

    shop.buy(buyer, ticket, 2)
    stream.run_pending()

    assert list(failures) == []
    assert all(ws.received(page)[-1]["tickets"][0]["available"] == 98 for page in pages)
