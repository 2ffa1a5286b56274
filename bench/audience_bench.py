"""Order latency with nobody watching and with an audience of open public pages, side by side.

    .venv/bin/python bench/audience_bench.py [--pages 1000] [--orders 60] [--rounds 2] [--page-size N]

It starts its own local stack (`python -m devstack`, free ports, a temporary DATA_DIR), publishes
an event with one free ticket, and places ``--orders`` orders one after another (each by its own
buyer, one seat, an ``Idempotency-Key``), timing each request from send to answer. It does that
``--rounds`` times with no page open and, in between, with ``--pages`` WebSocket connections
open on the event's public page (``?event=<id>``, as the page opens them), so both conditions run
on the same stack, alternately: A B A B ... It prints the median and p95 of each condition, the
ratio of the medians (goal: within 1.2x) and, for the pages, how many availability messages
reached them (the stream pushes at most one per second: the orders' work does not grow with the
audience, the stream's does) and how long after the last order the last page had the final count.
``--page-size`` sets the stack's ``MARQUEE_FAN_OUT_PAGE_SIZE`` (default 1,000): below ``--pages``,
the stream function tells the first page and the fan-out function (devstack/lambdas.py) the rest.

The pages live in a process of their own (they are other people's browsers), and each round of
orders with no page open starts once the stack is quiet again after the pages closed. Beside the
latencies it prints the CPU time the stack's request process spent per order in each condition:
the WebSocket gateway and the stream functions run in processes of their own, so work per viewer
inside the request would show there, whatever else the machine is doing.
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import requests
from websockets.asyncio.client import connect

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
from devstack.launcher import launched  # noqa: E402 - the repository root is on the path only now

GOAL_RATIO = 1.2
EVENT = {
    "name": "Audience Conf",
    "starts_at": "2027-05-01T09:00:00+02:00",
    "ends_at": "2027-05-02T18:00:00+02:00",
    "timezone": "Europe/Berlin",
}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class Audience:
    """``count`` open public pages in a process of their own: viewers are other people's browsers,
    and reading a thousand messages a second here would take this process's interpreter lock from
    the buyer's requests it times. Each page counts the availability messages it receives and
    keeps the last one's arrival (``time.perf_counter``, one clock for every process) and count."""

    def __init__(self, ws_url: str, event_id: str, count: int) -> None:
        context = multiprocessing.get_context("spawn")
        self._parent, child = context.Pipe()
        self._process = context.Process(
            target=_watch, args=(f"{ws_url}/?event={event_id}", count, child), daemon=True
        )
        self._process.start()
        if not self._parent.poll(300) or self._parent.recv() != "open":
            raise SystemExit(f"could not open {count} pages")

    def settle(self, final: int, timeout: float) -> tuple[int, int, float | None]:
        """Waits until every page shows ``final`` available (at most ``timeout`` s), closes them
        and returns the messages received, the pages showing ``final`` and when the last page
        received its last message."""
        self._parent.send((final, timeout))
        result: tuple[int, int, float | None] = self._parent.recv()
        self._process.join(60)
        return result


def _watch(url: str, count: int, parent: Any) -> None:
    asyncio.run(_pages(url, count, parent))


async def _pages(url: str, count: int, parent: Any) -> None:
    messages = 0
    last: dict[int, tuple[float, int]] = {}
    limit = asyncio.Semaphore(50)

    async def open_one():  # type: ignore[no-untyped-def]
        async with limit:
            return await connect(url, open_timeout=60, compression=None)

    async def read(index: int, connection) -> None:  # type: ignore[no-untyped-def]
        nonlocal messages
        async for frame in connection:
            message = json.loads(frame)
            if message.get("meta") == "availability":
                messages += 1
                last[index] = (time.perf_counter(), message["tickets"][0]["available"])

    connections = await asyncio.gather(*(open_one() for _ in range(count)))
    readers = [asyncio.create_task(read(i, c)) for i, c in enumerate(connections)]
    parent.send("open")
    final, timeout = await asyncio.to_thread(parent.recv)
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline and not (
        len(last) == count and all(shown == final for _, shown in last.values())
    ):
        await asyncio.sleep(0.05)
    showing = sum(1 for _, shown in last.values() if shown == final)
    arrived = max((at for at, _ in last.values()), default=None)
    await asyncio.gather(*(c.close() for c in connections), return_exceptions=True)
    await asyncio.gather(*readers, return_exceptions=True)
    parent.send((messages, showing, arrived))


