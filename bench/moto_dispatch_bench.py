"""A DynamoDB request through the local stack's moto app, with moto's dispatcher and with the
stack's (devstack/moto_server.py), side by side in one run.

    .venv/bin/python bench/moto_dispatch_bench.py [--requests 2000] [--rounds 4]

Each request is a GetItem as boto3 sends it (signed headers, JSON body), handed straight to the
WSGI app the stack's moto server runs, alternating between the two dispatchers round by round. It
prints the mean time of a request under each and their ratio. moto's dispatcher lists its package
folder on every request to find the backend for the host; the stack's remembers the answer.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.test import Client

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
from devstack.moto_server import _Dispatcher  # noqa: E402 - the repository root is on the path only now

HEADERS = {
    "Content-Type": "application/x-amz-json-1.0",
    "X-Amz-Target": "DynamoDB_20120810.GetItem",
    "Authorization": (
        "AWS4-HMAC-SHA256 Credential=testing/20261207/eu-central-1/dynamodb/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0"
    ),
    "X-Amz-Date": "20261207T000000Z",
    "Host": "127.0.0.1:4566",
}
CREATE = {
    "TableName": "bench",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    "BillingMode": "PAY_PER_REQUEST",
}
GET = json.dumps({"TableName": "bench", "Key": {"pk": {"S": "one"}}})


def timed(client: Client, count: int) -> float:
    """Mean milliseconds of ``count`` GetItem requests."""
    started = time.perf_counter()
    for _ in range(count):
        response = client.post("/", data=GET, headers=HEADERS)
        assert response.status_code == 200, response.text
    return (time.perf_counter() - started) / count * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    # One moto: both dispatchers hand requests to the same backends.
    clients = {
        "moto's dispatcher": Client(DomainDispatcherApplication(create_backend_app)),
        "the stack's dispatcher": Client(_Dispatcher(create_backend_app)),
    }
    first = next(iter(clients.values()))
    created = first.post(
        "/", data=json.dumps(CREATE), headers={**HEADERS, "X-Amz-Target": "DynamoDB_20120810.CreateTable"}
    )
    assert created.status_code == 200, created.text
    means: dict[str, list[float]] = {name: [] for name in clients}
    for _ in range(args.rounds):
        for name, client in clients.items():
            means[name].append(timed(client, args.requests))
    plain, remembered = (statistics.median(values) for values in means.values())
    for name, values in means.items():
        print(f"{name:<26}{statistics.median(values):>8.3f} ms per GetItem (median of {args.rounds} rounds)")
    print(f"ratio: {plain / remembered:.2f}x faster ({plain - remembered:.3f} ms less per request)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
