"""Saving the local stack's data under DATA_DIR and loading it back on the next start.

Layout of DATA_DIR (every file is replaced atomically: written to a temp file, then renamed):
    jwt-secret             the per-install token signing secret (created once)
    superadmin.json        the generated super admin credentials (when not given by env)
    dynamodb.json          {"tables": {table name: [items as DynamoDB typed JSON]}}
    s3/index.json          {"buckets": {bucket: {key: {file, etag, content_type, cache_control, metadata}}}}
    s3/objects/<sha256>    one file per object body
    mail.json              the emails sent so far (the /mailbox page)

A save holds the moto lock for its whole duration (SerializedApp.snapshot), so it captures one
consistent state even while requests keep coming; objects whose ETag did not change are not
downloaded again.
"""

import base64
import hashlib
import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from devstack.mailbox import Mailbox
from devstack.moto_server import SerializedApp, add_snapshot_header

logger = logging.getLogger("devstack.persistence")

FORMAT = 1
_BATCH = 25


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode), "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None


def encode_value(value: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB typed value from botocore (binary as bytes) -> JSON-ready (binary as base64)."""
    ((kind, inner),) = value.items()
    if kind == "B":
        return {"B": base64.b64encode(inner).decode("ascii")}
    if kind == "BS":
        return {"BS": [base64.b64encode(item).decode("ascii") for item in inner]}
    if kind == "M":
        return {"M": {name: encode_value(item) for name, item in inner.items()}}
    if kind == "L":
        return {"L": [encode_value(item) for item in inner]}
    return value


def decode_value(value: dict[str, Any]) -> dict[str, Any]:
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


def _object_file(bucket: str, key: str) -> str:
    return hashlib.sha256(f"{bucket}/{key}".encode()).hexdigest()


@dataclass
class Counts:
    tables: int = 0
    items: int = 0
    objects: int = 0
    emails: int = 0

    def __str__(self) -> str:
        return f"{self.items} items in {self.tables} tables, {self.objects} objects, {self.emails} emails"


class Persistence:
    def __init__(self, data_dir: Path, moto: SerializedApp, endpoint_url: str, region: str, mailbox: Mailbox):
        self.data_dir = data_dir
        self._moto = moto
        self._mailbox = mailbox
        self._token: str | None = None
        self._save_lock = threading.Lock()
        self._saved_generation: int | None = None
        self._index: dict[str, dict[str, dict[str, Any]]] = {}
        session = boto3.session.Session(
            aws_access_key_id="devstack", aws_secret_access_key="devstack", region_name=region
        )
        config = Config(retries={"max_attempts": 2}, connect_timeout=5, read_timeout=60)
        self._dynamodb = session.client("dynamodb", endpoint_url=endpoint_url, config=config)
        self._s3 = session.client("s3", endpoint_url=endpoint_url, config=config)
        for client in (self._dynamodb, self._s3):
            add_snapshot_header(client, lambda: self._token)

    @property
    def _objects_dir(self) -> Path:
        return self.data_dir / "s3" / "objects"

    # -- save -------------------------------------------------------------------------------

    def save(self, force: bool = False) -> Counts | None:
        """Save everything if anything changed since the last save (or if forced).
        Returns what was saved, or None when there was nothing new."""
        with self._save_lock:
            with self._moto.snapshot() as (token, generation):
                if not force and generation == self._saved_generation:
                    return None
                self._token = token
                try:
                    tables = self._scan_tables()
                    index, bodies = self._collect_objects()
                    self._mailbox.sync()
                    emails = self._mailbox.export()
                finally:
                    self._token = None
            self._write(tables, index, bodies, emails)
            self._saved_generation = generation
            return Counts(
                tables=len(tables),
                items=sum(len(items) for items in tables.values()),
                objects=sum(len(keys) for keys in index.values()),
                emails=len(emails),
            )

    def _scan_tables(self) -> dict[str, list[dict[str, Any]]]:
        tables: dict[str, list[dict[str, Any]]] = {}
        for page in self._dynamodb.get_paginator("list_tables").paginate():
            for name in page["TableNames"]:
                items = tables.setdefault(name, [])
                for scanned in self._dynamodb.get_paginator("scan").paginate(TableName=name):
                    items.extend(
                        {attribute: encode_value(value) for attribute, value in item.items()}
                        for item in scanned["Items"]
                    )
        return tables

    def _collect_objects(self) -> tuple[dict[str, dict[str, dict[str, Any]]], dict[str, bytes]]:
        index: dict[str, dict[str, dict[str, Any]]] = {}
        bodies: dict[str, bytes] = {}
        for bucket in self._s3.list_buckets().get("Buckets", []):
            name = bucket["Name"]
            entries = index.setdefault(name, {})
            previous = self._index.get(name, {})
            for page in self._s3.get_paginator("list_objects_v2").paginate(Bucket=name):
                for listed in page.get("Contents", []):
                    key = listed["Key"]
                    known = previous.get(key)
                    if (
                        known
                        and known["etag"] == listed["ETag"]
                        and (self._objects_dir / known["file"]).exists()
                    ):
                        entries[key] = known
                        continue
                    fetched = self._s3.get_object(Bucket=name, Key=key)
                    file_name = _object_file(name, key)
                    bodies[file_name] = fetched["Body"].read()
                    entries[key] = {
                        "file": file_name,
                        "etag": fetched["ETag"],
                        "content_type": fetched.get("ContentType"),
                        "cache_control": fetched.get("CacheControl"),
                        "metadata": fetched.get("Metadata", {}),
                    }
        return index, bodies

    def _write(
        self,
        tables: dict[str, list[dict[str, Any]]],
        index: dict[str, dict[str, dict[str, Any]]],
        bodies: dict[str, bytes],
        emails: list[dict[str, Any]],
    ) -> None:
        for file_name, body in bodies.items():
            write_atomic(self._objects_dir / file_name, body)
        write_atomic(
            self.data_dir / "s3" / "index.json", json.dumps({"format": FORMAT, "buckets": index}).encode()
        )
        write_atomic(
            self.data_dir / "dynamodb.json", json.dumps({"format": FORMAT, "tables": tables}).encode()
        )
        write_atomic(self.data_dir / "mail.json", json.dumps({"format": FORMAT, "emails": emails}).encode())
        referenced = {entry["file"] for entries in index.values() for entry in entries.values()}
        for path in self._objects_dir.glob("*"):
            if path.name not in referenced and not path.name.startswith("."):
                path.unlink(missing_ok=True)
        self._index = index

    # -- restore ----------------------------------------------------------------------------

    def restore(self) -> Counts:
        """Load what an earlier run saved into the freshly provisioned moto (tables must exist)."""
        counts = Counts()
        tables = (_read_json(self.data_dir / "dynamodb.json") or {}).get("tables", {})
        existing = set(self._dynamodb.list_tables()["TableNames"])
        for name, items in tables.items():
            if name not in existing:
                logger.warning("skipping saved table %s: it is no longer provisioned", name)
                continue
            self._put_items(name, items)
            counts.tables += 1
            counts.items += len(items)
        buckets = (_read_json(self.data_dir / "s3" / "index.json") or {}).get("buckets", {})
        counts.objects = self._put_objects(buckets)
        emails = (_read_json(self.data_dir / "mail.json") or {}).get("emails", [])
        self._mailbox.load(emails)
        counts.emails = len(emails)
        self._saved_generation = self._moto.generation
        return counts

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

    def _put_objects(self, buckets: dict[str, dict[str, dict[str, Any]]]) -> int:
        restored = 0
        for bucket, entries in buckets.items():
            try:
                self._s3.head_bucket(Bucket=bucket)
            except ClientError:
                self._s3.create_bucket(Bucket=bucket)
            for key, entry in entries.items():
                path = self._objects_dir / entry["file"]
                if not path.exists():
                    logger.warning("skipping saved object s3://%s/%s: its file is missing", bucket, key)
                    continue
                extra = {"Metadata": entry.get("metadata") or {}}
                if entry.get("content_type"):
                    extra["ContentType"] = entry["content_type"]
                if entry.get("cache_control"):
                    extra["CacheControl"] = entry["cache_control"]
                written = self._s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes(), **extra)
                self._index.setdefault(bucket, {})[key] = {**entry, "etag": written["ETag"]}
                restored += 1
        return restored


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
