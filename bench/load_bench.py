"""Load without loss: concurrent clients drive the running local stack for a bounded time, then
everything they were told succeeded is read back and every counter is checked.

Each client is a thread with its own ``requests.Session`` and picks, request after request, from
a mix of reads (event, tickets, sessions, one session, the public page), conditional GETs (the
ETag last seen for the path in ``If-None-Match``), writes (event description PATCH, session
create / PATCH, the whole ticket table PUT with ``If-Match``) and orders (place with an
``Idempotency-Key``, replay a key, cancel, mark paid) on a published event whose two tickets are
limited, so they sell out and free up again during the run.

Every acknowledged (2xx) write is recorded with the version its response's ETag carries and when
it was sent and answered. Once the clients stop, the checks:
- a session's title and the ticket table are those of their acknowledged write with the highest
  version (writes conditioned on the version read, so versions are exact), which real time must
  also allow to be last; an event's description, whose PATCH is not conditioned (its answer's
  ETag is the version read + 1, shared by racing PATCHes: counted and printed as a note), is that
  of an acknowledged PATCH no other acknowledged PATCH was sent after; every created session
  exists, nothing exists that nobody created;
- every acknowledged order is in the organizer's list (and the buyer's) with its items and the
  status its last acknowledged change gave it; a replayed key answered the same order;
- per ticket: ``quantity - available`` (= sold + reserved) equals the quantities of completed and
  pending orders, ``sold`` those of the completed ones, never more than ``quantity``; the public
  page says the same; on a stack it started itself it also reads the ticket items in DynamoDB
  (``held == sold + reserved``);
- ``/events/{id}/versions``: each counter moved by exactly the acknowledged writes to that
  collection (placed, cancelled and paid orders count once per ticket for ``tickets_ver``); with writes of
  unknown outcome (timeout, 5xx) at least the acknowledged and at most those plus the unknown;
  a 4xx is a refused write and must have changed nothing;
- a conditional GET never answers 200 with the ETag it was sent, and resources nobody writes
  (a quiet event) always answer 304;
- no 5xx and no status outside each operation's expected ones (409 sold out / busy, 412 stale
  If-Match) anywhere.
It prints throughput (overall and per kind), p50 / p99 latency per kind, the error statuses and
the verdict; the exit status is 1 on any inconsistency, 5xx or unexpected status (2 when the set-up
failed).

    .venv/bin/python bench/load_bench.py [--api http://127.0.0.1:8000/api] [--clients 16] [--duration 30]

Without ``--api`` it starts ``python -m devstack`` on free ports with a temporary DATA_DIR (and
cheap password hashing: the mix has no logins) and stops it afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
from devstack.launcher import CHEAP_HASHING, StackFailed, launched  # noqa: E402 - the repository root is on the path only now

REQUEST_TIMEOUT = 10.0
MAX_DURATION = 600.0
PASSWORD = "load-bench-password"
EVENT = {
    "starts_at": "2027-05-01T09:00:00+02:00",
    "ends_at": "2027-05-03T18:00:00+02:00",
    "timezone": "Europe/Berlin",
    "currency": "EUR",
}
# Percent of requests per kind (operations needing an order fall back to placing one).
MIX = {
    "get_event": 9,
    "list_tickets": 7,
    "list_sessions": 7,
    "get_session": 6,
    "public_event": 8,
    "cond_get": 15,
    "patch_event": 8,
    "create_session": 5,
    "patch_session": 7,
    "put_tickets": 5,
    "order_place": 15,
    "order_replay": 3,
    "order_cancel": 3,
    "order_mark_paid": 2,
}
WRITES = {"patch_event", "create_session", "patch_session", "put_tickets"}
ORDERS = {"order_place", "order_replay", "order_cancel", "order_mark_paid"}
# Orders that stay as they are (a cancelled one, or a paid one cancelled and so refunded).
CLOSED = {"cancelled", "refunded"}
# Statuses an operation may answer besides its success without anything being wrong.
REFUSALS: dict[str, set[tuple[int, str | None]]] = {
    "patch_event": {(409, "conflict")},
    "create_session": {(409, "conflict")},
    "patch_session": {(409, "conflict")},
    "put_tickets": {(412, "precondition_failed"), (409, "conflict")},
    "order_place": {(409, "sold_out"), (409, "busy"), (409, "conflict")},
    "order_cancel": {(409, "busy"), (409, "conflict")},
    "order_mark_paid": {(409, "busy"), (409, "conflict")},
}
_ETAG = re.compile(r'^"(\d+(?:\.\d+)*)-[0-9a-f]+"$')


def etag_version(etag: str | None) -> int | None:
    """The first version of a versioned ETag (``"7.3-1f2e..."`` -> 7)."""
    match = _ETAG.match(etag or "")
    return int(match.group(1).split(".")[0]) if match else None


def _tickets_written(items: list[dict[str, Any]]) -> int:
    """What an order's write adds to ``tickets_ver``: one per ticket counter item it writes (#21:
    orders version the tickets they change, not the event item); a line of a split ticket can
    spill over two slots, so the load's tickets stay below chalicelib.domain.stock.SPLIT_FROM."""
    return len({item["ticket_id"] for item in items})


