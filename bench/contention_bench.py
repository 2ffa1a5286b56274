"""Item contention of orders (#21), measured two ways, side by side in one run.

1. Structurally, on moto in-process: place orders of one event through the real use case and
   record the keys each order's TransactWriteItems writes; print how many items every order of
   the event shares (goal: 0) and the most shared item's share of orders, for an unsplit ticket,
   a split one and orders spread over several tickets. (The embedded moto serializes requests,
   so it cannot show conflicts themselves; which items are shared is what decides them.) Run
   with ``--root`` pointing at another checkout to measure that code the same way (main, before
   #21, wrote the event item in every order).

2. A small discrete-event model of DynamoDB's documented behaviour: a transaction is cancelled
   (TransactionConflict) when another one in flight touches one of its items, and an item takes
   at most ``ITEM_WCU`` write units a second (a transactional write costs 2 per item); the client
   re-reads and retries with the backoff of chalicelib/store/retry.py, ``MAX_ATTEMPTS`` times,
   then answers ``busy``. It prints orders/s and the share of ``busy`` for 500 concurrent buyers
   of one ticket with the old event-item write, without it, and with split inventory.

    .venv/bin/python bench/contention_bench.py [--orders 60] [--buyers 500] [--seed 21]
"""

import argparse
import heapq
import os
import random
import statistics
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.client import BaseClient
from moto import mock_aws

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--orders", type=int, default=60, help="orders placed per structural scenario")
parser.add_argument("--buyers", type=int, default=500, help="concurrent buyers in the model")
parser.add_argument("--seed", type=int, default=21)
parser.add_argument("--root", default=str(Path(__file__).resolve().parent.parent), help="checkout to measure")
ARGS = parser.parse_args()

# chalicelib is imported inside the functions below, from --root, once this is set.
sys.path.insert(0, ARGS.root)
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
        "MARQUEE_STAGE": "bench",
        "MARQUEE_JWT_SECRET": "bench-secret-bench-secret-bench-secret!",
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)

# --- 1. structural ------------------------------------------------------------------------------
written: list[list[str]] = []
_original_call = BaseClient._make_api_call


