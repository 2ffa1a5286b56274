"""Work that grows with an audience leaves the request: an order answers without pushing to the
event's open pages; the stream pushes availability (and door counts) at most once per event per
second, however many orders and however many stream batches at once; a user's own tabs are still
pushed inside the request, but never more than the per-user cap of them."""

import threading
import time
from typing import Any

import pytest

from chalicelib.realtime.connections import MAX_CONNECTIONS_PER_USER, add_connection
from chalicelib.services.audience import PUSH_INTERVAL_SECONDS, push_coalesced
from chalicelib.services.notifications import notify
from chalicelib.store.models.connections import user_channel
from tests.api.conftest import WebsocketEvents


def anyone(_subject: str) -> bool:
    return True


@pytest.fixture
def pushes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The WebSocket management API calls made (operation names), whichever client makes them."""
    from botocore.client import BaseClient

    calls: list[str] = []
    original = BaseClient._make_api_call

    def spy(client: BaseClient, operation_name: str, api_params: dict) -> Any:
        if client.meta.service_model.service_name == "apigatewaymanagementapi":
            calls.append(operation_name)
        return original(client, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", spy)
    return calls


def test_an_order_answers_without_pushing_to_the_events_pages(shop, buyer, ws, stream, pushes):
    ticket = shop.ticket(quantity=100)
    pages = [ws.connect(event=shop.event_id).connection_id for _ in range(20)]
    stream.run_pending()
    pushes.clear()

    shop.buy(buyer, ticket, 2)

    assert pushes == []
    assert stream.run_pending() > 0
    assert pushes == ["PostToConnection"] * 20
    for page in pages:
        assert ws.received(page)[-1]["tickets"] == [{"id": ticket["id"], "available": 98}]


def test_an_order_on_a_split_tickets_slot_item_is_pushed_too(shop, buyer, ws, stream, pushes, monkeypatch):
    """A ticket of 1,000 seats or more is split: an order may change only a slot item (STOCK#...),
    never the ticket item, and the pages must hear of it all the same."""
    from chalicelib.domain import stock

    ticket = shop.ticket(quantity=4000)
    monkeypatch.setattr(stock.random, "choice", lambda slots: slots[-1])
    page = ws.connect(event=shop.event_id).connection_id
    stream.run_pending()
    pushes.clear()

    shop.buy(buyer, ticket, 2)

    assert stream.run_pending() > 0
    assert ws.received(page)[-1]["tickets"] == [{"id": ticket["id"], "available": 3998}]


def test_concurrent_batches_push_an_event_once_per_window(aws: None, threaded_app: None) -> None:
    """Eight stream batches (of eight Lambda instances, say) saw changes of one event at once:
    one of them pushes, the others see that its push began after their changes and stop (moto's
    requests one at a time, as DynamoDB applies each item's writes)."""
    pushed: list[float] = []
    seen_at = time.time()
    start = threading.Barrier(8)

    def batch() -> None:
        start.wait()
        push_coalesced("availability", {"e1"}, seen_at, lambda _: pushed.append(time.time()) or 1, anyone)

    threads = [threading.Thread(target=batch) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(pushed) == 1


def test_a_change_after_the_windows_push_began_is_pushed_in_the_next_window(aws: None) -> None:
    pushed: list[float] = []

    def push(subject: str) -> int:
        pushed.append(time.time())
        return 1

    # The window opens when the first push is claimed, before it runs (a fresh client may take a
    # while between the two).
    first_claimed_after = time.time()
    push_coalesced("availability", {"e1"}, time.time(), push, anyone)
    push_coalesced("availability", {"e1"}, time.time(), push, anyone)

    assert len(pushed) == 2
    assert pushed[1] - first_claimed_after >= PUSH_INTERVAL_SECONDS - 0.01


def test_one_events_failing_push_does_not_keep_the_others_from_theirs(aws: None) -> None:
    pushed: list[str] = []

    def push(subject: str) -> int:
        if subject == "broken":
            raise RuntimeError("a bug")
        pushed.append(subject)
        return 1

    with pytest.raises(RuntimeError):
        push_coalesced("availability", {"broken", "fine", "also-fine"}, time.time(), push, anyone)

    assert sorted(pushed) == ["also-fine", "fine"]


def test_a_users_tabs_are_pushed_in_the_request_but_never_past_the_cap(
    api, signup, ws: WebsocketEvents, pushes
):
    token = signup()
    user_id = api.user_id(token)
    tabs = [ws.connect(token=token).connection_id for _ in range(MAX_CONNECTIONS_PER_USER)]
    # Connects racing each other pass $connect's trimming: two more are stored beside the cap.
    stored = next(iter(_user_connections(user_id).values()))
    for extra in ("late1=", "late2="):
        add_connection(extra, [user_channel(user_id)], stored.endpoint, user_id, int(stored.token_version))
    pushes.clear()

    notify(user_id, "test", "Hello", "A message.")

    assert pushes == ["PostToConnection"] * MAX_CONNECTIONS_PER_USER
    # The newest ones got it: the two racing ones and all tabs but the two oldest.
    assert [len(ws.received(late)) for late in ("late1=", "late2=")] == [1, 1]
    assert sum(len(ws.received(tab)) for tab in tabs) == MAX_CONNECTIONS_PER_USER - 2
    assert ws.received(tabs[0]) == []


def _user_connections(user_id: str) -> dict[str, Any]:
    from tests.api.conftest import stored_connections

    return stored_connections(user_channel(user_id))


def test_nobody_listening_means_no_window_and_no_wait(aws: None) -> None:
    pushed: list[str] = []
    started = time.monotonic()

    for _ in range(3):
        push_coalesced("availability", {"e1"}, time.time(), lambda s: pushed.append(s) or 1, lambda _: False)

    assert pushed == []
    assert time.monotonic() - started < PUSH_INTERVAL_SECONDS / 2