def error_code(response: requests.Response) -> str | None:
    with contextlib.suppress(ValueError, AttributeError, TypeError):
        return response.json()["error"]["code"]
    return None


# --- the stack -----------------------------------------------------------------------------------


@contextlib.contextmanager
def local_stack() -> Iterator[Any]:
    """``python -m devstack`` on free ports with a temporary DATA_DIR, stopped on exit."""
    with launched(env=CHEAP_HASHING) as stack:
        yield stack


# --- what the clients were told ------------------------------------------------------------------


@dataclass(frozen=True)
class Ack:
    """An acknowledged write: the version its answer named, what it wrote, when it was sent and
    when its answer came (set-up values have neither)."""

    version: int
    value: Any
    sent: float = float("-inf")
    acked: float = float("-inf")


def by_version(acks: list[Ack]) -> Any:
    return max(acks, key=lambda ack: ack.version).value


def could_be_last(acks: list[Ack]) -> list[Any]:
    """What a write's last value may be, from real time alone: that of an acknowledged write that
    no other acknowledged write was sent after."""
    last_sent = max(ack.sent for ack in acks)
    return [ack.value for ack in acks if ack.acked >= last_sent]


@dataclass
class Order:
    order_id: str
    buyer: int
    key: str
    items: list[dict[str, Any]]
    status: str
    total: str = "0.00"
    unknown_statuses: set[str] = field(default_factory=set)


@dataclass
class EventState:
    event_id: str
    quiet: bool = False
    shop: bool = False
    ticket_ids: list[str] = field(default_factory=list)
    descriptions: list[Ack] = field(default_factory=list)
    unknown_descriptions: set[str] = field(default_factory=set)
    tables: list[Ack] = field(default_factory=list)  # ticket id -> description
    unknown_tables: list[dict[str, str | None]] = field(default_factory=list)
    session_ids: list[str] = field(default_factory=list)
    titles: dict[str, list[Ack]] = field(default_factory=dict)
    unknown_titles: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    unknown_creates: int = 0
    baseline: dict[str, int] = field(default_factory=dict)
    writes: Counter[str] = field(default_factory=Counter)  # acknowledged, per version counter
    unknown_writes: Counter[str] = field(default_factory=Counter)


