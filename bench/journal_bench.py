"""What the local stack's journal costs per write, and how long a compaction stops requests.

    .venv/bin/python bench/journal_bench.py [--rounds 200] [--items 1150] [--threads 8]

Everything runs in this process, as in the stack: two embedded moto servers on one moto backend,
one bare (as before the journal) and one with the stack's Persistence attached (every successful
write appended to the journal and fdatasynced before its answer), in a temporary DATA_DIR.

1. The stall: with ``--items`` items in three tables (and 30 objects), a compaction after 50
   writes while a reader sends GetItem in a loop: the compaction's duration, how long it held the
   moto lock (waiting for it included), the reader's longest wait during it, and, for comparison,
   one Scan of all the items (the save before the journal held the lock for a scan of every table).
2. Write latency, side by side: each round sends the same write to both servers, alternating which
   goes first: DynamoDB PutItem (~1 KB item), a conditional UpdateItem (ADD a counter), a
   TransactWriteItems of two puts, S3 PutObject of 16 KB (in the journal) and of 256 KB (a blob
   file first). Prints p50 / p90 per kind and the ratio journaled / bare.
3. ``--threads`` writers in parallel for a second on each server, twice, alternating: writes per
   second (group commit lets one fdatasync serve all writes appended meanwhile).
"""

import argparse
import logging
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devstack.mailbox import Mailbox
from devstack.moto_server import LockedMotoServer
from devstack.persistence import Persistence

REGION = "us-east-1"


def client(server: LockedMotoServer, service: str) -> Any:
    return boto3.session.Session().client(
        service,
        endpoint_url=server.endpoint_url,
        region_name=REGION,
        aws_access_key_id="devstack",
        aws_secret_access_key="devstack",
        config=Config(retries={"max_attempts": 1}, max_pool_connections=64),
    )


def create_table(dynamodb: Any, name: str) -> None:
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )


def item(pk: str, sk: str) -> dict[str, Any]:
    return {
        "pk": {"S": pk},
        "sk": {"S": sk},
        "buyer": {"S": uuid.uuid4().hex},
        "total": {"N": "12.50"},
        "status": {"S": "completed"},
        "note": {"S": "x" * 600},
        "lines": {"L": [{"M": {"ticket": {"S": "t"}, "quantity": {"N": "1"}}}] * 3},
    }


class Side:
    """One moto server and the table and bucket its writes go to."""

    def __init__(self, name: str, server: LockedMotoServer) -> None:
        self.name = name
        self.server = server
        self.dynamodb = client(server, "dynamodb")
        self.s3 = client(server, "s3")
        self.table = f"bench-{name}"
        create_table(self.dynamodb, self.table)
        self.s3.create_bucket(Bucket=self.table)
        self.dynamodb.put_item(TableName=self.table, Item={"pk": {"S": "COUNTER"}, "sk": {"S": "C"}})

    def writes(self) -> dict[str, Callable[[int], Any]]:
        small, big = os.urandom(16 * 1024), os.urandom(256 * 1024)
        return {
            "PutItem": lambda n: self.dynamodb.put_item(TableName=self.table, Item=item("P", f"S{n}")),
            "UpdateItem (conditional)": lambda n: self.dynamodb.update_item(
                TableName=self.table,
                Key={"pk": {"S": "COUNTER"}, "sk": {"S": "C"}},
                UpdateExpression="ADD hits :one",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues={":one": {"N": "1"}},
            ),
            "TransactWriteItems (2 puts)": lambda n: self.dynamodb.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": self.table, "Item": item("T", f"A{n}")}},
                    {"Put": {"TableName": self.table, "Item": item("T", f"B{n}")}},
                ]
            ),
            "S3 PutObject 16 KB": lambda n: self.s3.put_object(Bucket=self.table, Key=f"s/{n}", Body=small),
            "S3 PutObject 256 KB": lambda n: self.s3.put_object(Bucket=self.table, Key=f"b/{n}", Body=big),
        }


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.2f} ms"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def latencies(bare: Side, journaled: Side, rounds: int) -> None:
    print(f"\nwrite latency, {rounds} rounds, each write sent to both servers in turn")
    print(f"{'':30} {'bare p50':>10} {'p90':>10} {'journal p50':>12} {'p90':>10} {'ratio p50':>10}")
    bare_writes, journaled_writes = bare.writes(), journaled.writes()
    for kind in bare_writes:
        timings: dict[str, list[float]] = {"bare": [], "journal": []}
        for n in range(rounds):
            pair = [("bare", bare_writes[kind]), ("journal", journaled_writes[kind])]
            for name, write in pair if n % 2 else reversed(pair):
                began = time.perf_counter()
                write(n)
                timings[name].append(time.perf_counter() - began)
        plain, logged = timings["bare"], timings["journal"]
        print(
            f"{kind:30} {ms(statistics.median(plain)):>10} {ms(percentile(plain, 0.9)):>10} "
            f"{ms(statistics.median(logged)):>12} {ms(percentile(logged, 0.9)):>10} "
            f"{statistics.median(logged) / statistics.median(plain):9.2f}x"
        )


