"""The local stack's TransactWriteItems (devstack/moto_transactions.py): moto's results, a cancelled
transaction leaves items and stream as they were, and no table is copied for it (moto's own copies
every table a transaction names, so a local order took longer the more was ever stored)."""

import copy
from collections.abc import Iterator
from typing import Any

import boto3
import moto.dynamodb.models as backend_module
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.dynamodb.models.table import Table

from devstack import moto_transactions

TABLE = "things"


def create_table(client: Any) -> None:
    client.create_table(
        TableName=TABLE,
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


@pytest.fixture(params=["items kept", "moto's own"])
def dynamodb(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A table with a stream and two items, under the item backup or, to compare, moto's own."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    moto_transactions.install()
    if request.param == "moto's own":
        monkeypatch.setattr(backend_module, "copy", copy)
        monkeypatch.setattr(DynamoDBBackend, "transact_write_items", moto_transactions._moto_transact)
    with mock_aws():
        client = boto3.client("dynamodb")
        create_table(client)
        for sk, stock in (("a", "5"), ("b", "1")):
            client.put_item(TableName=TABLE, Item={"pk": {"S": "p"}, "sk": {"S": sk}, "stock": {"N": stock}})
        yield client
    moto_transactions.install()


def key(sk: str) -> dict[str, Any]:
    return {"pk": {"S": "p"}, "sk": {"S": sk}}


def everything(client: Any) -> list[dict[str, Any]]:
    return sorted(client.scan(TableName=TABLE)["Items"], key=lambda item: item["sk"]["S"])


def stream_records(client: Any) -> list[str]:
    """The table's stream as moto holds it (its record kinds, oldest first)."""
    table = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].get_table(TABLE)
    return [record.record["eventName"] for record in table.stream_shard.items]


def take(sk: str, quantity: int) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": TABLE,
            "Key": key(sk),
            "UpdateExpression": "ADD stock :minus",
            "ConditionExpression": "stock >= :quantity",
            "ExpressionAttributeValues": {":minus": {"N": str(-quantity)}, ":quantity": {"N": str(quantity)}},
        }
    }


def put(sk: str) -> dict[str, Any]:
    return {"Put": {"TableName": TABLE, "Item": {**key(sk), "stock": {"N": "0"}}}}


def test_a_cancelled_transaction_leaves_the_items_and_the_stream_as_they_were(dynamodb: Any) -> None:
    before, records = everything(dynamodb), stream_records(dynamodb)
    actions = [
        take("a", 2),
        put("new"),
        {"Delete": {"TableName": TABLE, "Key": key("a2")}},
        take("b", 2),  # only 1 left: the whole transaction is cancelled
    ]
    with pytest.raises(ClientError) as raised:
        dynamodb.transact_write_items(TransactItems=actions)
    assert raised.value.response["Error"]["Code"] == "TransactionCanceledException"
    reasons = [reason["Code"] for reason in raised.value.response["CancellationReasons"]]
    assert reasons == ["None", "None", "None", "ConditionalCheckFailed"]
    assert everything(dynamodb) == before
    assert stream_records(dynamodb) == records


def test_a_transaction_refused_half_way_changes_nothing(dynamodb: Any) -> None:
    before, records = everything(dynamodb), stream_records(dynamodb)
    with pytest.raises(ClientError) as raised:
        dynamodb.transact_write_items(TransactItems=[take("a", 1), put("new"), take("a", 1)])
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert everything(dynamodb) == before
    assert stream_records(dynamodb) == records


def test_a_transaction_that_passes_applies_every_action_once_in_the_stream(dynamodb: Any) -> None:
    records = stream_records(dynamodb)
    dynamodb.transact_write_items(TransactItems=[take("a", 2), take("b", 1), put("new")])
    assert [(item["sk"]["S"], item["stock"]["N"]) for item in everything(dynamodb)] == [
        ("a", "3"),
        ("b", "0"),
        ("new", "0"),
    ]
    assert stream_records(dynamodb) == [*records, "MODIFY", "MODIFY", "INSERT"]


def test_no_table_is_copied_for_a_transaction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    moto_transactions.install()
    copied: list[str] = []
    deepcopy = copy.deepcopy

    def spying_deepcopy(value: Any, memo: dict | None = None) -> Any:
        if isinstance(value, Table):
            copied.append(value.name)
        return deepcopy(value, memo)

    monkeypatch.setattr(copy, "deepcopy", spying_deepcopy)
    with mock_aws():
        client = boto3.client("dynamodb")
        create_table(client)
        client.put_item(TableName=TABLE, Item={**key("a"), "stock": {"N": "5"}})
        client.transact_write_items(TransactItems=[take("a", 1), put("new")])
        with pytest.raises(ClientError):
            client.transact_write_items(TransactItems=[put("other"), take("a", 100)])
    assert copied == []