class Ledger:
    """Everything acknowledged (and everything of unknown outcome), shared by the clients."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.events: dict[str, EventState] = {}
        self.orders: dict[str, Order] = {}
        self.open_orders: list[str] = []  # acknowledged, not cancelled, not claimed by a client
        self.unknown_places = 0
        self.problems: list[str] = []

    def problem(self, text: str) -> None:
        with self.lock:
            if len(self.problems) < 1000:
                self.problems.append(text)

    def claim_order(self, rng: random.Random, status: str | None = None) -> Order | None:
        with self.lock:
            candidates = [
                i for i, oid in enumerate(self.open_orders) if status in (None, self.orders[oid].status)
            ]
            if not candidates:
                return None
            index = rng.choice(candidates)
            self.open_orders[index], self.open_orders[-1] = self.open_orders[-1], self.open_orders[index]
            return self.orders[self.open_orders.pop()]

    def release_order(self, order: Order) -> None:
        with self.lock:
            if order.status not in CLOSED:
                self.open_orders.append(order.order_id)


# --- measurements --------------------------------------------------------------------------------


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def merge(self, other: Stats) -> None:
        for kind, values in other.latencies.items():
            self.latencies[kind].extend(values)
        for kind, counts in other.statuses.items():
            self.statuses[kind].update(counts)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


# --- the clients ---------------------------------------------------------------------------------


class Client:
    def __init__(
        self,
        index: int,
        clients: int,
        api_url: str,
        organizer: str,
        buyers: list[str],
        ledger: Ledger,
        seed: int,
    ):
        self.index = index
        self.clients = clients
        self.api_url = api_url
        self.organizer = organizer
        self.buyers = buyers
        self.ledger = ledger
        self.rng = random.Random(seed * 1000 + index)
        self.session = requests.Session()
        self.stats = Stats()
        self.etags: dict[str, str] = {}
        self.serial = 0
        self.events = list(ledger.events.values())
        self.busy = [e for e in self.events if not e.quiet]
        self.shop = next(e for e in self.events if e.shop)

    def unique(self, what: str) -> str:
        self.serial += 1
        return f"{what} c{self.index}-{self.serial}-{uuid.uuid4().hex[:6]}"

    def call(
        self,
        kind: str,
        method: str,
        path: str,
        token: str | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response | None:
        """One request, timed and counted under ``kind``; None when it got no answer."""
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        began = time.perf_counter()
        try:
            response = self.session.request(
                method, self.api_url + path, json=body, headers=all_headers, timeout=REQUEST_TIMEOUT
            )
        except requests.RequestException as error:
            self.stats.latencies[kind].append(time.perf_counter() - began)
            self.stats.statuses[kind][f"no answer ({type(error).__name__})"] += 1
            return None
        self.stats.latencies[kind].append(time.perf_counter() - began)
        code = error_code(response) if response.status_code >= 400 else None
        self.stats.statuses[kind][
            f"{response.status_code} {code}" if code else str(response.status_code)
        ] += 1
        if response.status_code >= 500:
            self.ledger.problem(f"{kind}: {method} {path} -> {response.status_code} {response.text[:200]}")
        elif response.status_code >= 400 and (response.status_code, code) not in REFUSALS.get(kind, set()):
            self.ledger.problem(f"{kind}: {method} {path} -> unexpected {response.status_code} {code}")
        return response

    def get(self, kind: str, path: str, token: str | None) -> requests.Response | None:
        response = self.call(kind, "GET", path, token)
        if response is not None and response.status_code == 200 and response.headers.get("ETag"):
            self.etags[path] = response.headers["ETag"]
        return response

    # -- reads --

    def get_event(self) -> None:
        self.get("get_event", f"/events/{self.rng.choice(self.events).event_id}", self.organizer)

    def list_tickets(self) -> None:
        self.get("list_tickets", f"/events/{self.rng.choice(self.events).event_id}/tickets", self.organizer)

    def list_sessions(self) -> None:
        self.get("list_sessions", f"/events/{self.rng.choice(self.events).event_id}/sessions", self.organizer)

    def get_session(self) -> None:
        event = self.rng.choice(self.events)
        with self.ledger.lock:
            session_id = self.rng.choice(event.session_ids)
        self.get("get_session", f"/events/{event.event_id}/sessions/{session_id}", self.organizer)

    def public_event(self) -> None:
        self.get("public_event", f"/public/events/{self.shop.event_id}", None)

    def cond_get(self) -> None:
        """Revalidate the copy of a path this client has (fetched first when it has none)."""
        event = self.rng.choice(self.events)
        base = f"/events/{event.event_id}"
        choices = [
            (base, "get_event"),
            (f"{base}/tickets", "list_tickets"),
            (f"{base}/sessions", "list_sessions"),
        ]
        if event.shop:
            choices.append((f"/public{base}", "public_event"))
        path, read_kind = self.rng.choice(choices)
        token = None if path.startswith("/public/") else self.organizer
        if path not in self.etags:
            self.get(read_kind, path, token)
        sent = self.etags.get(path)
        if sent is None:
            return
        response = self.call("cond_get", "GET", path, token, headers={"If-None-Match": sent})
        if response is None or response.status_code == 304:
            return
        if response.status_code == 200:
            received = response.headers.get("ETag")
            if received == sent:
                self.ledger.problem(f"cond_get: {path} answered 200 with the ETag it was sent ({sent})")
            elif event.quiet:
                self.ledger.problem(f"cond_get: {path} of the quiet event changed: {sent} -> {received}")
            if received:
                self.etags[path] = received

    # -- writes --

    @staticmethod
    def _acknowledged(response: requests.Response | None, status: int) -> bool:
        return response is not None and response.status_code == status

    def _version(self, response: requests.Response) -> int:
        version = etag_version(response.headers.get("ETag"))
        if version is None:
            self.ledger.problem(f"{response.request.method} {response.url}: no versioned ETag in the answer")
        return version or 0

    @staticmethod
    def _unknown_outcome(response: requests.Response | None) -> bool:
        return response is None or response.status_code >= 500

    def patch_event(self) -> None:
        event = self.rng.choice(self.busy)
        value = self.unique("description")
        sent = time.monotonic()
        response = self.call(
            "patch_event", "PATCH", f"/events/{event.event_id}", self.organizer, {"description": value}
        )
        if self._acknowledged(response, 200):
            ack = Ack(self._version(response), value, sent, time.monotonic())
            if response.json().get("description") != value:
                self.ledger.problem(f"patch_event: answered another description: {response.text[:200]}")
            with self.ledger.lock:
                event.descriptions.append(ack)
                event.writes["event_ver"] += 1
        elif self._unknown_outcome(response):
            with self.ledger.lock:
                event.unknown_descriptions.add(value)
                event.unknown_writes["event_ver"] += 1

    def create_session(self) -> None:
        event = self.rng.choice(self.busy)
        title = self.unique("session")
        day = self.rng.randint(1, 3)
        body = {
            "title": title,
            "starts_at": f"2027-05-0{day}T10:00:00+02:00",
            "ends_at": f"2027-05-0{day}T11:00:00+02:00",
        }
        sent = time.monotonic()
        response = self.call(
            "create_session", "POST", f"/events/{event.event_id}/sessions", self.organizer, body
        )
        if self._acknowledged(response, 201):
            session_id = response.json()["id"]
            with self.ledger.lock:
                event.session_ids.append(session_id)
                event.titles[session_id] = [Ack(0, title, sent, time.monotonic())]
                event.writes["sessions_ver"] += 1
        elif self._unknown_outcome(response):
            with self.ledger.lock:
                event.unknown_creates += 1
                event.unknown_writes["sessions_ver"] += 1

    def patch_session(self) -> None:
        event = self.rng.choice(self.busy)
        with self.ledger.lock:
            session_id = self.rng.choice(event.session_ids)
        title = self.unique("title")
        sent = time.monotonic()
        response = self.call(
            "patch_session",
            "PATCH",
            f"/events/{event.event_id}/sessions/{session_id}",
            self.organizer,
            {"title": title},
        )
        if self._acknowledged(response, 200):
            ack = Ack(self._version(response), title, sent, time.monotonic())
            with self.ledger.lock:
                event.titles[session_id].append(ack)
                event.writes["sessions_ver"] += 1
        elif self._unknown_outcome(response):
            with self.ledger.lock:
                event.unknown_titles[session_id].add(title)
                event.unknown_writes["sessions_ver"] += 1

    def put_tickets(self) -> None:
        """The wizard's save: read the table, change one description, PUT it with If-Match."""
        event = self.rng.choice(self.busy)
        path = f"/events/{event.event_id}/tickets"
        read = self.get("list_tickets", path, self.organizer)
        if read is None or read.status_code != 200:
            return
        rows = [
            {k: v for k, v in ticket.items() if k not in ("sold", "available", "position")}
            for ticket in read.json()
        ]
        self.rng.choice(rows)["description"] = self.unique("ticket")
        sent = time.monotonic()
        response = self.call(
            "put_tickets", "PUT", path, self.organizer, {"tickets": rows}, {"If-Match": read.headers["ETag"]}
        )
        descriptions = {row["id"]: row["description"] for row in rows}
        if self._acknowledged(response, 200):
            ack = Ack(self._version(response), descriptions, sent, time.monotonic())
            with self.ledger.lock:
                event.tables.append(ack)
                event.writes["tickets_ver"] += 1
        elif self._unknown_outcome(response):
            with self.ledger.lock:
                event.unknown_tables.append(descriptions)
                event.unknown_writes["tickets_ver"] += 1

    # -- orders --

    def _order_path(self) -> str:
        return f"/events/{self.shop.event_id}/orders"

    def order_place(self) -> None:
        buyer = self.rng.randrange(len(self.buyers))
        tickets = self.rng.sample(self.shop.ticket_ids, self.rng.choice((1, 1, 1, 2)))
        items = [{"ticket_id": t, "quantity": self.rng.randint(1, 2)} for t in tickets]
        key = uuid.uuid4().hex
        response = self.call(
            "order_place",
            "POST",
            self._order_path(),
            self.buyers[buyer],
            {"items": items},
            {"Idempotency-Key": key},
        )
        if self._acknowledged(response, 201):
            body = response.json()
            if response.headers.get("Idempotent-Replayed") != "false":
                self.ledger.problem(f"order_place: a fresh key was answered as a replay: {body.get('id')}")
            order = Order(body["id"], buyer, key, items, body["status"], body["total"])
            with self.ledger.lock:
                if order.order_id in self.ledger.orders:
                    self.ledger.problems.append(f"order_place: two keys got one order {order.order_id}")
                self.ledger.orders[order.order_id] = order
                self.ledger.open_orders.append(order.order_id)
                self.shop.writes["tickets_ver"] += _tickets_written(items)
        elif self._unknown_outcome(response):
            with self.ledger.lock:
                self.ledger.unknown_places += 1
                self.shop.unknown_writes["tickets_ver"] += _tickets_written(items)

    def order_replay(self) -> None:
        order = self.ledger.claim_order(self.rng)
        if order is None:
            self.order_place()
            return
        try:
            response = self.call(
                "order_replay",
                "POST",
                self._order_path(),
                self.buyers[order.buyer],
                {"items": order.items},
                {"Idempotency-Key": order.key},
            )
        finally:
            self.ledger.release_order(order)
        if response is not None and response.status_code == 201:
            replayed = response.headers.get("Idempotent-Replayed")
            if response.json().get("id") != order.order_id or replayed != "true":
                self.ledger.problem(
                    f"order_replay: key of {order.order_id} answered {response.json().get('id')} "
                    f"(Idempotent-Replayed: {replayed})"
                )
        elif response is not None and response.status_code < 500:
            self.ledger.problem(f"order_replay: {order.order_id} answered {response.status_code}")

    def _close(self, kind: str, order: Order, path: str, token: str, body: Any, status: str) -> None:
        try:
            response = self.call(kind, "POST", path, token, body)
            if self._acknowledged(response, 200):
                if response.json().get("status") != status:
                    self.ledger.problem(
                        f"{kind}: {order.order_id} answered status {response.json().get('status')}"
                    )
                with self.ledger.lock:
                    order.status = status
                    self.shop.writes["tickets_ver"] += _tickets_written(order.items)
            elif self._unknown_outcome(response):
                with self.ledger.lock:
                    order.unknown_statuses.add(status)
                    self.shop.unknown_writes["tickets_ver"] += _tickets_written(order.items)
        finally:
            self.ledger.release_order(order)

    def order_cancel(self) -> None:
        order = self.ledger.claim_order(self.rng)
        if order is None:
            self.order_place()
            return
        # The buyer cancels a pending order; only the organizer may cancel a completed one, and a
        # paid one is refunded in full by that.
        token = self.buyers[order.buyer] if order.status == "pending" else self.organizer
        paid = order.status == "completed" and Decimal(order.total) > 0
        path = f"/orders/{order.order_id}/cancel"
        self._close("order_cancel", order, path, token, None, "refunded" if paid else "cancelled")

    def order_mark_paid(self) -> None:
        order = self.ledger.claim_order(self.rng, status="pending")
        if order is None:
            self.order_place()
            return
        path = f"/events/{self.shop.event_id}/orders/{order.order_id}/mark-paid"
        self._close(
            "order_mark_paid", order, path, self.organizer, {"reference": self.unique("ref")}, "completed"
        )

    def run(self, deadline: float) -> None:
        kinds = list(MIX)
        weights = [MIX[k] for k in kinds]
        # Each kind once first (clients starting at different kinds), so that even a run of a
        # few seconds covers the whole mix; then at random by weight.
        start = self.index * len(kinds) // self.clients
        first = kinds[start:] + kinds[:start]
        try:
            while time.monotonic() < deadline:
                kind = first.pop(0) if first else self.rng.choices(kinds, weights)[0]
                try:
                    getattr(self, kind)()
                except Exception as error:  # a malformed answer: counted, the client goes on
                    self.ledger.problem(f"{kind}: {type(error).__name__}: {error}")
        finally:
            self.session.close()


