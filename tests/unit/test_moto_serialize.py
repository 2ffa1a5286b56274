"""The local stack's serializer of moto's answers (devstack/moto_serialize.py): every DynamoDB
answer carrying items, of every attribute type, reads the same as with moto's own."""

from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto import mock_aws
from moto.core.serialize import BaseJSONSerializer

from devstack import moto_serialize

ITEM = {
    "pk": {"S": "event#1"},
    "sk": {"S": "ticket#1"},
    "price": {"N": "12.50"},
    "empty": {"S": ""},
    "blob": {"B": b"\x00\xffbinary"},
    "tags": {"SS": ["early", "vip"]},
    "seats": {"NS": ["1", "2.5"]},
    "blobs": {"BS": [b"\x01", b"\x02\x03"]},
    "nested": {
        "M": {
            "list": {"L": [{"S": "deep"}, {"NULL": True}, {"BOOL": False}, {"N": "-3"}, {"B": b"\x7f"}]},
            "map": {"M": {}},
        }
    },
    "flag": {"BOOL": True},
    "nothing": {"NULL": True},
    "none": {"L": []},
}
KEY = {"pk": ITEM["pk"], "sk": ITEM["sk"]}
STREAMS = Config(account_id_endpoint_mode="disabled")


def _answers() -> list[Any]:
    client = boto3.client("dynamodb", region_name="eu-central-1")
    client.create_table(
        TableName="t",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    answers = [client.put_item(TableName="t", Item=ITEM)]
    answers.append(client.get_item(TableName="t", Key=KEY, ConsistentRead=True))
    answers.append(
        client.query(
            TableName="t",
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": ITEM["pk"]},
        )
    )
    answers.append(
        client.query(
            TableName="t",
            KeyConditionExpression="pk = :p",
            ProjectionExpression="price, nested.list",
            ExpressionAttributeValues={":p": ITEM["pk"]},
        )
    )
    answers.append(client.scan(TableName="t"))
    answers.append(client.batch_get_item(RequestItems={"t": {"Keys": [KEY]}}))
    answers.append(client.transact_get_items(TransactItems=[{"Get": {"TableName": "t", "Key": KEY}}]))
    answers.append(
        client.update_item(
            TableName="t",
            Key=KEY,
            UpdateExpression="SET price = :p ADD tags :t",
            ExpressionAttributeValues={":p": {"N": "13"}, ":t": {"SS": ["new"]}},
            ReturnValues="ALL_NEW",
        )
    )
    answers.append(
        client.put_item(TableName="t", Item={**ITEM, "flag": {"BOOL": False}}, ReturnValues="ALL_OLD")
    )
    answers.append(client.delete_item(TableName="t", Key=KEY, ReturnValues="ALL_OLD"))
    answers.append(client.get_item(TableName="t", Key=KEY))  # no item
    # As the local poller reads them (moto does not know the account endpoint of a stream ARN).
    streams = boto3.client("dynamodbstreams", region_name="eu-central-1", config=STREAMS)
    arn = client.describe_table(TableName="t")["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    answers.append([record["dynamodb"] for record in records])
    for answer in answers:
        if isinstance(answer, dict):
            answer.pop("ResponseMetadata", None)
    return answers


def _run() -> list[Any]:
    with mock_aws():
        return _answers()


def _without_approximate_times(answers: list[Any]) -> list[Any]:
    """The answers but for the stream records' times, sequence numbers and sizes: moto counts
    sequence numbers across every table it ever made, and a record's size with them (two runs
    with moto's own serializer differ there too)."""
    for record in answers[-1]:
        record.pop("ApproximateCreationDateTime", None)
        record.pop("SequenceNumber")
        record.pop("SizeBytes")
    return answers


def test_every_answer_with_items_reads_as_moto_s_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(BaseJSONSerializer, "_serialize_type_structure", moto_serialize._moto_structure)
    expected = _without_approximate_times(_run())
    assert expected[1]["Item"]["blob"] == {"B": b"\x00\xffbinary"}
    assert len(expected[-1]) == 4  # the stream: insert, modify (update), modify (put), remove

    moto_serialize.install()
    assert BaseJSONSerializer._serialize_type_structure is moto_serialize._serialize_type_structure
    assert _without_approximate_times(_run()) == expected
