"""The fan-out's read of an audience in moto, with moto's serializer of attribute values and with
the local stack's (devstack/moto_serialize.py), side by side in one run.

    .venv/bin/python bench/moto_serialize_bench.py [--items 1000] [--rounds 6]

In-process moto, one table of ``--items`` connection items on one channel (the seven attributes
the connections table holds). Each round reads them all as ``audience_of`` does (a Query
with a filter and a projection of two attributes, every page) under each serializer in turn,
and a GetItem of a whole item 200 times. It prints the median of each and their ratio.
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import boto3
from moto import mock_aws
from moto.core.serialize import BaseJSONSerializer

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
from devstack import moto_serialize  # noqa: E402 - the repository root is on the path only now

CHANNEL = {"S": "EVENT#01HZX3Q6J9"}
SERIALIZERS = {
    "moto's": moto_serialize._moto_structure,
    "the stack's": moto_serialize._serialize_type_structure,
}


def timed(call: Callable[[], object], times: int = 1) -> float:
    started = time.perf_counter()
    for _ in range(times):
        call()
    return (time.perf_counter() - started) / times * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="eu-central-1"
    )
    with mock_aws():
        client = boto3.client("dynamodb")
        client.create_table(
            TableName="connections",
            KeySchema=[
                {"AttributeName": "channel", "KeyType": "HASH"},
                {"AttributeName": "connection_id", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "channel", "AttributeType": "S"},
                {"AttributeName": "connection_id", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        expires = str(int(time.time()) + 3600)
        for index in range(args.items):
            item = {
                "channel": CHANNEL,
                "connection_id": {"S": f"Xk{index:06d}abcdefgh="},
                "endpoint": {"S": "https://abc123.execute-api.eu-central-1.amazonaws.com/live"},
                "expires_at": {"N": expires},
                "user_id": {"S": "01HZX3Q6J9ABCDEFGHJKMNPQRS"},
                "token_version": {"N": "1"},
                "connected_at": {"S": "2026-12-07T01:00:00+00:00"},
            }
            client.put_item(TableName="connections", Item=item)

        def audience() -> int:
            query = {
                "TableName": "connections",
                "KeyConditionExpression": "channel = :c",
                "FilterExpression": "expires_at > :now",
                "ProjectionExpression": "connection_id, endpoint",
                "ExpressionAttributeValues": {":c": CHANNEL, ":now": {"N": str(int(time.time()))}},
            }
            count = 0
            while True:
                page = client.query(**query)
                count += len(page["Items"])
                if "LastEvaluatedKey" not in page:
                    return count
                query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

        key = {"channel": CHANNEL, "connection_id": {"S": "Xk000000abcdefgh="}}
        reads: dict[str, list[float]] = {name: [] for name in SERIALIZERS}
        gets: dict[str, list[float]] = {name: [] for name in SERIALIZERS}
        for _ in range(args.rounds):
            for name, serializer in SERIALIZERS.items():
                BaseJSONSerializer._serialize_type_structure = serializer  # type: ignore[method-assign]
                assert audience() == args.items
                reads[name].append(timed(audience))
                gets[name].append(timed(lambda: client.get_item(TableName="connections", Key=key), 200))
    for label, results in (("audience Query", reads), ("GetItem", gets)):
        plain, stack = (statistics.median(values) for values in results.values())
        print(
            f"{label:<16} moto's {plain:8.2f} ms   the stack's {stack:8.2f} ms   "
            f"ratio {plain / stack:.2f}x (median of {args.rounds} rounds)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
