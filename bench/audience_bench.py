"""Order latency with nobody watching and with an audience of open public pages, side by side.

    .venv/bin/python bench/audience_bench.py [--pages 1000] [--orders 60] [--rounds 2]

It starts its own local stack (`python -m devstack`, free ports, a temporary DATA_DIR), publishes
an event with one free ticket, and places ``--orders`` orders one after another (each by its own
buyer, one seat, an ``Idempotency-Key``), timing each request from send to answer. It does that
``--rounds`` times with no page open and, in between, with ``--pages`` WebSocket connections
open on the event's public page (``?event=<id>``, as the page opens them), so both conditions run
on the same stack, alternately: A B A B ... It prints the median and p95 of each condition, the
ratio of the medians (goal: within 1.2x) and, for the pages, how many availability messages
reached them (the stream pushes at most one per second: the orders' work does not grow with the
audience, the stream's does) and how long after the last order the last page had the final count.
"""

import argparse
import asyncio
import json
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

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
    """``count`` open public pages on one asyncio loop (a thread of this process): each counts
    the availability messages it receives and keeps the last one's arrival and counts."""

    def __init__(self, ws_url: str, event_id: str, count: int) -> None:
        self.url, self.count = f"{ws_url}/?event={event_id}", count
        self.messages = 0
        self.last: dict[int, tuple[float, int]] = {}
        self.loop = asyncio.new_event_loop()
        self.opened = threading.Event()
        self.stop: asyncio.Event | None = None
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(self._main(),), daemon=True)
        self.thread.start()
        if not self.opened.wait(300):
            raise SystemExit(f"could not open {count} pages")

    async def _read(self, index: int, connection) -> None:  # type: ignore[no-untyped-def]
        async for frame in connection:
            message = json.loads(frame)
            if message.get("meta") == "availability":
                self.messages += 1
                self.last[index] = (time.perf_counter(), message["tickets"][0]["available"])

    async def _main(self) -> None:
        self.stop = asyncio.Event()
        limit = asyncio.Semaphore(50)

        async def open_one():  # type: ignore[no-untyped-def]
            async with limit:
                return await connect(self.url, open_timeout=60, compression=None)

        connections = await asyncio.gather(*(open_one() for _ in range(self.count)))
        readers = [asyncio.create_task(self._read(i, c)) for i, c in enumerate(connections)]
        self.opened.set()
        await self.stop.wait()
        await asyncio.gather(*(c.close() for c in connections), return_exceptions=True)
        await asyncio.gather(*readers, return_exceptions=True)

    def close(self) -> None:
        if self.stop is not None:
            self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--orders", type=int, default=60, help="orders per round and condition")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with launched() as stack:
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
        print(f"stack up, {total} buyers; {args.pages} pages, {args.orders} orders x {args.rounds} rounds")

        def orders(tokens: list[str]) -> list[float]:
            latencies = []
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
            return latencies

        alone: list[float] = []
        watched: list[float] = []
        messages, settle = 0, []
        remaining = iter(buyers)
        for _ in range(args.rounds):
            alone += orders([next(remaining) for _ in range(args.orders)])
            audience = Audience(stack.ws_url, event["id"], args.pages)
            try:
                watched += orders([next(remaining) for _ in range(args.orders)])
                ended = time.perf_counter()
                final = int(
                    session.get(f"{api}/public/events/{event['id']}", timeout=60).json()["tickets"][0][
                        "available"
                    ]
                )
                deadline = time.time() + 10
                while time.time() < deadline and not (
                    len(audience.last) == args.pages
                    and all(count == final for _, count in audience.last.values())
                ):
                    time.sleep(0.05)
                if audience.last:
                    settle.append((max(at for at, _ in audience.last.values()) - ended) * 1000)
                messages += audience.messages
            finally:
                audience.close()

    median_alone, median_watched = statistics.median(alone), statistics.median(watched)
    ratio = median_watched / median_alone
    print(f"{'condition':<28}{'orders':>8}{'p50 ms':>10}{'p95 ms':>10}")
    print(f"{'no page open':<28}{len(alone):>8}{median_alone:>10.1f}{percentile(alone, 0.95):>10.1f}")
    label = f"{args.pages} pages open"
    print(f"{label:<28}{len(watched):>8}{median_watched:>10.1f}{percentile(watched, 0.95):>10.1f}")
    print(f"ratio of medians: {ratio:.2f}x (goal <= {GOAL_RATIO}x)")
    print(
        f"availability messages received by the pages: {messages} "
        f"({messages / max(1, args.pages):.1f} per page for {len(watched)} orders)"
    )
    if settle:
        print(f"last page had the final count {max(settle):.0f} ms after the last order answered")
    return 0 if ratio <= GOAL_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
