"""A 500-scan check-in batch against the local stack, next to the same work sent scan by scan.

    .venv/bin/python bench/checkin_bench.py [--scans 500] [--singles 50] [--rounds 1]

It starts its own stack (`python -m devstack` on free ports, a temporary DATA_DIR), makes a
published event with one free ticket, and orders (``--scans`` + ``--singles``) x ``--rounds``
attendees. Each round then measures, on fresh attendees, side by side:

- ``batch``: one POST /events/{id}/checkins carrying ``--scans`` scans (all admitted);
- ``singles``: ``--singles`` POSTs of one scan each (all admitted), one after the other, as a
  scanner that never batches would send them (a sample: per-scan times are compared; 500 of
  them take minutes on moto, see below);
- ``replay``: the batch sent again with the same scan ids (every answer read back, none redone);
- ``repeats``: the batch's codes again under new scan ids (all ``already_checked_in``).

It prints each one's wall time and per-scan time, and the per-scan ratios to the batch. No goal
is asserted: the figures are for docs/benchmarks.md. moto serializes every DynamoDB request and
copies every table for each TransactWriteItems (to roll back), so on the local stack a
transaction costs time in proportion to the data stored and the number of transactions
dominates; absolute times are the local stack's, not AWS's. The ratios show what batching saves:
requests, authentication and permission checks, BatchGetItem chunks of 100 keys, up to 100 items
(here 98 admissions) per transaction.
"""

import argparse
import statistics
import sys
import time
import uuid
from pathlib import Path

import requests

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
from devstack.launcher import launched  # noqa: E402 - the repository root is on the path only now

EVENT = {
    "name": "Door Bench",
    "starts_at": "2027-05-01T09:00:00+02:00",
    "ends_at": "2027-05-02T18:00:00+02:00",
    "timezone": "Europe/Berlin",
}


class Client:
    def __init__(self, api_url: str) -> None:
        self.api_url = api_url
        self.session = requests.Session()

    def call(self, method: str, path: str, body: object = None, token: str = "", **headers: str) -> object:
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = self.session.request(
            method, f"{self.api_url}{path}", json=body, headers=headers, timeout=300
        )
        if response.status_code >= 300:
            raise SystemExit(f"{method} {path} -> {response.status_code}: {response.text[:300]}")
        return response.json()

    def signup(self, name: str) -> str:
        email = f"{name}-{uuid.uuid4().hex[:8]}@example.com"
        body = {"email": email, "password": "bench password", "name": name}
        return str(self.call("POST", "/auth/signup", body)["token"])  # type: ignore[index]


def scans(codes: list[str], ids: list[str] | None = None) -> list[dict[str, str]]:
    ids = ids or [str(uuid.uuid4()) for _ in codes]
    return [
        {"id": scan_id, "code": code, "scanned_at": "2027-05-01T09:05:00+02:00", "device": "Bench door"}
        for scan_id, code in zip(ids, codes, strict=True)
    ]


def timed(action) -> tuple[float, list[str]]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    results = action()
    return time.perf_counter() - started, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scans", type=int, default=500)
    parser.add_argument("--singles", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=1)
    options = parser.parse_args()
    per_round = options.scans + options.singles
    with launched() as stack:
        client = Client(stack.api_url)
        organizer = client.signup("organizer")
        event_id = client.call("POST", "/events", EVENT, organizer)["id"]  # type: ignore[index]
        quantity = per_round * options.rounds
        ticket = {"name": "Community", "type": "free", "price": "0", "quantity": quantity}
        ticket_id = client.call(
            "POST", f"/events/{event_id}/tickets", {**ticket, "max_order": options.scans}, organizer
        )["id"]  # type: ignore[index]
        client.call("PATCH", f"/events/{event_id}", {"state": "published"}, organizer)
        buyer = client.signup("buyer")
        codes: list[str] = []
        started = time.perf_counter()
        for quantity in [options.scans, options.singles] * options.rounds:
            order = client.call(
                "POST",
                f"/events/{event_id}/orders",
                {"items": [{"ticket_id": ticket_id, "quantity": quantity}]},
                buyer,
                **{"Idempotency-Key": uuid.uuid4().hex},
            )
            attendees = client.call("GET", f"/orders/{order['id']}/attendees", token=buyer)  # type: ignore[index]
            codes += [a["code"] for a in attendees]  # type: ignore[union-attr, index]
        print(f"set-up: {len(codes)} attendees in {time.perf_counter() - started:.1f} s")
        # The door's role: an organizer scans here (same guard, the matrix's attendee update).
        path = f"/events/{event_id}/checkins"

        def send(batch: list[dict[str, str]]) -> list[str]:
            answer = client.call("POST", path, {"scans": batch}, organizer)
            return [r["result"] for r in answer["results"]]  # type: ignore[index]

        figures: dict[str, list[float]] = {"batch": [], "singles": [], "replay": [], "repeats": []}
        for number in range(options.rounds):
            mine = codes[number * per_round : (number + 1) * per_round]
            batch_scans = scans(mine[: options.scans])
            single_scans = scans(mine[options.scans :])
            elapsed, results = timed(lambda batch=batch_scans: send(batch))
            assert results == ["ok"] * options.scans, set(results)
            figures["batch"].append(elapsed)
            elapsed, results = timed(lambda singles=single_scans: [r for s in singles for r in send([s])])
            assert results == ["ok"] * options.singles, set(results)
            figures["singles"].append(elapsed * options.scans / options.singles)
            elapsed, results = timed(lambda batch=batch_scans: send(batch))
            assert results == ["ok"] * options.scans, set(results)
            figures["replay"].append(elapsed)
            repeat_scans = scans([s["code"] for s in batch_scans])
            elapsed, results = timed(lambda repeats=repeat_scans: send(repeats))
            assert results == ["already_checked_in"] * options.scans, set(results)
            figures["repeats"].append(elapsed)
        summary = client.call("GET", f"/events/{event_id}/checkins/summary", token=organizer)
        admitted = summary["total"]["checked_in"]  # type: ignore[index]
        assert admitted == per_round * options.rounds, summary

    batch = statistics.median(figures["batch"])
    print(f"{options.scans} scans, {options.rounds} round(s), medians; counters say {admitted} admitted")
    print(
        f"{'':10} {'total':>9} {'per scan':>10} {'vs batch':>9}   (singles: {options.singles} sent, scaled)"
    )
    for name, values in figures.items():
        value = statistics.median(values)
        print(f"{name:10} {value:8.2f}s {1000 * value / options.scans:8.2f}ms {value / batch:8.2f}x")


if __name__ == "__main__":
    main()
