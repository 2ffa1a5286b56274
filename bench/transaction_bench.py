"""A local order's transaction beside more and more stored items: moto's own backup and the local
stack's (devstack/moto_transactions.py), side by side in one run.

    .venv/bin/python bench/transaction_bench.py [--sizes 0,1000,5000] [--transactions 20]

In-process moto, one table with a stream. At each size (items already stored, 200 bytes each) it
times ``--transactions`` five-action transactions (an order's shape: counters and lines) under
each backup, alternately, and prints the mean of each and their ratio. moto's own copies the
whole table once per action, so its time grows with the size; the item backup's should not.
"""

import argparse
import copy
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
import moto.dynamodb.models as backend_module  # noqa: E402
from moto.dynamodb.models import DynamoDBBackend  # noqa: E402

from devstack import moto_transactions  # noqa: E402 - the repository root is on the path only now


def use(item_backup: bool) -> None:
    moto_transactions.install()
    if not item_backup:
        backend_module.copy = copy  # type: ignore[assignment]
        DynamoDBBackend.transact_write_items = moto_transactions._moto_transact  # type: ignore[method-assign]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="0,1000,5000")
    parser.add_argument("--transactions", type=int, default=20)
    args = parser.parse_args()
    os.environ.update(
        AWS_DEFAULT_REGION="us-east-1", AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench"
    )
    with mock_aws():
        client: Any = boto3.client("dynamodb")
        client.create_table(
            TableName="bench",
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        stored, serial = 0, 0
        print(f"{'stored items':>12}{'moto ms':>10}{'items kept ms':>15}{'ratio':>8}")
        for size in (int(part) for part in args.sizes.split(",")):
            while stored < size:
                item = {"pk": {"S": f"p{stored % 50}"}, "sk": {"S": f"s{stored}"}, "data": {"S": "x" * 200}}
                client.put_item(TableName="bench", Item=item)
                stored += 1
            times: dict[bool, list[float]] = {True: [], False: []}
            for _ in range(args.transactions):
                for item_backup in (False, True):
                    use(item_backup)
                    serial += 1
                    lines = ({"pk": {"S": "order"}, "sk": {"S": f"{serial}-{n}"}} for n in range(5))
                    actions = [{"Put": {"TableName": "bench", "Item": line}} for line in lines]
                    started = time.perf_counter()
                    client.transact_write_items(TransactItems=actions)
                    times[item_backup].append((time.perf_counter() - started) * 1000)
            moto_ms, kept_ms = statistics.mean(times[False]), statistics.mean(times[True])
            print(f"{size:>12}{moto_ms:>10.1f}{kept_ms:>15.1f}{moto_ms / kept_ms:>7.1f}x")
    use(True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
