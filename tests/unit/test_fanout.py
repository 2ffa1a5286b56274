"""The fan-out function's page (chalicelib.realtime.fanout): a page of 1,000 connections with a
large event's message stays far below what an asynchronous invocation may carry, pages cover the
audience once each, and an event that is not a page is refused before anything is posted (and
not raised, which would have Lambda retry it minutes later, with what is by then an old state)."""

import json

import pytest

from chalicelib.realtime.connections import Connection
from chalicelib.realtime.fanout import PageError, deliver_page, page_event, pages_of

# Lambda's documented limit for an asynchronous invocation is 1 MB; a page keeps to a quarter.
BUDGET_BYTES = 256 * 1024
ENDPOINT = "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/api"


def _audience(count: int) -> list[Connection]:
    # API Gateway's connection ids are 16 characters, like "L0SM9cOFvHcCIhw=".
    return [Connection("EVENT#e1", f"{n:015d}=", ENDPOINT) for n in range(count)]


def test_a_page_of_a_thousand_connections_fits_an_asynchronous_invocation() -> None:
    message = {
        "meta": "availability",
        "event_id": "e" * 32,
        "tickets": [{"id": f"{n:032x}", "available": 100_000} for n in range(200)],
        "queue": {"opened_at": 1_800_000_000, "rate_per_minute": 600, "admitted_base": 12_345},
    }

    payload = page_event(_audience(1000), message)

    assert len(payload) < BUDGET_BYTES
    event = json.loads(payload)
    assert event["channel"] == "EVENT#e1"
    assert event["message"] == message
    assert event["endpoints"] == {ENDPOINT: [f"{n:015d}=" for n in range(1000)]}


def test_pages_cover_the_audience_once_in_order() -> None:
    audience = _audience(2501)

    pages = pages_of(audience, 1000)

    assert [len(page) for page in pages] == [1000, 1000, 501]
    assert [c for page in pages for c in page] == audience
    assert pages_of([], 1000) == []


@pytest.mark.parametrize(
    "event",
    [
        None,
        [],
        {"message": {}, "endpoints": {}},
        {"channel": "EVENT#e1", "endpoints": {}},
        {"channel": "EVENT#e1", "message": {}},
        {"channel": "EVENT#e1", "message": {}, "endpoints": {ENDPOINT: "abc="}},
        {"channel": "EVENT#e1", "message": {}, "endpoints": {ENDPOINT: [1, 2]}},
        {"channel": 7, "message": {}, "endpoints": {}},
    ],
)
def test_an_event_that_is_not_a_page_is_refused_and_not_retried(event, caplog) -> None:
    # Raising would make Lambda run it again later: logged, nothing posted.
    assert deliver_page(event) == {"reached": 0}
    assert "a fan-out page was not told" in caplog.text
    assert isinstance(caplog.records[-1].exc_info[1], PageError)


def test_a_page_whose_push_fails_is_logged_not_raised(monkeypatch, caplog) -> None:
    from chalicelib.realtime import fanout

    def failing(connections, message):
        raise RuntimeError("DynamoDB unreachable while forgetting a gone connection")

    monkeypatch.setattr(fanout, "push", failing)
    page = json.loads(page_event(_audience(3), {"meta": "availability"}))

    assert deliver_page(page) == {"reached": 0}
    assert "a fan-out page was not told" in caplog.text
