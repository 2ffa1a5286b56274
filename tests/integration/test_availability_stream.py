"""Live availability through the real local stack, as deployed: orders answer without pushing,
the stream function (devstack/streams.py feeding events_stream) pushes the new availability to an
open public page within a second, and a burst of orders is at most one message per second. An
audience past a page is told through the fan-out function, invoked over the stack's Lambda Invoke
API (devstack/lambdas.py), as fast."""

import contextlib
import itertools
import json
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

pytestmark = pytest.mark.integration


class _Page:
    """An open public page that timestamps every availability message as it arrives."""

    def __init__(self, stack, event_id: str) -> None:
        self._opened = contextlib.ExitStack()
        self.client: ClientConnection = self._opened.enter_context(
            connect(f"{stack.ws_url}/?event={event_id}", open_timeout=10)
        )
        self.messages: list[tuple[float, dict]] = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            for frame in self.client:
                message = json.loads(frame)
                if message.get("meta") == "availability":
                    self.messages.append((time.monotonic(), message))

    def settle(self, quiet: float = 1.5) -> list[tuple[float, dict]]:
        """Wait until nothing arrived for ``quiet`` seconds; the messages so far, then forget them."""
        while True:
            count = len(self.messages)
            time.sleep(quiet)
            if len(self.messages) == count:
                seen, self.messages = self.messages, []
                return seen

    def first_with(self, available: int, timeout: float = 15) -> tuple[float, dict]:
        """The first message that says ``available`` (its arrival time), waiting up to ``timeout``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for arrived, message in self.messages:
                if [t["available"] for t in message["tickets"]] == [available]:
                    return arrived, message
            time.sleep(0.02)
        raise AssertionError(f"no message with {available} available in {timeout}s: {self.messages}")

    def close(self) -> None:
        self._opened.close()
        self.thread.join(5)


def _published_event(stack, quantity: int) -> tuple[str, str, str]:
    organizer = stack.signup()
    event = stack.api(
        "POST",
        "/events",
        {
            "name": "Stream Conf",
            "starts_at": "2027-05-01T09:00:00+02:00",
            "ends_at": "2027-05-02T18:00:00+02:00",
            "timezone": "Europe/Berlin",
        },
        token=organizer,
    ).json()
    ticket = stack.api(
        "POST",
        f"/events/{event['id']}/tickets",
        {"name": "Community", "type": "free", "price": "0", "quantity": quantity},
        token=organizer,
    ).json()
    assert stack.api("PATCH", f"/events/{event['id']}", {"state": "published"}, token=organizer).ok
    return organizer, event["id"], ticket["id"]


def _order(stack, token: str, event_id: str, ticket_id: str, quantity: int) -> None:
    response = stack.api(
        "POST",
        f"/events/{event_id}/orders",
        {"items": [{"ticket_id": ticket_id, "quantity": quantity}]},
        token=token,
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert response.status_code == 201, response.text


def test_an_open_page_hears_an_order_within_a_second(shared_local_stack):
    stack = shared_local_stack
    _, event_id, ticket_id = _published_event(stack, 20)
    page = _Page(stack, event_id)
    delays = []
    try:
        page.settle()  # the ticket's creation, if its push is still under way
        for left in (18, 16, 14):
            buyer = stack.signup()
            _order(stack, buyer, event_id, ticket_id, 2)
            answered = time.monotonic()
            # The first push of a fresh stack can be late (its first batch, a cold path); the
            # median of the three is what is held to a second.
            arrived, message = page.first_with(left)
            page.settle()
            assert message == {
                "meta": "availability",
                "event_id": event_id,
                "tickets": [{"id": ticket_id, "available": left}],
            }
            delays.append(arrived - answered)
    finally:
        page.close()

    # The median of three: the machine the tests run on is shared.
    assert sorted(delays)[1] < 1.0, delays


def test_a_burst_of_orders_is_at_most_one_message_a_second_and_ends_with_the_last_count(shared_local_stack):
    stack = shared_local_stack
    _, event_id, ticket_id = _published_event(stack, 100)
    buyers = [stack.signup() for _ in range(12)]
    page = _Page(stack, event_id)
    try:
        page.settle()
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(lambda token: _order(stack, token, event_id, ticket_id, 1), buyers))
        messages = page.settle()
    finally:
        page.close()

    assert messages, "no availability message arrived"
    assert messages[-1][1]["tickets"] == [{"id": ticket_id, "available": 88}]
    arrivals = [arrived for arrived, _ in messages]
    # Each push starts at least a second after the one before (how long each takes varies).
    assert len(messages) <= int(arrivals[-1] - started) + 2, arrivals
    assert all(later - earlier >= 0.5 for earlier, later in itertools.pairwise(arrivals)), arrivals


def test_an_audience_past_a_page_hears_through_fan_out_functions_within_a_second(local_stack_factory):
    """200 open pages in pages of 40: the stream function tells 40 itself and invokes the fan-out
    function four times (the stack runs it in its own process, as Lambda would)."""
    stack = local_stack_factory(env={"MARQUEE_FAN_OUT_PAGE_SIZE": "40"})
    _, event_id, ticket_id = _published_event(stack, 20)
    with ThreadPoolExecutor(max_workers=16) as pool:
        pages = list(pool.map(lambda _: _Page(stack, event_id), range(200)))
    delays = []
    try:
        for page in pages:
            page.settle(quiet=0.01)
        pages[0].settle()
        after = len(stack.output)
        for left in (18, 16, 14):
            _order(stack, stack.signup(), event_id, ticket_id, 2)
            answered = time.monotonic()
            last = max(page.first_with(left)[0] for page in pages)
            delays.append(last - answered)
        # Long enough for a late duplicate (the stand-in retries after 1 and 2 s) to arrive.
        time.sleep(2.5)
        for page in pages:
            told = [m["tickets"][0]["available"] for _, m in page.settle(quiet=0.01)]
            assert [told.count(left) for left in (18, 16, 14)] == [1, 1, 1], told
        ran = stack.wait_for_output(r"marquee-dev-fan_out ran in \d+ ms: \{'reached': 40\}", after=after)
    finally:
        for page in pages:
            page.close()

    assert ran is not None
    assert len(re.findall(r"marquee-dev-fan_out ran in", stack.output[after:])) >= 3 * 4
    # The median of three: the machine the tests run on is shared.
    assert sorted(delays)[1] < 1.0, delays
