"""The app's ``@app.on_dynamodb_record`` functions, fed from the embedded moto's DynamoDB Streams the
way Lambda's event source mappings feed them once deployed.

For each stream function the poller reads its table's stream through the DynamoDB Streams API
(describe_table's LatestStreamArn, describe_stream, get_shard_iterator, get_records), builds the
Lambda event Chalice hands the function (``{"Records": [...]}`` with ``eventSourceARN``, keys and
both images in DynamoDB JSON) in batches of the function's ``batch_size``, and answers its partial
batch response as a mapping with ReportBatchItemFailures does: the batch is delivered again from
the record it names (the whole batch when the function raised), up to ``MAX_ATTEMPTS`` times, after
which the records are dropped and logged. The tables' names come from the ARNs the app was given
(chalicelib.config: locally they name the table but no real stream).

Three ways in: ``StreamProcess`` runs it in a process of its own (``make run``; records reach
the handlers within ``interval`` of their write), ``start()`` on a thread of this process,
``run_pending()`` delivers whatever is pending now and returns when the stream is drained (the API
tests call it, so what follows a change happens at a known point).
"""

import importlib
import logging
import threading
import uuid
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from chalice.app import DynamoDBEventConfig
from chalice.local import LambdaContext

from chalicelib.store.aws import client
from chalicelib.streams.records import table_of
from devstack.processes import SPAWN, ChildProcess, begin_child, wait_for_stop

logger = logging.getLogger("devstack.streams")

MAX_ATTEMPTS = 3
# botocore sends a call naming a stream ARN to the account's own endpoint
# (<account>.streams-ddb...), which moto's in-process mock does not know.
_STREAMS_CONFIG = Config(account_id_endpoint_mode="disabled")


@dataclass
class _Source:
    name: str
    table: str
    batch_size: int
    # The last sequence number handed over (or dropped); None: read from the stream's start.
    position: str | None = None
    stream_arn: str | None = None
    shard_id: str | None = None


class StreamPoller:
    def __init__(self, app: Any, region: str, interval: float = 0.05) -> None:
        self._app = app
        self._region = region
        self._interval = interval
        self._sources = [
            _Source(source.name, table_of(source.stream_arn), source.batch_size)
            for source in app.event_sources
            if isinstance(source, DynamoDBEventConfig)
        ]
        self._streams = boto3.session.Session().client(
            "dynamodbstreams", region_name=region, config=_STREAMS_CONFIG
        )
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="streams", daemon=True)

    @property
    def tables(self) -> list[str]:
        return [source.table for source in self._sources]

    def skip_existing(self) -> int:
        """Start after what the streams already hold (records of data restored on start)."""
        with self._lock:
            skipped = 0
            for source in self._sources:
                while records := self._read(source, 1000):
                    source.position = records[-1]["dynamodb"]["SequenceNumber"]
                    skipped += len(records)
            return skipped

    def run_pending(self) -> int:
        """Deliver every pending record to its function; returns how many were delivered."""
        with self._lock:
            delivered = 0
            for source in self._sources:
                while records := self._read(source, source.batch_size):
                    self._deliver(source, records)
                    delivered += len(records)
            return delivered

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                delivered = self.run_pending()
            except Exception:
                logger.exception("reading the streams failed; trying again")
                delivered = 0
            if not delivered:
                self._stop.wait(self._interval)

    def _locate(self, source: _Source) -> None:
        table = client("dynamodb").describe_table(TableName=source.table)["Table"]
        source.stream_arn = table.get("LatestStreamArn")
        source.shard_id = None
        if source.stream_arn:
            shards = self._streams.describe_stream(StreamArn=source.stream_arn)
            source.shard_id = shards["StreamDescription"]["Shards"][-1]["ShardId"]

    def _read(self, source: _Source, limit: int) -> list[dict[str, Any]]:
        if source.shard_id is None:
            self._locate(source)
            if source.shard_id is None:
                return []
        streams = self._streams
        # A fresh iterator each time: moto's iterators follow one shard object, and a cancelled
        # transaction puts back a copy of the table (with a copy of its shard).
        if source.position is None:
            where: dict[str, str] = {"ShardIteratorType": "TRIM_HORIZON"}
        else:
            where = {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": source.position}
        iterator = streams.get_shard_iterator(StreamArn=source.stream_arn, ShardId=source.shard_id, **where)
        return list(streams.get_records(ShardIterator=iterator["ShardIterator"], Limit=limit)["Records"])

    def _event(self, source: _Source, records: list[dict[str, Any]]) -> dict[str, Any]:
        def lambda_record(record: dict[str, Any]) -> dict[str, Any]:
            dynamodb = dict(record["dynamodb"])
            created = dynamodb.get("ApproximateCreationDateTime")
            dynamodb["ApproximateCreationDateTime"] = created.timestamp() if created else 0
            dynamodb.setdefault("SizeBytes", 0)
            return {
                "eventID": record.get("eventID") or uuid.uuid4().hex,
                "eventName": record["eventName"],
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": self._region,
                "dynamodb": dynamodb,
                "eventSourceARN": source.stream_arn,
            }

        return {"Records": [lambda_record(record) for record in records]}

    def _deliver(self, source: _Source, records: list[dict[str, Any]]) -> None:
        handler = self._app.handler_map[source.name]
        last = records[-1]["dynamodb"]["SequenceNumber"]
        for _attempt in range(MAX_ATTEMPTS):
            try:
                answer = handler(self._event(source, records), LambdaContext(source.name, 256, 60_000))
            except Exception:
                logger.exception("stream function %s failed; its batch is delivered again", source.name)
                continue
            failures = (answer or {}).get("batchItemFailures") or []
            if not failures:
                source.position = last
                return
            retry_from = int(failures[0]["itemIdentifier"])
            records = [r for r in records if int(r["dynamodb"]["SequenceNumber"]) >= retry_from]
        logger.error(
            "stream function %s: %d record(s) up to %s dropped after %d attempts",
            source.name,
            len(records),
            last,
            MAX_ATTEMPTS,
        )
        source.position = last


class StreamProcess(ChildProcess):
    """The poller in a process of its own, as the stream functions are Lambdas of their own
    deployed: their fan-out to an audience does not take the interpreter lock from the stack's
    requests. The process inherits the stack's environment (moto's endpoint, the WebSocket
    management endpoint) and reaches both over HTTP, as the request handlers do."""

    def __init__(self, region: str, log_level: str) -> None:
        self._ready = SPAWN.Event()
        super().__init__("streams", _serve, (region, log_level, self._ready), grace=30)

    def start(self, timeout: float = 120) -> None:
        """Returns once the poller skipped what the streams held already (restored data)."""
        self.process.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("the stream functions' process did not start")


def _serve(region: str, log_level: str, ready: Any, stop: Any) -> None:
    begin_child(log_level)
    from app import app

    poller = StreamPoller(app, region)
    poller.skip_existing()
    warm_up()
    logger.info("stream functions read the streams of %s", ", ".join(poller.tables))
    ready.set()
    poller.start()
    wait_for_stop(stop)
    poller.stop()


def warm_up() -> None:
    """What the first batch or fan-out page would otherwise wait for (a warm Lambda has done it):
    the handlers' modules, the DynamoDB connection, the WebSocket management client."""
    from chalicelib.realtime.connections import connections_of
    from chalicelib.realtime.notifier import management_client, management_endpoint
    from chalicelib.streams import dispatch

    dispatch({"Records": []})
    importlib.import_module("chalicelib.realtime.fanout")
    connections_of("WARM-UP")
    management_client(management_endpoint(""))
