"""The local stack's Query of one partition (devstack/moto_partitions.py): every Query answers as
moto's own does, pages and order included, and reads only the partition it names."""

from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.models.table import Table

from devstack import moto_partitions


def _table(client: Any, name: str, hash_type: str, with_range: bool) -> None:
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    attributes = [
        {"AttributeName": "pk", "AttributeType": hash_type},
        {"AttributeName": "gk", "AttributeType": "S"},
    ]
    if with_range:
        keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
        attributes.append({"AttributeName": "sk", "AttributeType": "S"})
    client.create_table(
        TableName=name,
        KeySchema=keys,
        AttributeDefinitions=attributes,
        BillingMode="PAY_PER_REQUEST",
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by_gk",
                "KeySchema": [{"AttributeName": "gk", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )


def _queries() -> list[Any]:
    client = boto3.client("dynamodb", region_name="eu-central-1")
    _table(client, "ranged", "S", with_range=True)
    _table(client, "numbered", "N", with_range=False)
    for partition in ("EVENT#b", "EVENT#a", "USER#c"):
        for index in (7, 3, 11, 1, 5):
            client.put_item(
                TableName="ranged",
                Item={
                    "pk": {"S": partition},
                    "sk": {"S": f"conn#{index:02d}"},
                    "gk": {"S": f"g{index % 2}"},
                    "n": {"N": str(index)},
                },
            )
    for number in ("1", "2.5", "10"):
        client.put_item(TableName="numbered", Item={"pk": {"N": number}, "gk": {"S": "g"}})

    def query(**kwargs: Any) -> list[Any]:
        pages, start = [], None
        while True:
            page = client.query(**kwargs, **({"ExclusiveStartKey": start} if start else {}))
            page.pop("ResponseMetadata")
            pages.append(page)
            start = page.get("LastEvaluatedKey")
            if not start:
                return pages

    values = {":p": {"S": "EVENT#a"}}
    return [
        query(TableName="ranged", KeyConditionExpression="pk = :p", ExpressionAttributeValues=values),
        query(
            TableName="ranged", KeyConditionExpression="pk = :p", ExpressionAttributeValues=values, Limit=2
        ),
        query(
            TableName="ranged",
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues=values,
            ScanIndexForward=False,
            Limit=3,
        ),
        query(
            TableName="ranged",
            KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
            ExpressionAttributeValues={**values, ":s": {"S": "conn#0"}},
        ),
        query(
            TableName="ranged",
            KeyConditionExpression="pk = :p AND sk BETWEEN :lo AND :hi",
            FilterExpression="n > :n",
            ProjectionExpression="sk, n",
            ExpressionAttributeValues={
                **values,
                ":lo": {"S": "conn#03"},
                ":hi": {"S": "conn#11"},
                ":n": {"N": "3"},
            },
        ),
        query(
            TableName="ranged",
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "NOBODY"}},
        ),
        query(
            TableName="ranged",
            KeyConditionExpression="pk = :p",
            Select="COUNT",
            ExpressionAttributeValues=values,
        ),
        query(
            TableName="ranged",
            IndexName="by_gk",
            KeyConditionExpression="gk = :g",
            ExpressionAttributeValues={":g": {"S": "g1"}},
        ),
        query(
            TableName="numbered",
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"N": "2.50"}},
        ),
        query(
            TableName="numbered",
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"N": "3"}},
        ),
    ]


def test_every_query_answers_as_moto_s_own_reading_one_partition(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Table, "query", moto_partitions._moto_query)
    monkeypatch.setattr(Table, "all_items", moto_partitions._moto_all_items)
    with mock_aws():
        expected = _queries()
    assert [item["sk"]["S"] for page in expected[0] for item in page["Items"]] == [
        f"conn#{index:02d}" for index in (1, 3, 5, 7, 11)
    ]
    assert expected[8][0]["Items"] == [{"pk": {"N": "2.5"}, "gk": {"S": "g"}}]

    moto_partitions.install()
    whole_table_reads = []
    moto_all_items = moto_partitions._moto_all_items

    def counted(table: Table) -> list[Any]:
        whole_table_reads.append(table.name)
        return moto_all_items(table)

    monkeypatch.setattr(moto_partitions, "_moto_all_items", counted)
    with mock_aws():
        assert _queries() == expected
    assert set(whole_table_reads) == {"ranged"}  # the index's Query only: moto reads the table for it