# --- set-up --------------------------------------------------------------------------------------


class Setup:
    """The organizer, the events, their tickets and sessions, and the buyers (outside the clock)."""

    def __init__(self, api_url: str) -> None:
        self.api_url = api_url
        self.session = requests.Session()
        self.run_id = uuid.uuid4().hex[:8]

    def call(
        self, method: str, path: str, token: str | None = None, body: Any = None, expect: int = 200
    ) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        for _ in range(5):
            response = self.session.request(
                method, self.api_url + path, json=body, headers=headers, timeout=REQUEST_TIMEOUT * 3
            )
            if response.status_code != 429:
                break
            time.sleep(min(5.0, float(response.headers.get("Retry-After") or 1)))
        if response.status_code != expect:
            raise RuntimeError(f"set-up: {method} {path} -> {response.status_code} {response.text[:300]}")
        return response.json() if response.content else None

    def signup(self, who: str) -> str:
        email = f"load-{who}-{self.run_id}@example.com"
        body = {"email": email, "password": PASSWORD, "name": f"Load {who}"}
        return str(self.call("POST", "/auth/signup", body=body, expect=201)["token"])

    def event(self, organizer: str, name: str, tickets: list[dict[str, Any]], sessions: int) -> EventState:
        event = self.call("POST", "/events", organizer, {"name": name, **EVENT}, expect=201)
        state = EventState(event["id"])
        for ticket in tickets:
            state.ticket_ids.append(
                self.call("POST", f"/events/{state.event_id}/tickets", organizer, ticket, expect=201)["id"]
            )
        for number in range(sessions):
            body = {
                "title": f"Opening {number}",
                "starts_at": "2027-05-01T10:00:00+02:00",
                "ends_at": "2027-05-01T11:00:00+02:00",
            }
            created = self.call("POST", f"/events/{state.event_id}/sessions", organizer, body, expect=201)
            state.session_ids.append(created["id"])
            state.titles[created["id"]] = [Ack(0, body["title"])]
        return state

    def build(self, events: int, buyers: int, quantity: int) -> tuple[str, list[str], Ledger]:
        organizer = self.signup("organizer")
        ledger = Ledger()
        shop = self.event(
            organizer,
            f"Load shop {self.run_id}",
            [
                {"name": "Standard", "type": "paid", "price": "12.50", "quantity": quantity, "max_order": 2},
                {"name": "Community", "type": "free", "price": "0", "quantity": quantity, "max_order": 2},
            ],
            sessions=5,
        )
        shop.shop = True
        self.call("PATCH", f"/events/{shop.event_id}", organizer, {"state": "published"})
        states = [shop]
        for number in range(1, events):
            states.append(
                self.event(
                    organizer,
                    f"Load event {number} {self.run_id}",
                    [
                        {"name": "Early", "type": "paid", "price": "30.00", "quantity": 100},
                        {"name": "Late", "type": "paid", "price": "45.00", "quantity": 100},
                        {"name": "Free", "type": "free", "price": "0", "quantity": 100},
                    ],
                    sessions=5,
                )
            )
        quiet = self.event(
            organizer,
            f"Load quiet {self.run_id}",
            [{"name": "Only", "type": "free", "price": "0", "quantity": 10}],
            sessions=3,
        )
        quiet.quiet = True
        states.append(quiet)
        for state in states:
            ledger.events[state.event_id] = state
            state.baseline = self.call("GET", f"/events/{state.event_id}/versions", organizer)
            tickets = self.call("GET", f"/events/{state.event_id}/tickets", organizer)
            state.tables.append(Ack(-1, {t["id"]: t["description"] for t in tickets}))
            state.descriptions.append(
                Ack(-1, self.call("GET", f"/events/{state.event_id}", organizer)["description"])
            )
        tokens = [self.signup(f"buyer{number}") for number in range(buyers)]
        return organizer, tokens, ledger


