"""Keeping the local stack's data under DATA_DIR: a journal of every write, compacted into snapshots.

A write is kept from the moment it is answered: every write moto applied successfully is appended
to the journal inside the moto lock and is on disk (fdatasync, group-committed) before its answer
leaves (devstack.moto_server.SerializedApp). On start the last snapshot is loaded and the journal
records after it are replayed, in order, exactly once (records carry sequence numbers and the
snapshot says up to which one it holds; a record torn by a crash mid-append is ignored: it was
never answered).

A save is a compaction: it holds the moto lock only to start a new journal segment (no fsync) and
to copy what changed since the last snapshot (the items writes touched, the S3 objects whose ETag
or headers changed); the snapshot is written after the lock is released, then the journal segments
it covers are deleted.

Layout of DATA_DIR (files 0600, directories 0700; files are replaced atomically):
    jwt-secret               the per-install token signing secret (created once)
    superadmin.json          the generated super admin credentials (when not given by env)
    snapshot.json            {"format", "journal_seq", "tables": {table: [items as DynamoDB typed
                             JSON]}, "buckets": {bucket: {key: {file, etag, content_type,
                             cache_control, metadata}}}, "emails": [the /mailbox messages]}
    blobs/<sha256>           S3 object bodies of the snapshot and big request bodies of the journal
    journal/<first seq>.log  the writes since the snapshot (devstack.journal)

What is journaled: DynamoDB and S3 requests that may change data, replayed as they came; for SES
sends, the messages the mailbox shows (moto's SES is not replayed). Conditional writes that failed
are not journaled (they changed nothing). moto keeps no time-dependent state the app relies on
(DynamoDB TTL does not delete in moto; the app's expiry checks compare times it sends itself), so a
replay gives the same data; only S3 LastModified becomes the time of the restart.
"""

import base64
import json
import logging
import os
import shutil
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from moto.backends import get_backend
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.s3.models import FakeKey

from devstack.journal import (
    DIRECTORY_MODE,
    FILE_MODE,
    BlobStore,
    Journal,
    Record,
    private_directory,
    write_file_durably,
)
from devstack.mailbox import Mailbox
from devstack.moto_server import SerializedApp, WriteRequest

logger = logging.getLogger("devstack.persistence")

FORMAT = 2
SNAPSHOT_FILE = "snapshot.json"
# Request bodies from this size on are stored as blobs (before the moto lock), not in the journal.
BLOB_THRESHOLD = 64 * 1024
_BATCH = 25
# What format 1 (one file per service, a save under the moto lock) left; read once, then removed.
_LEGACY_FILES = ("dynamodb.json", "s3/index.json", "mail.json")
_LEGACY_OBJECTS = Path("s3") / "objects"
_ITEM_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})


def write_atomic(path: Path, data: bytes) -> None:
    private_directory(path.parent)
    write_file_durably(path, data)


def make_private(root: Path) -> None:
    """Files 0600 and directories 0700 under ``root`` (also what earlier versions left readable)."""
    os.chmod(root, DIRECTORY_MODE)
    for directory, subdirectories, files in os.walk(root):
        for name in subdirectories:
            os.chmod(os.path.join(directory, name), DIRECTORY_MODE, follow_symlinks=False)
        for name in files:
            path = os.path.join(directory, name)
            if not os.path.islink(path):
                os.chmod(path, FILE_MODE)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None