def _recording_call(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
    if client.meta.service_model.service_name == "dynamodb" and operation == "TransactWriteItems":
        keys = []
        for item in params["TransactItems"]:
            ((_kind, body),) = item.items()
            key = body.get("Key") or {k: v for k, v in body["Item"].items() if k in ("pk", "sk")}
            keys.append(f"{body['TableName'].rsplit('-', 1)[-1]}:" + "|".join(v["S"] for v in key.values()))
        written.append(keys)
    return _original_call(client, operation, params)


def _user(name: str) -> Any:
    import uuid

    from chalicelib.store.models.users import UserModel

    user_id = uuid.uuid4().hex
    user = UserModel(user_id, email=f"{user_id}@example.com", name=name, password_hash="-", created_at="2026")
    user.save()
    return user


def _event(organizer: Any, tickets: int, quantity: int) -> tuple[Any, list[str]]:
    from chalicelib.store.events import create_event
    from chalicelib.store.tickets import replace_tickets

    event = create_event(
        {
            "name": "Contention Conf",
            "starts_at": "2027-05-01T09:00:00+00:00",
            "ends_at": "2027-05-03T18:00:00+00:00",
            "timezone": "UTC",
            "state": "published",
        },
        organizer.user_id,
    )
    rows = [
        {"name": f"T{i}", "type": "paid", "price": "10.00", "quantity": quantity, "max_order": 10}
        for i in range(tickets)
    ]
    saved, _versions = replace_tickets(event, {"tickets": rows}, None)
    return event, [ticket.ticket_id for ticket in saved]


def structural(label: str, tickets: int, quantity: int) -> dict[str, Any]:
    import uuid

    from chalicelib.services.orders import place_order

    event, ids = _event(_user("Organizer"), tickets, quantity)
    buyers = [_user(f"Buyer {i}") for i in range(ARGS.orders)]
    written.clear()
    for number, buyer in enumerate(buyers):
        items = [{"ticket_id": ids[number % len(ids)], "quantity": 1}]
        place_order(event, buyer, uuid.uuid4().hex, {"items": items})
    orders = list(written)
    shared_by_all = set(orders[0]).intersection(*orders[1:])
    counts = Counter(key for keys in orders for key in set(keys))
    hottest, hits = counts.most_common(1)[0]
    event_item = f"events:EVENT#{event.event_id}|EVENT"
    return {
        "label": label,
        "orders": len(orders),
        "items": statistics.mean(len(keys) for keys in orders),
        "shared": len(shared_by_all),
        "event_item": sum(event_item in keys for keys in orders),
        "hottest": hits / len(orders),
        "hottest_key": hottest.split("|")[-1].split("#")[0],
    }


def run_structural() -> list[dict[str, Any]]:
    from chalicelib.store.provision import provision

    BaseClient._make_api_call = _recording_call  # type: ignore[method-assign]
    try:
        with mock_aws():
            provision(report=lambda _line: None)
            return [
                structural("one ticket of 500 seats (not split)", 1, 500),
                structural("one ticket of 4,000 seats (split: 16 slots)", 1, 4000),
                structural("4 tickets of 500 seats, orders spread", 4, 500),
            ]
    finally:
        BaseClient._make_api_call = _original_call  # type: ignore[method-assign]


# --- 2. the model -------------------------------------------------------------------------------
# DynamoDB figures (documented): 1,000 WCU/s per partition (an item cannot be split across
# partitions); a transactional write of an item up to 1 KB costs 2 WCU. Times are assumptions of
# the model, printed with its results: a transaction in flight (prepare to commit) for LOCK_MS,
# a cancelled one answering after CANCEL_MS, the re-read before a retry READ_MS.
ITEM_WCU = 1000
TX_WCU = 2
LOCK_MS = (8.0, 14.0)
CANCEL_MS = 4.0
READ_MS = 5.0
MAX_ATTEMPTS = 8  # chalicelib.store.orders.MAX_ATTEMPTS
BACKOFF_MS = 10.0  # chalicelib.store.retry.BACKOFF_SECONDS


@dataclass
class Outcome:
    label: str
    done: int
    busy: int
    seconds: float
    attempts: float
    p95_ms: float


def model(label: str, items_of: Callable[[random.Random, int], list[str]], buyers: int, seed: int) -> Outcome:
    """``items_of(rng, buyer)``: the items one attempt of that buyer's order writes."""
    rng = random.Random(seed)
    locked: dict[str, float] = {}
    spacing = TX_WCU / ITEM_WCU * 1000.0  # ms between two transactional writes of one item
    last_write: dict[str, float] = {}
    queue = [(rng.uniform(0, 1.0), buyer, 1) for buyer in range(buyers)]  # all arrive within 1 ms
    heapq.heapify(queue)
    finished: dict[int, float] = {}
    attempts: Counter[int] = Counter()
    busy = 0
    while queue:
        start, buyer, attempt = heapq.heappop(queue)
        attempts[buyer] = attempt
        items = items_of(rng, buyer)
        conflict = any(locked.get(item, -1.0) > start for item in items)
        throttled = any(start - last_write.get(item, -1e9) < spacing for item in items)
        if not conflict and not throttled:
            end = start + rng.uniform(*LOCK_MS)
            for item in items:
                locked[item] = end
                last_write[item] = start
            finished[buyer] = end
            continue
        if attempt == MAX_ATTEMPTS:
            busy += 1
            finished[buyer] = start + CANCEL_MS
            continue
        wait = rng.uniform(0, BACKOFF_MS * 2 ** (attempt - 1))
        heapq.heappush(queue, (start + CANCEL_MS + wait + READ_MS, buyer, attempt + 1))
    done = buyers - busy
    span = max(finished.values()) / 1000.0
    latencies = sorted(finished.values())
    return Outcome(
        label,
        done,
        busy,
        span,
        statistics.mean(attempts.values()),
        latencies[int(0.95 * (len(latencies) - 1))],
    )


def _own(buyer: int) -> list[str]:
    return [f"idempotency{buyer}", f"order{buyer}", f"hold{buyer}"]


def run_model() -> list[Outcome]:
    buyers, seed = ARGS.buyers, ARGS.seed

    def split(slots: int) -> Callable[[random.Random, int], list[str]]:
        return lambda rng, b: [*_own(b), f"slot{rng.randrange(slots)}"]

    return [
        model(
            "one ticket + the event item (before #21)",
            lambda rng, b: [*_own(b), "ticket", "event"],
            buyers,
            seed,
        ),
        model("one ticket, no event item", lambda rng, b: [*_own(b), "ticket"], buyers, seed),
        model("one ticket split in 4 slots", split(4), buyers, seed),
        model("one ticket split in 16 slots", split(16), buyers, seed),
        model(
            "4 tickets + the event item (before #21)",
            lambda rng, b: [*_own(b), f"t{b % 4}", "event"],
            buyers,
            seed,
        ),
        model("4 tickets, no event item", lambda rng, b: [*_own(b), f"t{b % 4}"], buyers, seed),
    ]


def main() -> None:
    print(f"structural, {ARGS.orders} orders per scenario, code of {ARGS.root}:")
    print(
        f"  {'scenario':46} {'items/order':>11} {'shared by all':>13} {'event item':>10} {'hottest item':>14}"
    )
    for row in run_structural():
        hottest = f"{row['hottest']:.0%} {row['hottest_key']}"
        print(
            f"  {row['label']:46} {row['items']:11.1f} {row['shared']:13d} "
            f"{row['event_item']:>4}/{row['orders']:<5} {hottest:>14}"
        )
    print(
        f"\nmodel: {ARGS.buyers} concurrent buyers, seed {ARGS.seed}; "
        f"in flight {LOCK_MS[0]:.0f}-{LOCK_MS[1]:.0f} ms, "
        f"{ITEM_WCU} WCU/s per item at {TX_WCU} WCU per transactional write, {MAX_ATTEMPTS} attempts, "
        f"backoff up to {BACKOFF_MS:.0f} ms x 2^n"
    )
    outcomes = run_model()
    base = outcomes[0]
    print(f"  {'scenario':42} {'orders/s':>9} {'x before':>8} {'busy':>7} {'attempts':>8} {'p95 ms':>7}")
    for o in outcomes:
        rate = o.done / o.seconds
        print(
            f"  {o.label:42} {rate:9.0f} {rate / (base.done / base.seconds):8.2f} "
            f"{o.busy / ARGS.buyers:7.1%} {o.attempts:8.2f} {o.p95_ms:7.0f}"
        )


if __name__ == "__main__":
    main()