# --- the checks ----------------------------------------------------------------------------------


class Verifier:
    def __init__(
        self, api_url: str, organizer: str, buyers: list[str], ledger: Ledger, aws_endpoint: str | None
    ):
        self.api_url = api_url
        self.organizer = organizer
        self.buyers = buyers
        self.ledger = ledger
        self.aws_endpoint = aws_endpoint
        self.session = requests.Session()
        self.problems: list[str] = []
        self.notes: list[str] = []
        self.checks = 0

    def check(self, ok: bool, text: str) -> None:
        self.checks += 1
        if not ok:
            self.problems.append(text)

    def get(self, path: str, token: str | None = None) -> requests.Response:
        headers = {"Authorization": f"Bearer {token or self.organizer}"}
        response = self.session.get(self.api_url + path, headers=headers, timeout=REQUEST_TIMEOUT * 3)
        if response.status_code != 200:
            raise RuntimeError(f"read-back: GET {path} -> {response.status_code} {response.text[:200]}")
        return response

    def pages(self, path: str, token: str | None = None) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        cursor = None
        while True:
            response = self.get(f"{path}?limit=100" + (f"&cursor={cursor}" if cursor else ""), token)
            found += response.json()
            cursor = response.headers.get("X-Next-Cursor")
            if not cursor:
                return found

    def latest(self, what: str, acks: list[Ack]) -> Any:
        """The value of the acknowledged write with the highest version, which must also be one
        that real time allows to be last (for counters every write is conditioned on)."""
        value = by_version(acks)
        self.check(value in could_be_last(acks), f"{what}: the versions contradict the order in real time")
        return value

    def run(self) -> None:
        for event in self.ledger.events.values():
            self.event(event)
        self.orders()
        self.shared_versions()

    def shared_versions(self) -> None:
        """Event PATCHes without If-Match are not conditioned on the version they read, so two
        racing ones both answer "read + 1" (their bumps add up; the counter is right)."""
        shared = 0
        for event in self.ledger.events.values():
            versions = Counter(ack.version for ack in event.descriptions)
            shared += sum(n for n in versions.values() if n > 1)
        if shared:
            self.notes.append(
                f"{shared} acknowledged PATCH /events answers named the same ETag version as another one "
                "(PATCH without If-Match: the answer's ETag is the version read + 1, not the one written)"
            )

    def event(self, state: EventState) -> None:
        eid = state.event_id
        # Event PATCHes name no exact version (see shared_versions): real time alone decides.
        description = self.get(f"/events/{eid}").json()["description"]
        candidates = could_be_last(state.descriptions)
        self.check(
            description in candidates or description in state.unknown_descriptions,
            f"event {eid}: description {description!r}, the acknowledged ones that may be last: {candidates}",
        )
        tickets = {t["id"]: t for t in self.get(f"/events/{eid}/tickets").json()}
        table = self.latest(f"event {eid} tickets", state.tables)
        stored = {tid: t["description"] for tid, t in tickets.items()}
        self.check(
            stored == table or stored in state.unknown_tables,
            f"event {eid}: ticket descriptions {stored}, the latest acknowledged table has {table}",
        )
        sessions = {s["id"]: s for s in self.get(f"/events/{eid}/sessions").json()}
        missing = [sid for sid in state.session_ids if sid not in sessions]
        self.check(not missing, f"event {eid}: acknowledged sessions missing: {missing}")
        extra = [sid for sid in sessions if sid not in state.titles]
        self.check(
            len(extra) <= state.unknown_creates,
            f"event {eid}: sessions nobody was told were created: {extra}",
        )
        for sid, titles in state.titles.items():
            if sid in sessions:
                title, expected = sessions[sid]["title"], self.latest(f"session {sid}", titles)
                self.check(
                    title == expected or title in state.unknown_titles.get(sid, set()),
                    f"session {sid}: title {title!r}, the latest acknowledged is {expected!r}",
                )
        self.versions(state)

    def versions(self, state: EventState) -> None:
        now = self.get(f"/events/{state.event_id}/versions").json()
        for counter, before in state.baseline.items():
            moved = now[counter] - before
            acknowledged = state.writes[counter]
            unknown = state.unknown_writes[counter]
            self.check(
                acknowledged <= moved <= acknowledged + unknown,
                f"event {state.event_id}: {counter} moved by {moved} for {acknowledged} acknowledged "
                f"and {unknown} unknown writes",
            )

    def orders(self) -> None:
        shop = next(e for e in self.ledger.events.values() if e.shop)
        listed = {o["id"]: o for o in self.pages(f"/events/{shop.event_id}/orders")}
        acknowledged = self.ledger.orders
        for order in acknowledged.values():
            stored = listed.get(order.order_id)
            if stored is None:
                self.check(False, f"order {order.order_id}: acknowledged, not in the organizer's list")
                continue
            items = sorted((i["ticket_id"], i["quantity"]) for i in stored["items"])
            self.check(
                items == sorted((i["ticket_id"], i["quantity"]) for i in order.items),
                f"order {order.order_id}: items {stored['items']} differ from those ordered {order.items}",
            )
            self.check(
                stored["status"] == order.status or stored["status"] in order.unknown_statuses,
                f"order {order.order_id}: status {stored['status']}, acknowledged {order.status}",
            )
        phantoms = [oid for oid in listed if oid not in acknowledged]
        self.check(
            len(phantoms) <= self.ledger.unknown_places, f"orders nobody was told were placed: {phantoms[:5]}"
        )
        for number, token in enumerate(self.buyers):
            mine = {o["id"] for o in self.pages("/me/orders", token)}
            lost = [o.order_id for o in acknowledged.values() if o.buyer == number and o.order_id not in mine]
            self.check(not lost, f"buyer {number}: acknowledged orders missing from /me/orders: {lost}")
        self.counters(shop, list(listed.values()))

    def counters(self, shop: EventState, orders: list[dict[str, Any]]) -> None:
        sold: Counter[str] = Counter()
        committed: Counter[str] = Counter()
        for order in orders:
            for item in order["items"]:
                if order["status"] == "completed":
                    sold[item["ticket_id"]] += item["quantity"]
                if order["status"] in ("completed", "pending"):
                    committed[item["ticket_id"]] += item["quantity"]
        public = {
            t["id"]: t
            for t in self.session.get(f"{self.api_url}/public/events/{shop.event_id}").json()["tickets"]
        }
        raw = self.raw_tickets(shop.event_id)
        for ticket in self.get(f"/events/{shop.event_id}/tickets").json():
            tid, quantity = ticket["id"], ticket["quantity"]
            self.check(
                committed[tid] <= quantity, f"ticket {tid}: orders hold {committed[tid]} of {quantity}"
            )
            self.check(
                ticket["sold"] == sold[tid],
                f"ticket {tid}: sold {ticket['sold']}, completed orders {sold[tid]}",
            )
            self.check(
                quantity - ticket["available"] == committed[tid],
                f"ticket {tid}: sold + reserved = {quantity - ticket['available']}, completed + pending "
                f"orders {committed[tid]}",
            )
            self.check(
                ticket["sold"] <= quantity, f"ticket {tid}: sold {ticket['sold']} > quantity {quantity}"
            )
            self.check(
                public[tid]["available"] == ticket["available"],
                f"ticket {tid}: public page says {public[tid]['available']} available, organizer view "
                f"{ticket['available']}",
            )
            if tid in raw:
                item = raw[tid]
                self.check(
                    item["held"] == item["sold"] + item["reserved"] == committed[tid],
                    f"ticket {tid}: stored {item}, completed + pending orders {committed[tid]}",
                )

    def raw_tickets(self, event_id: str) -> dict[str, dict[str, int]]:
        """The ticket items as stored (only when the stack's DynamoDB endpoint is known)."""
        if not self.aws_endpoint:
            return {}
        import boto3

        dynamodb = boto3.session.Session().client(
            "dynamodb",
            endpoint_url=self.aws_endpoint,
            region_name="us-east-1",
            aws_access_key_id="devstack",
            aws_secret_access_key="devstack",
        )
        (table,) = [name for name in dynamodb.list_tables()["TableNames"] if name.endswith("-events")]
        items = dynamodb.query(
            TableName=table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": {"S": f"EVENT#{event_id}"}, ":prefix": {"S": "TICKET#"}},
            ConsistentRead=True,
        )["Items"]
        return {
            item["sk"]["S"].removeprefix("TICKET#"): {
                name: int(item.get(name, {"N": "0"})["N"]) for name in ("sold", "reserved", "held")
            }
            for item in items
        }