def _json_bytes(value: Any) -> str:
    """moto keeps DynamoDB binary values as bytes; the snapshot has them in base64, as on the wire."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _encode_snapshot(
    seq: int, tables: dict[str, list[dict[str, Any]]], index: "_Index", emails: list[dict[str, Any]]
) -> bytes:
    """snapshot.json. Items are encoded one by one: one json.dumps of everything would hold the
    GIL for its whole run and stop every request thread meanwhile."""
    encoded_tables = ",".join(
        json.dumps(name) + ":[" + ",".join(json.dumps(item, default=_json_bytes) for item in items) + "]"
        for name, items in tables.items()
    )
    head = json.dumps({"format": FORMAT, "journal_seq": seq})[:-1]
    tail = json.dumps({"buckets": index, "emails": emails})[1:]
    return f'{head},"tables":{{{encoded_tables}}},{tail}'.encode()


def decode_value(value: dict[str, Any]) -> dict[str, Any]:
    """A snapshot's typed value (binary as base64) -> botocore's (binary as bytes)."""
    ((kind, inner),) = value.items()
    if kind == "B":
        return {"B": base64.b64decode(inner)}
    if kind == "BS":
        return {"BS": [base64.b64decode(item) for item in inner]}
    if kind == "M":
        return {"M": {name: decode_value(item) for name, item in inner.items()}}
    if kind == "L":
        return {"L": [decode_value(item) for item in inner]}
    return value


@dataclass
class Counts:
    tables: int = 0
    items: int = 0
    objects: int = 0
    emails: int = 0
    replayed: int = 0

    def __str__(self) -> str:
        text = f"{self.items} items in {self.tables} tables, {self.objects} objects, {self.emails} emails"
        return text + (f", {self.replayed} journaled writes replayed" if self.replayed else "")


_Key = tuple[DynamoType, DynamoType | None]
_Index = dict[str, dict[str, dict[str, Any]]]  # bucket -> key -> {file, etag, content_type, ...}


def _item_json(item: Any) -> dict[str, Any]:
    return item.to_json()["Attributes"]


class TableMirror:
    """The items of every table as the last snapshot saw them. ``note`` (under the moto lock,
    after each write) marks what a write touched; ``refresh`` (under the lock) copies only those
    items out of moto again. A write it cannot place (table created or deleted, PartiQL...) makes
    the next refresh copy everything."""

    def __init__(self, region: str) -> None:
        self._region = region
        self._items: dict[str, dict[_Key, dict[str, Any]]] = {}
        self._dirty: dict[str, set[_Key]] = defaultdict(set)
        self._everything_dirty = True

    def _tables(self) -> dict[str, Any]:
        return get_backend("dynamodb")[DEFAULT_ACCOUNT_ID][self._region].tables

    @staticmethod
    def _key_value(value: dict[str, Any]) -> DynamoType:
        # As moto holds it: botocore's parser gives binary as bytes.
        ((kind, inner),) = value.items()
        return DynamoType({kind: base64.b64decode(inner)} if kind == "B" else value)

    def _key(self, table_name: str, attributes: dict[str, Any]) -> _Key | None:
        table = self._tables().get(table_name)
        if table is None or table.hash_key_attr not in attributes:
            return None
        range_attr = table.range_key_attr
        if range_attr and range_attr not in attributes:
            return None
        hash_value = self._key_value(attributes[table.hash_key_attr])
        return hash_value, self._key_value(attributes[range_attr]) if range_attr else None

    def _touched(self, action: str, body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        if action == "PutItem":
            return [(body["TableName"], body["Item"])]
        if action in ("UpdateItem", "DeleteItem"):
            return [(body["TableName"], body["Key"])]
        if action == "BatchWriteItem":
            return [
                (table, request["PutRequest"]["Item"])
                if "PutRequest" in request
                else (table, request["DeleteRequest"]["Key"])
                for table, requests in body["RequestItems"].items()
                for request in requests
            ]
        touched = []
        for entry in body["TransactItems"]:
            if "Put" in entry:
                touched.append((entry["Put"]["TableName"], entry["Put"]["Item"]))
            for kind in ("Update", "Delete"):
                if kind in entry:
                    touched.append((entry[kind]["TableName"], entry[kind]["Key"]))
        return touched

    def note(self, request: WriteRequest) -> None:
        action = request.dynamodb_action
        if action is None or self._everything_dirty:
            return
        if action not in _ITEM_WRITES:
            self._everything_dirty = True
            return
        try:
            touched = self._touched(action, json.loads(request.body))
        except (ValueError, KeyError, TypeError):
            self._everything_dirty = True
            return
        for table_name, attributes in touched:
            key = self._key(table_name, attributes)
            if key is None:
                self._everything_dirty = True
                return
            self._dirty[table_name].add(key)

    def refresh(self) -> dict[str, list[dict[str, Any]]]:
        """Hold the moto lock. Returns every table's items (moto's own item JSON, binary as bytes);
        the lists are new, the items are not changed afterwards."""
        tables = self._tables()
        if self._everything_dirty:
            self._items = {
                name: {(item.hash_key, item.range_key): _item_json(item) for item in table.all_items()}
                for name, table in tables.items()
            }
        else:
            for name, keys in self._dirty.items():
                table = tables.get(name)
                if table is None:
                    self._items.pop(name, None)
                    continue
                cached = self._items.setdefault(name, {})
                for key in keys:
                    item = table.get_item(*key)
                    if item is None:
                        cached.pop(key, None)
                    else:
                        cached[key] = _item_json(item)
        self._dirty.clear()
        self._everything_dirty = False
        return {name: list(items.values()) for name, items in self._items.items()}


def _describe_object(key: FakeKey) -> dict[str, Any]:
    headers = {name.lower(): value for name, value in key.metadata.items()}
    return {
        "etag": key.etag,
        "content_type": headers.get("content-type"),
        "cache_control": headers.get("cache-control"),
        "metadata": {
            name.removeprefix("x-amz-meta-"): value
            for name, value in headers.items()
            if name.startswith("x-amz-meta-")
        },
    }


@dataclass(frozen=True)
class _PendingWrite:
    request: WriteRequest
    blob: str | None


class Persistence:
    """``restore()`` once on start (it attaches the journal to moto), ``save()`` to compact."""

    def __init__(self, data_dir: Path, moto: SerializedApp, endpoint_url: str, region: str, mailbox: Mailbox):
        self.data_dir = data_dir
        self._moto = moto
        self._region = region
        self._mailbox = mailbox
        self._blobs = BlobStore(data_dir / "blobs")
        self._journal = Journal(data_dir / "journal")
        self._mirror = TableMirror(region)
        self._save_lock = threading.Lock()
        self._blob_guard = threading.Lock()
        self._snapshot_seq = 0
        self._has_legacy_files = False
        self._index: _Index = {}
        session = boto3.session.Session(
            aws_access_key_id="devstack", aws_secret_access_key="devstack", region_name=region
        )
        config = Config(retries={"max_attempts": 2}, connect_timeout=5, read_timeout=60)
        self._dynamodb = session.client("dynamodb", endpoint_url=endpoint_url, config=config)
        self._s3 = session.client("s3", endpoint_url=endpoint_url, config=config)

    # -- the recorder moto calls for every request (devstack.moto_server.WriteRecorder) ---------

    def prepare(self, request: WriteRequest) -> _PendingWrite:
        if not request.is_ses and len(request.body) >= BLOB_THRESHOLD:
            return _PendingWrite(request, self._blobs.put(request.body))
        return _PendingWrite(request, None)

    def commit(self, pending: _PendingWrite) -> None:
        request = pending.request
        if request.is_ses:
            sent = self._mailbox.sync()
            if sent:
                self._journal.append({"type": "mail", "emails": sent})
            return
        header = {
            "type": "aws",
            "method": request.method,
            "path": request.path,
            "query": request.query,
            "headers": request.headers,
        }
        if pending.blob is not None:
            with self._blob_guard:
                if not self._blobs.path(pending.blob).exists():
                    self._blobs.put(request.body)  # a compaction deleted an equal, unreferenced body
                self._journal.append({**header, "blob": pending.blob})
        else:
            self._journal.append(header, request.body)
        self._mirror.note(request)

    def position(self) -> int:
        return self._journal.last_seq

    def wait_durable(self, position: int) -> None:
        self._journal.wait_durable(position)

    # -- restore ----------------------------------------------------------------------------

    def restore(self) -> Counts:
        """Load the snapshot and replay the journal after it into the freshly provisioned moto
        (tables must exist), then journal every write from now on."""
        make_private(self.data_dir)
        snapshot = self._read_snapshot()
        counts = Counts()
        existing = set(self._dynamodb.list_tables()["TableNames"])
        for name, items in snapshot["tables"].items():
            if name not in existing:
                logger.warning("skipping saved table %s: it is no longer provisioned", name)
                continue
            self._put_items(name, items)
            counts.tables += 1
            counts.items += len(items)
        counts.objects = self._put_objects(snapshot["buckets"])
        emails = list(snapshot["emails"])
        self._snapshot_seq = expected = snapshot["journal_seq"]
        for record in self._journal.read():
            if record.seq <= self._snapshot_seq:
                continue  # already in the snapshot (a crash before the segment was deleted)
            if record.seq != expected + 1:
                logger.warning("journal: records %d to %d are missing", expected + 1, record.seq - 1)
            expected = record.seq
            if record.header["type"] == "mail":
                emails.extend(record.header["emails"])
            else:
                self._replay(record)
            counts.replayed += 1
        self._mailbox.load(emails)
        counts.emails = len(emails)
        self._journal.start(after=self._snapshot_seq)
        self._moto.locked_call(self._mirror.refresh)
        removed = self._blobs.sweep(self._snapshot_files(self._index) | self._journal.referenced_blobs)
        if removed:
            logger.info("removed %d unreferenced blobs", removed)
        self._moto.recorder = self
        return counts

    def _read_snapshot(self) -> dict[str, Any]:
        snapshot = _read_json(self.data_dir / SNAPSHOT_FILE)
        if snapshot is not None:
            return snapshot
        legacy = [_read_json(self.data_dir / name) for name in _LEGACY_FILES]
        self._has_legacy_files = any(part is not None for part in legacy)
        tables, index, mail = (part or {} for part in legacy)
        return {
            "journal_seq": 0,
            "tables": tables.get("tables", {}),
            "buckets": index.get("buckets", {}),
            "emails": mail.get("emails", []),
        }

    def _replay(self, record: Record) -> None:
        header = record.header
        try:
            body = self._blobs.read(record.blob) if record.blob else record.body
        except FileNotFoundError:
            logger.error("journal record %d: its body blobs/%s is missing; skipped", record.seq, record.blob)
            return
        request = WriteRequest(
            method=header["method"],
            path=header["path"],
            query=header["query"],
            headers=header["headers"],
            body=body,
        )
        status = self._moto.replay(request)
        if status >= 400:
            logger.warning(
                "journal record %d (%s %s %s) answered %d on replay",
                record.seq,
                request.method,
                request.path,
                request.dynamodb_action or "",
                status,
            )

    def _put_items(self, table: str, items: list[dict[str, Any]]) -> None:
        for start in range(0, len(items), _BATCH):
            requests = [
                {"PutRequest": {"Item": {name: decode_value(value) for name, value in item.items()}}}
                for item in items[start : start + _BATCH]
            ]
            pending: dict[str, list[dict[str, Any]]] = {table: requests}
            for attempt in range(10):
                pending = self._dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
                if not pending:
                    break
                time.sleep(0.05 * (attempt + 1))
            if pending:
                raise RuntimeError(f"could not restore every item of {table}")

    def _object_path(self, file_name: str) -> Path:
        path = self._blobs.path(file_name)
        return path if path.exists() else self.data_dir / _LEGACY_OBJECTS / file_name

    def _put_objects(self, buckets: _Index) -> int:
        restored = 0
        for bucket, entries in buckets.items():
            try:
                self._s3.head_bucket(Bucket=bucket)
            except ClientError:
                self._s3.create_bucket(Bucket=bucket)
            for key, entry in entries.items():
                path = self._object_path(entry["file"])
                if not path.exists():
                    logger.warning("skipping saved object s3://%s/%s: its file is missing", bucket, key)
                    continue
                body = path.read_bytes()
                extra = {"Metadata": entry.get("metadata") or {}}
                if entry.get("content_type"):
                    extra["ContentType"] = entry["content_type"]
                if entry.get("cache_control"):
                    extra["CacheControl"] = entry["cache_control"]
                written = self._s3.put_object(Bucket=bucket, Key=key, Body=body, **extra)
                # Objects of format 1 move into the blob store with the next snapshot.
                file_name = entry["file"] if path.parent == self._blobs.directory else self._blobs.put(body)
                restored_entry = {**entry, "file": file_name, "etag": written["ETag"]}
                self._index.setdefault(bucket, {})[key] = restored_entry
                restored += 1
        return restored

    # -- save (compaction) -------------------------------------------------------------------

    @staticmethod
    def _snapshot_files(index: _Index) -> set[str]:
        return {entry["file"] for entries in index.values() for entry in entries.values()}

    def save(self, force: bool = False) -> Counts | None:
        """Write a snapshot if anything was journaled since the last one (or if forced) and drop
        the journal it covers. Returns what was saved, or None when there was nothing new."""
        with self._save_lock:
            captured = self._moto.locked_call(lambda: self._capture(force))
            if captured is None:
                return None
            seq, tables, index, bodies, emails = captured
            for body, entry in bodies:
                entry["file"] = self._blobs.put(body)
            write_atomic(self.data_dir / SNAPSHOT_FILE, _encode_snapshot(seq, tables, index, emails))
            previous_files = self._snapshot_files(self._index)
            self._index, self._snapshot_seq = index, seq
            segments, released = self._moto.locked_call(lambda: self._journal.detach_through(seq))
            for path in segments:
                path.unlink(missing_ok=True)
            self._delete_unreferenced(released | previous_files)
            if self._has_legacy_files:
                self._remove_legacy_files()
            return Counts(
                tables=len(tables),
                items=sum(len(items) for items in tables.values()),
                objects=sum(len(keys) for keys in index.values()),
                emails=len(emails),
            )

    def _capture(self, force: bool) -> tuple[int, Any, Any, Any, Any] | None:
        """Under the moto lock: only what changed since the last snapshot is copied."""
        if not force and self._journal.last_seq == self._snapshot_seq and not self._has_legacy_files:
            return None
        seq = self._journal.rotate()
        tables = self._mirror.refresh()
        index, bodies = self._collect_objects()
        return seq, tables, index, bodies, self._mailbox.export()

    def _collect_objects(self) -> tuple[_Index, list[tuple[bytes, dict[str, Any]]]]:
        index: _Index = {}
        bodies: list[tuple[bytes, dict[str, Any]]] = []
        for bucket_name, bucket in get_backend("s3")[DEFAULT_ACCOUNT_ID]["aws"].buckets.items():
            entries = index.setdefault(bucket_name, {})
            previous = self._index.get(bucket_name, {})
            for key_name, key in bucket.keys.items():
                if not isinstance(key, FakeKey):
                    continue  # a delete marker
                described = _describe_object(key)
                known = previous.get(key_name)
                if known is not None and {**known, "file": None} == {**described, "file": None}:
                    entries[key_name] = known
                    continue
                entries[key_name] = described
                bodies.append((key.value, described))
        return index, bodies

    def _delete_unreferenced(self, candidates: set[str]) -> None:
        """Delete the blobs neither the snapshot nor a journal record names. Each check and delete
        is atomic with respect to ``commit``, which re-creates a missing blob and names it."""
        snapshot_files = self._snapshot_files(self._index)
        for name in candidates - snapshot_files:
            with self._blob_guard:
                if not self._journal.names_blob(name):
                    self._blobs.delete({name})

    def _remove_legacy_files(self) -> None:
        for name in _LEGACY_FILES:
            (self.data_dir / name).unlink(missing_ok=True)
        shutil.rmtree(self.data_dir / _LEGACY_OBJECTS, ignore_errors=True)
        legacy_s3 = self.data_dir / "s3"
        if legacy_s3.is_dir() and not any(legacy_s3.iterdir()):
            legacy_s3.rmdir()
        self._has_legacy_files = False

    def close(self) -> None:
        self._moto.recorder = None
        self._journal.close()


class PeriodicSaver:
    """Saves every ``interval`` seconds when something changed; a failed save is logged and
    retried on the next tick."""

    def __init__(self, persistence: Persistence, interval: float) -> None:
        self._persistence = persistence
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="saver", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._persistence.save()
            except Exception:
                logger.exception("periodic save failed; will retry")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
