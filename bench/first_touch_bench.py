"""What a fresh container spends getting a DynamoDB client for every model its requests may touch,
PynamoDB's way (a botocore session and client per model) beside the shared client of
``chalicelib.store.models.base``, alternating fresh interpreters in one run.

    .venv/bin/python bench/first_touch_bench.py [--runs 7]

Each interpreter imports the app (not timed), then times asking every model of ``ALL_MODELS``
and the transactions' connection for its client: the work the first requests of a Lambda
container did before their first DynamoDB call. No request is sent.
"""

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV = {
    **os.environ,
    "MARQUEE_JWT_SECRET": "bench-secret-bench-secret-bench-secret!",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
}
TOUCH = """
import time
import app
from pynamodb.connection import Connection
from pynamodb.models import Model
from chalicelib.store.models import ALL_MODELS
from chalicelib.store.transactions import connection
started = time.perf_counter()
if {own!r}:
    clients = [Model._get_connection.__func__(model).connection.client for model in ALL_MODELS]
    clients.append(Connection(region="us-east-1").client)
else:
    clients = [model._get_connection().connection.client for model in ALL_MODELS]
    clients.append(connection().client)
print((time.perf_counter() - started) * 1000, len({{id(c) for c in clients}}))
"""


def touch(own: bool) -> tuple[float, int]:
    output = subprocess.run(
        [sys.executable, "-c", TOUCH.format(own=own)],
        cwd=ROOT,
        env=ENV,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(output[0]), int(output[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    touch(False)  # bytecode and page cache warm for both
    own, shared = [], []
    for _ in range(args.runs):
        own.append(touch(True))
        shared.append(touch(False))
    own_ms = statistics.median(ms for ms, _ in own)
    shared_ms = statistics.median(ms for ms, _ in shared)
    print(f"{'clients for every model':<32}{'median ms':>12}{'clients':>10}")
    print(f"{'one per model (PynamoDB)':<32}{own_ms:>12.1f}{own[0][1]:>10}")
    print(f"{'shared (the app)':<32}{shared_ms:>12.1f}{shared[0][1]:>10}")
    print(f"ratio: {own_ms / shared_ms:.1f}x less for a fresh container's first requests")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