# --- the run -------------------------------------------------------------------------------------


def run_load(api_url: str, aws_endpoint: str | None, args: argparse.Namespace) -> dict[str, Any]:
    organizer, buyers, ledger = Setup(api_url).build(args.events, args.buyers, args.quantity)
    clients = [
        Client(i, args.clients, api_url, organizer, buyers, ledger, args.seed) for i in range(args.clients)
    ]
    load_before = os.getloadavg()[0]
    began = time.monotonic()
    deadline = began + args.duration
    threads = [threading.Thread(target=c.run, args=(deadline,), daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline + REQUEST_TIMEOUT + 5 - time.monotonic()))
    elapsed = time.monotonic() - began
    stuck = sum(thread.is_alive() for thread in threads)
    load = (load_before, os.getloadavg()[0])
    stats = Stats()
    for client in clients:
        stats.merge(client.stats)

    verifier = Verifier(api_url, organizer, buyers, ledger, aws_endpoint)
    if stuck:
        verifier.problems.append(
            f"{stuck} clients still running {REQUEST_TIMEOUT + 5:.0f}s after the deadline"
        )
    else:
        verifier.run()
    return summarize(stats, elapsed, ledger, verifier, args) | {"load_average": load}


def summarize(
    stats: Stats, elapsed: float, ledger: Ledger, verifier: Verifier, args: argparse.Namespace
) -> dict[str, Any]:
    kinds = {}
    for kind in MIX:
        values = stats.latencies.get(kind, [])
        kinds[kind] = {
            "count": len(values),
            "per_second": len(values) / elapsed,
            "p50_ms": percentile(values, 0.50) * 1000,
            "p99_ms": percentile(values, 0.99) * 1000,
            "statuses": dict(sorted(stats.statuses.get(kind, Counter()).items())),
        }
    total = sum(k["count"] for k in kinds.values())
    all_latencies = [v for values in stats.latencies.values() for v in values]
    errors: Counter[str] = Counter()
    for counts in stats.statuses.values():
        errors.update({status: n for status, n in counts.items() if not status.startswith(("2", "304"))})
    problems = ledger.problems + verifier.problems
    return {
        "clients": args.clients,
        "duration_s": elapsed,
        "requests": total,
        "per_second": total / elapsed,
        "p50_ms": percentile(all_latencies, 0.50) * 1000,
        "p99_ms": percentile(all_latencies, 0.99) * 1000,
        "kinds": kinds,
        "errors": dict(sorted(errors.items())),
        "orders_acknowledged": len(ledger.orders),
        "checks": verifier.checks,
        "problems": problems,
        "notes": verifier.notes,
        "consistent": not problems,
    }


