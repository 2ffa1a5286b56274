"""Push latency of notifications through the local stack, next to a bare WebSocket echo.

    .venv/bin/python bench/notify_bench.py [--count 200] [--base-url http://127.0.0.1:8000]

Without --base-url it starts its own stack (`python -m devstack`, free ports, a temporary DATA_DIR)
and stops it afterwards (with the daily per-user limits on events and invites lifted; a stack given
by --base-url needs MARQUEE_EVENTS_PER_USER_PER_DAY above --count). One user opens 3 WebSocket
connections (3 tabs); another user invites them to a new event ``--count`` times (each invite
creates one notification, pushed to every tab).
For each notification it records when the invite request started and returned and when the last
of the 3 tabs received the push, and reports p50 / p95 / max. The push happens inside the request
(a Lambda cannot work after answering), so "return -> tabs" is negative: the tabs have the
notification before the HTTP response arrives. With its own stack it also calls
``chalicelib.services.notifications.notify`` directly against that stack's DynamoDB (moto) and
management endpoint, ``--count`` times: the notification path alone (transaction, reads for the
payload, 3 posts through the gateway), without the invite route around it.

In the same run it measures a bare `websockets` echo round trip on this machine, and prints the
ratio of each p95 to the echo p95. Goal: p95 <= 50 ms from the creating request's return.
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from websockets.asyncio.server import serve
from websockets.sync.client import ClientConnection, connect

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
from devstack.launcher import free_port, launched  # noqa: E402 - the repository root is on the path only now

TABS = 3
GOAL_P95_MS = 50.0
EVENT = {
    "name": "Bench Conf",
    "starts_at": "2027-05-01T09:00:00+02:00",
    "ends_at": "2027-05-02T18:00:00+02:00",
    "timezone": "Europe/Berlin",
}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


@dataclass
class Stack:
    base_url: str
    aws_endpoint: str = ""
    management_url: str = ""


# One organizer creates an event and sends an invite per notification: past the daily per-user
# limits (200 invites, 20 events) with the default --count, so its own stack lifts them.
UNLIMITED = {"MARQUEE_EVENTS_PER_USER_PER_DAY": "1000000", "MARQUEE_INVITES_PER_USER_PER_DAY": "1000000"}


@contextmanager
def own_stack() -> Iterator[Stack]:
    """A fresh local stack in a subprocess."""
    with launched(env=UNLIMITED) as stack:
        yield Stack(stack.base_url, stack.aws_endpoint, stack.management_url)


class Tab:
    """One WebSocket connection that timestamps every push it receives, by ``notif_count``."""

    def __init__(self, ws_url: str, token: str) -> None:
        self.connection: ClientConnection = connect(f"{ws_url}/?token={token}", open_timeout=10)
        self.received: dict[int, float] = {}
        self.arrived = threading.Condition()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        for frame in self.connection:
            at = time.perf_counter()
            message = json.loads(frame)
            if message.get("meta") == "New notifications":
                with self.arrived:
                    self.received[int(message["notif_count"])] = at
                    self.arrived.notify_all()

    def wait_for(self, count: int, timeout: float = 10.0) -> float:
        with self.arrived:
            if not self.arrived.wait_for(lambda: count in self.received, timeout):
                raise SystemExit(f"notification {count} never reached a tab")
            return self.received[count]

    def close(self) -> None:
        self.connection.close()
        self.thread.join(5)


@dataclass
class Results:
    from_return: list[float]
    from_start: list[float]
    direct_from_start: list[float]


def measure_notifications(stack: Stack, count: int) -> Results:
    base_url = stack.base_url
    session = requests.Session()
    config = session.get(f"{base_url}/config.json", timeout=10).json()
    api, ws_url = config["apiUrl"], config["wsUrl"]

    def signup(email: str) -> str:
        body = {"email": email, "password": "bench password", "name": "Bench"}
        response = session.post(f"{api}/auth/signup", json=body, timeout=30)
        response.raise_for_status()
        return str(response.json()["token"])

    run = uuid.uuid4().hex[:8]
    invitee_email = f"bench-invitee-{run}@example.com"
    invitee, organizer = signup(invitee_email), signup(f"bench-organizer-{run}@example.com")
    auth = {"Authorization": f"Bearer {organizer}"}
    tabs = [Tab(ws_url, invitee) for _ in range(TABS)]
    results = Results([], [], [])
    try:
        for n in range(1, count + 1):
            event = session.post(f"{api}/events", json=EVENT, headers=auth, timeout=30)
            event.raise_for_status()
            invite = {"email": invitee_email, "role": "coorganizer"}
            started = time.perf_counter()
            response = session.post(
                f"{api}/events/{event.json()['id']}/invites", json=invite, headers=auth, timeout=30
            )
            returned = time.perf_counter()
            response.raise_for_status()
            last = max(tab.wait_for(n) for tab in tabs)
            results.from_return.append((last - returned) * 1000)
            results.from_start.append((last - started) * 1000)
        if stack.aws_endpoint:
            invitee_id = session.get(f"{api}/me", headers={"Authorization": f"Bearer {invitee}"}).json()["id"]
            results.direct_from_start = measure_direct(stack, invitee_id, tabs, count)
    finally:
        for tab in tabs:
            tab.close()
    return results


def measure_direct(stack: Stack, user_id: str, tabs: list[Tab], count: int) -> list[float]:
    """notify() called here, against the stack's moto and management endpoint."""
    os.environ.update(
        AWS_ENDPOINT_URL=stack.aws_endpoint,
        AWS_ACCESS_KEY_ID="devstack",
        AWS_SECRET_ACCESS_KEY="devstack",
        AWS_DEFAULT_REGION="us-east-1",
        MARQUEE_WEBSOCKET_ENDPOINT=stack.management_url,
    )
    sys.path.insert(0, str(REPO_ROOT))
    from chalicelib.services.notifications import notify

    delays = []
    already = max(tabs[0].received)
    for n in range(already + 1, already + count + 1):
        started = time.perf_counter()
        notify(user_id, "bench", f"Bench {n}", "<b>bench</b>")
        last = max(tab.wait_for(n) for tab in tabs)
        delays.append((last - started) * 1000)
    return delays