def parallel_writes(side: Side, threads: int, seconds: float = 1.0) -> int:
    """How many PutItems ``threads`` writers got answered in ``seconds``."""
    clients = [client(side.server, "dynamodb") for _ in range(threads)]
    done = [0] * threads
    start = threading.Barrier(threads)

    def run(slot: int) -> None:
        start.wait()
        stop = time.monotonic() + seconds
        while time.monotonic() < stop:
            clients[slot].put_item(TableName=side.table, Item=item("Q", f"S{slot}-{done[slot]}"))
            done[slot] += 1

    workers = [threading.Thread(target=run, args=(slot,)) for slot in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(done)


def throughput(bare: Side, journaled: Side, threads: int) -> None:
    print(f"\nparallel PutItem, {threads} writers, 1 s per server, twice each")
    rates: dict[str, list[int]] = {bare.name: [], journaled.name: []}
    for side in (bare, journaled, bare, journaled):
        rates[side.name].append(parallel_writes(side, threads))
    bare_rate, journal_rate = statistics.mean(rates[bare.name]), statistics.mean(rates[journaled.name])
    ratio = journal_rate / bare_rate
    print(f"  bare {bare_rate:7.0f} writes/s   journal {journal_rate:7.0f} writes/s   ratio {ratio:.2f}")


def stall(server: LockedMotoServer, persistence: Persistence, items: int) -> None:
    print(f"\ncompaction with {items} items in 3 tables and 30 objects, a reader sending GetItem meanwhile")
    dynamodb, s3 = client(server, "dynamodb"), client(server, "s3")
    tables = [f"stall-{n}" for n in range(3)]
    for table in tables:
        create_table(dynamodb, table)
    s3.create_bucket(Bucket="stall-media")
    for start in range(0, items, 25):
        batch = range(start, min(items, start + 25))
        for table in tables:
            rows = [n for n in batch if n % 3 == tables.index(table)]
            if rows:
                dynamodb.batch_write_item(
                    RequestItems={
                        table: [{"PutRequest": {"Item": item(f"E{n % 40}", f"O{n:06d}")}} for n in rows]
                    }
                )
    for n in range(30):
        s3.put_object(
            Bucket="stall-media", Key=f"img/{n}.jpg", Body=os.urandom(40_000), ContentType="image/jpeg"
        )
    persistence.save()
    for n in range(50):
        dynamodb.put_item(TableName=tables[n % 3], Item=item("E0", f"N{n:06d}"))

    samples: list[tuple[float, float]] = []
    stop = threading.Event()

    reader_client = client(server, "dynamodb")

    def read() -> None:
        while not stop.is_set():
            began = time.perf_counter()
            reader_client.get_item(TableName=tables[0], Key={"pk": {"S": "E0"}, "sk": {"S": "O000000"}})
            samples.append((began, time.perf_counter() - began))
            time.sleep(0.001)

    holds: list[float] = []
    locked_call = server.app.locked_call

    def timed_locked_call(fn: Callable[[], Any]) -> Any:
        began = time.perf_counter()
        try:
            return locked_call(fn)
        finally:
            holds.append(time.perf_counter() - began)

    reader = threading.Thread(target=read)
    reader.start()
    time.sleep(1.0)
    server.app.locked_call = timed_locked_call  # type: ignore[method-assign]
    began = time.perf_counter()
    saved = persistence.save()
    ended = time.perf_counter()
    server.app.locked_call = locked_call  # type: ignore[method-assign]
    time.sleep(0.3)
    stop.set()
    reader.join()
    baseline = [duration for start, duration in samples if start + duration < began]
    during = [duration for start, duration in samples if start < ended and start + duration > began]
    scan_began = time.perf_counter()
    for table in tables:
        for _ in dynamodb.get_paginator("scan").paginate(TableName=table):
            pass
    scan = time.perf_counter() - scan_began
    print(f"  compaction: {ms(ended - began)} ({saved}); moto lock held {' + '.join(map(ms, holds))}")
    print(f"  GetItem before it: p50 {ms(statistics.median(baseline))}, max {ms(max(baseline))}")
    print(f"  GetItem during it: {len(during)} requests, longest {ms(max(during or [0.0]))}")
    print(f"  one Scan of every table (what the old save did under the lock): {ms(scan)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--items", type=int, default=1150)
    parser.add_argument("--threads", type=int, default=8)
    arguments = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    bare_server, journaled_server = LockedMotoServer(), LockedMotoServer()
    bare_server.start()
    journaled_server.start()
    with tempfile.TemporaryDirectory() as data_dir:
        persistence = Persistence(
            Path(data_dir), journaled_server.app, journaled_server.endpoint_url, REGION, Mailbox(REGION)
        )
        persistence.restore()
        stall(journaled_server, persistence, arguments.items)
        bare, journaled = Side("bare", bare_server), Side("journal", journaled_server)
        latencies(bare, journaled, arguments.rounds)
        throughput(bare, journaled, arguments.threads)
        persistence.close()
    bare_server.stop()
    journaled_server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