def print_report(report: dict[str, Any], target: str) -> None:
    print(f"\nload: {report['clients']} clients for {report['duration_s']:.1f}s against {target}")
    print(f"{'kind':<16} {'count':>6} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8}  statuses")
    for kind, row in report["kinds"].items():
        statuses = ", ".join(f"{s}: {n}" for s, n in row["statuses"].items())
        print(
            f"{kind:<16} {row['count']:>6} {row['per_second']:>7.1f} {row['p50_ms']:>8.1f} "
            f"{row['p99_ms']:>8.1f}  {statuses}"
        )
    print(
        f"{'all':<16} {report['requests']:>6} {report['per_second']:>7.1f} {report['p50_ms']:>8.1f} "
        f"{report['p99_ms']:>8.1f}"
    )
    cond = report["kinds"]["cond_get"]["statuses"]
    print(f"conditional GETs: {cond.get('304', 0)} x 304, {cond.get('200', 0)} x 200")
    print("errors by status: " + (", ".join(f"{s}: {n}" for s, n in report["errors"].items()) or "none"))
    print(f"orders acknowledged: {report['orders_acknowledged']}")
    before, after = report["load_average"]
    print(
        f"machine load average (1 min): {before:.1f} before, {after:.1f} after, on {os.cpu_count()} CPUs "
        "(the stack, its moto and these clients share them)"
    )
    for note in report["notes"]:
        print(f"note: {note}")
    if report["consistent"]:
        print(f"consistency: OK ({report['checks']} checks, no 5xx, no unexpected status)")
    else:
        print(f"consistency: FAILED ({len(report['problems'])} problems, {report['checks']} checks)")
        for problem in report["problems"][:40]:
            print(f"  - {problem}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--api", help="the running stack's API, e.g. http://127.0.0.1:8000/api (else one is started)"
    )
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of load (default 30)")
    parser.add_argument("--events", type=int, default=3, help="busy events, one of them selling (default 3)")
    parser.add_argument("--buyers", type=int, default=8, help="buyer accounts (default 8)")
    parser.add_argument(
        "--quantity", type=int, default=40, help="quantity of each ticket on sale (default 40)"
    )
    parser.add_argument(
        "--aws-endpoint", help="with --api: the stack's moto endpoint, to also check the stored ticket items"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json-out", type=Path, help="also write the report as JSON to this file")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.events < 1 or args.buyers < 1 or args.quantity < 2:
        parser.error("--clients, --events, --buyers >= 1, --quantity >= 2")
    if not 0 < args.duration <= MAX_DURATION:
        # Pending orders must not expire during the run (the holds last 15 minutes).
        parser.error(f"--duration from 0 to {MAX_DURATION:.0f} seconds")

    try:
        with contextlib.ExitStack() as stack:
            if args.api:
                api_url, aws_endpoint, target = args.api.rstrip("/"), args.aws_endpoint, args.api
            else:
                started = stack.enter_context(local_stack())
                api_url, aws_endpoint, target = (
                    started.api_url,
                    started.aws_endpoint,
                    f"{started.api_url} (a stack started by devstack.launcher)",
                )
            report = run_load(api_url, aws_endpoint, args)
    except (RuntimeError, StackFailed, requests.RequestException) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print_report(report, target)
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=2))
    return 0 if report["consistent"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