def wait_until_quiet(pid: int, timeout: float = 60) -> None:
    """Returns once the process ``pid`` used under 15% of a core for half a second (the stream
    functions' polling alone costs it a few per cent)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        used = cpu_seconds(pid)
        time.sleep(0.5)
        if cpu_seconds(pid) - used < 0.075:
            return


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process ``pid`` has used (its own threads, not its children)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--orders", type=int, default=60, help="orders per round and condition")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--page-size", type=int, default=None, help="MARQUEE_FAN_OUT_PAGE_SIZE")
    args = parser.parse_args()
    env = {} if args.page_size is None else {"MARQUEE_FAN_OUT_PAGE_SIZE": str(args.page_size)}
    with launched(env=env) as stack:
        session = requests.Session()
        api = f"{stack.base_url}/api"

        def signup() -> str:
            body = {
                "email": f"b-{uuid.uuid4().hex[:10]}@example.com",
                "password": "bench password",
                "name": "B",
            }
            response = session.post(f"{api}/auth/signup", json=body, timeout=60)
            response.raise_for_status()
            return str(response.json()["token"])

        organizer = signup()
        auth = {"Authorization": f"Bearer {organizer}"}
        event = session.post(f"{api}/events", json=EVENT, headers=auth, timeout=60).json()
        total = args.orders * args.rounds * 2
        ticket = session.post(
            f"{api}/events/{event['id']}/tickets",
            json={"name": "Free", "type": "free", "price": "0", "quantity": total + 10},
            headers=auth,
            timeout=60,
        ).json()
        session.patch(f"{api}/events/{event['id']}", json={"state": "published"}, headers=auth, timeout=60)
        buyers = [signup() for _ in range(total)]
        print(
            f"stack up, {total} buyers; {args.pages} pages (fan-out pages of {args.page_size or 1000}), "
            f"{args.orders} orders x {args.rounds} rounds"
        )

        def orders(tokens: list[str], cpu: list[float]) -> list[float]:
            """Places one order per buyer, one after another; the request latencies in ms. Adds
            to ``cpu`` the stack process's CPU seconds over the orders (where requests run)."""
            latencies = []
            used = cpu_seconds(stack.process.pid)
            for token in tokens:
                headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}
                body = {"items": [{"ticket_id": ticket["id"], "quantity": 1}]}
                started = time.perf_counter()
                response = session.post(
                    f"{api}/events/{event['id']}/orders", json=body, headers=headers, timeout=60
                )
                latencies.append((time.perf_counter() - started) * 1000)
                if response.status_code != 201:
                    raise SystemExit(f"order answered {response.status_code}: {response.text}")
            cpu.append(cpu_seconds(stack.process.pid) - used)
            return latencies

        alone: list[float] = []
        watched: list[float] = []
        cpu_alone: list[float] = []
        cpu_watched: list[float] = []
        messages, settle, showing = 0, [], 0
        remaining = iter(buyers)
        for _ in range(args.rounds):
            alone += orders([next(remaining) for _ in range(args.orders)], cpu_alone)
            audience = Audience(stack.ws_url, event["id"], args.pages)
            watched += orders([next(remaining) for _ in range(args.orders)], cpu_watched)
            ended = time.perf_counter()
            public = session.get(f"{api}/public/events/{event['id']}", timeout=60).json()
            final = int(public["tickets"][0]["available"])
            received, showing, arrived = audience.settle(final, timeout=10)
            messages += received
            if arrived is not None:
                settle.append((arrived - ended) * 1000)
            # The closed pages' $disconnects are the stack's work, not the next round's orders'.
            wait_until_quiet(stack.process.pid)

    median_alone, median_watched = statistics.median(alone), statistics.median(watched)
    ratio = median_watched / median_alone
    print(f"{'condition':<28}{'orders':>8}{'p50 ms':>10}{'p95 ms':>10}")
    print(f"{'no page open':<28}{len(alone):>8}{median_alone:>10.1f}{percentile(alone, 0.95):>10.1f}")
    label = f"{args.pages} pages open"
    print(f"{label:<28}{len(watched):>8}{median_watched:>10.1f}{percentile(watched, 0.95):>10.1f}")
    print(f"ratio of medians: {ratio:.2f}x (goal <= {GOAL_RATIO}x)")
    per_order_alone = sum(cpu_alone) / len(alone) * 1000
    per_order_watched = sum(cpu_watched) / len(watched) * 1000
    print(
        f"CPU of the stack's request process per order: {per_order_alone:.1f} ms with no page open, "
        f"{per_order_watched:.1f} ms with {args.pages} ({per_order_watched / per_order_alone:.2f}x; "
        "the gateway and the stream functions run in processes of their own)"
    )
    print(
        f"availability messages received by the pages: {messages} "
        f"({messages / max(1, args.pages):.1f} per page for {len(watched)} orders)"
    )
    if settle:
        print(
            f"last page had its last message {max(settle):.0f} ms after the last order answered; "
            f"{showing} of {args.pages} pages showed the final count in the last round"
        )
    return 0 if ratio <= GOAL_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