def measure_echo(count: int) -> list[float]:
    """Round trips of a bare `websockets` echo server on this machine (ms)."""
    port = free_port()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    stop = asyncio.Event()

    async def echo(connection) -> None:  # type: ignore[no-untyped-def]
        async for message in connection:
            await connection.send(message)

    async def main() -> None:
        async with serve(echo, "127.0.0.1", port, compression=None):
            ready.set()
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    ready.wait(10)
    payload = json.dumps({"meta": "New notifications", "notif_count": 1, "notifs": []})
    rounds = []
    with connect(f"ws://127.0.0.1:{port}", compression=None) as client:
        for _ in range(20):
            client.send(payload)
            client.recv()
        for _ in range(count):
            started = time.perf_counter()
            client.send(payload)
            client.recv()
            rounds.append((time.perf_counter() - started) * 1000)
    loop.call_soon_threadsafe(stop.set)
    thread.join(10)
    return rounds


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--base-url", help="a running stack (default: start one)")
    options = parser.parse_args()

    if options.base_url:
        results = measure_notifications(Stack(options.base_url.rstrip("/")), options.count)
    else:
        with own_stack() as stack:
            results = measure_notifications(stack, options.count)
    echo = measure_echo(options.count)

    echo_p95 = percentile(echo, 0.95)
    rows = [
        ("invite: request return -> all 3 tabs", results.from_return),
        ("invite: request start -> all 3 tabs", results.from_start),
        ("notify(): call -> all 3 tabs", results.direct_from_start),
        ("bare websockets echo round trip", echo),
    ]
    print(f"{options.count} notifications, {TABS} tabs of one user (ms)")
    print(f"{'':38} {'p50':>8} {'p95':>8} {'max':>8}  p95 / echo p95")
    for name, values in rows:
        if not values:
            continue
        p50, p95, worst = statistics.median(values), percentile(values, 0.95), max(values)
        ratio = f"{p95 / echo_p95:.1f}x" if p95 > 0 else "n/a (tabs had it before the response)"
        print(f"{name:38} {p50:8.2f} {p95:8.2f} {worst:8.2f}  {ratio}")
    p95 = percentile(results.from_return, 0.95)
    verdict = "meets" if p95 <= GOAL_P95_MS else "misses"
    print(f"goal p95 <= {GOAL_P95_MS:.0f} ms from the creating request's return: {verdict} ({p95:.2f} ms)")
    return 0 if p95 <= GOAL_P95_MS else 1


if __name__ == "__main__":
    sys.exit(main())
