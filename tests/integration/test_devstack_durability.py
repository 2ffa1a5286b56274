"""What the local stack answered stays answered: acknowledged writes survive SIGKILL, compaction does
not stop requests, and what is saved under DATA_DIR is private to its owner."""

import json
import os
import signal
import stat
import statistics
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from devstack.mailbox import Mailbox
from devstack.moto_server import LockedMotoServer
from devstack.persistence import Persistence
from tests.integration.conftest import LocalStack, StackFactory
from tests.integration.media import rendition_key

pytestmark = pytest.mark.integration

ADMIN = {"SUPERADMIN_EMAIL": "root@example.com", "SUPERADMIN_PASSWORD": "root-password-1"}
EVENT = {
    "name": "Durable Conf",
    "starts_at": "2027-05-01T09:00:00+02:00",
    "ends_at": "2027-05-03T18:00:00+02:00",
    "timezone": "Europe/Berlin",
    "currency": "EUR",
}
BURST_SECONDS = 6.0
ITEMS = 3000
WRITERS = 3


def _published_event_with_ticket(stack: LocalStack, organizer: str) -> tuple[str, str]:
    event = stack.api("POST", "/events", EVENT, token=organizer).json()
    assert stack.api("PATCH", f"/events/{event['id']}", {"state": "published"}, token=organizer).ok
    fields = {"name": "General", "type": "free", "price": "0", "quantity": 100_000, "max_order": 1}
    created = stack.api("POST", f"/events/{event['id']}/tickets", fields, token=organizer)
    assert created.status_code == 201, created.text
    return event["id"], created.json()["id"]


def _order(stack: LocalStack, event_id: str, ticket_id: str, token: str, key: str) -> requests.Response:
    return requests.post(
        f"{stack.api_url}/events/{event_id}/orders",
        json={"items": [{"ticket_id": ticket_id, "quantity": 1}]},
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
        timeout=30,
    )


def test_every_acknowledged_write_survives_sigkill_right_after_a_burst(
    local_stack_factory: StackFactory,
) -> None:
    # Compactions every 2 s: the burst crosses snapshots and journal segments, and ends after the last.
    stack = local_stack_factory(env={**ADMIN, "DEVSTACK_SAVE_INTERVAL": "2"})
    organizer = stack.signup()
    buyers = [stack.signup() for _ in range(WRITERS)]
    event_id, ticket_id = _published_event_with_ticket(stack, organizer)
    # The stack's first order makes the DynamoDB clients of the models it touches (4-5 s here);
    # three of those at once left the 6 s burst with no order to check (CI).
    warm = _order(stack, event_id, ticket_id, organizer, uuid.uuid4().hex)
    assert warm.status_code == 201, warm.text

    events: list[tuple[str, str]] = []  # (id, name) of every 201
    orders: list[tuple[str, str, str]] = []  # (buyer token, Idempotency-Key, order id) of every 201
    ledger = threading.Lock()
    deadline = time.monotonic() + BURST_SECONDS

    def write(buyer: str) -> None:
        with requests.Session() as session:
            while time.monotonic() < deadline + 5:  # until the kill cuts the connection
                name = f"Burst {uuid.uuid4().hex[:10]}"
                key = uuid.uuid4().hex
                try:
                    created = session.post(
                        f"{stack.api_url}/events",
                        json={**EVENT, "name": name},
                        headers={"Authorization": f"Bearer {organizer}"},
                        timeout=30,
                    )
                    if created.status_code == 201:
                        with ledger:
                            events.append((created.json()["id"], name))
                    placed = _order(stack, event_id, ticket_id, buyer, key)
                    if placed.status_code == 201:
                        with ledger:
                            orders.append((buyer, key, placed.json()["id"]))
                except requests.RequestException:
                    return

    writers = [threading.Thread(target=write, args=(buyer,)) for buyer in buyers]
    for writer in writers:
        writer.start()
    time.sleep(max(0.0, deadline - time.monotonic()))
    # Killed while the writers are still sending: whatever answered 201 before this was acknowledged.
    assert stack.stop(signal.SIGKILL) == -signal.SIGKILL
    for writer in writers:
        writer.join(timeout=60)
    assert len(events) >= 5 and len(orders) >= 5, (len(events), len(orders))

    stack.start()
    missing_events = [
        event_id
        for event_id, _ in events
        if stack.api("GET", f"/events/{event_id}", token=organizer).status_code != 200
    ]
    assert missing_events == [], f"{len(missing_events)} of {len(events)} acknowledged events lost"
    for event, name in events[:: max(1, len(events) // 20)]:
        assert stack.api("GET", f"/events/{event}", token=organizer).json()["name"] == name
    missing_orders = [
        order_id
        for buyer, _, order_id in orders
        if stack.api("GET", f"/orders/{order_id}", token=buyer).status_code != 200
    ]
    assert missing_orders == [], f"{len(missing_orders)} of {len(orders)} acknowledged orders lost"

    # A retry of an acknowledged order is answered with that order, and sells nothing again.
    sold_before = len(_event_orders(stack, event_id, organizer))
    for buyer, key, order_id in orders:
        retried = _order(stack, event_id, ticket_id, buyer, key)
        assert retried.status_code in (200, 201), retried.text
        assert (retried.json()["id"], retried.headers["Idempotent-Replayed"]) == (order_id, "true")
    assert len(_event_orders(stack, event_id, organizer)) == sold_before


def _event_orders(stack: LocalStack, event_id: str, organizer: str) -> list[dict[str, Any]]:
    found, cursor = [], None
    while True:
        query = "?limit=100" + (f"&cursor={cursor}" if cursor else "")
        page = stack.api("GET", f"/events/{event_id}/orders{query}", token=organizer)
        assert page.status_code == 200, page.text
        found += page.json()
        cursor = page.headers.get("X-Next-Cursor")
        if not cursor:
            return found


# -- files under DATA_DIR ---------------------------------------------------------------------------


def _modes(root: Path) -> dict[str, str]:
    """Every path under ``root`` (and root itself) whose mode lets anyone but the owner in."""
    found = {}
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if mode & 0o077 or (path.is_dir() and mode != 0o700):
            found[str(path.relative_to(root))] = oct(mode)
    return found


def test_a_crash_keeps_objects_and_mail_and_every_saved_file_is_private(
    local_stack_factory: StackFactory,
) -> None:
    stack = local_stack_factory(env=ADMIN)
    email = stack.unique_email("private")
    token = stack.signup(email)
    event = stack.api("POST", "/events", EVENT, token=token).json()
    invited = stack.api(
        "POST",
        f"/events/{event['id']}/invites",
        {"email": stack.unique_email("guest"), "role": "coorganizer"},
        token=token,
    )
    assert invited.status_code == 201, invited.text
    s3 = stack.aws_client("s3")
    body = os.urandom(2_000_000)  # boto3 sends it with Expect: 100-continue
    s3.put_object(
        Bucket="marquee-dev-media", Key="events/private/big.bin", Body=body, ContentType="image/png"
    )
    # A browser upload: a presigned POST (a multipart form) straight to S3.
    post = s3.generate_presigned_post("marquee-dev-media", "uploads/browser.jpg")
    uploaded = requests.post(
        post["url"],
        data=post["fields"],
        files={"file": ("b.jpg", b"\xff\xd8 jpeg", "image/jpeg")},
        timeout=10,
    )
    assert uploaded.status_code in (200, 201, 204), uploaded.text
    stack.aws_client("ses").send_email(
        Source="no-reply@marquee.example",
        Destination={"ToAddresses": [email]},
        Message={"Subject": {"Data": "before the crash"}, "Body": {"Text": {"Data": "hello"}}},
    )
    # After a crash the writes are in the journal (and the big body in a blob) ...
    assert stack.stop(signal.SIGKILL) == -signal.SIGKILL
    assert list((stack.data_dir / "journal").iterdir())
    assert list((stack.data_dir / "blobs").iterdir())
    assert _modes(stack.data_dir) == {}
    stack.start()
    stored = stack.aws_client("s3").get_object(Bucket="marquee-dev-media", Key="events/private/big.bin")
    assert (stored["Body"].read(), stored["ContentType"]) == (body, "image/png")
    browser = stack.aws_client("s3").get_object(Bucket="marquee-dev-media", Key="uploads/browser.jpg")
    assert browser["Body"].read() == b"\xff\xd8 jpeg"
    mail = requests.get(f"{stack.base_url}/mailbox.json", timeout=10).json()
    assert "before the crash" in [message["subject"] for message in mail if email in message["to"]]
    listed = stack.api("GET", f"/events/{event['id']}/invites", token=token)
    assert [invite["id"] for invite in listed.json()] == [invited.json()["id"]]
    # ... after a clean stop in the snapshot.
    assert stack.stop() == 0
    snapshot = (stack.data_dir / "snapshot.json").read_text()
    assert email.lower() in snapshot and "password_hash" in snapshot
    assert _modes(stack.data_dir) == {}


def test_a_data_dir_saved_by_the_earlier_format_is_loaded_and_made_private(
    local_stack_factory: StackFactory, tmp_path: Path
) -> None:
    data_dir = tmp_path / "old"
    (data_dir / "s3" / "objects").mkdir(parents=True)
    item = {"pk": {"S": "DEVSTACK#legacy"}, "sk": {"S": "KEPT"}, "binary": {"B": "AP8="}}
    files = {
        "dynamodb.json": {"format": 1, "tables": {"marquee-dev-system": [item]}},
        "s3/index.json": {
            "format": 1,
            "buckets": {
                "marquee-dev-media": {
                    rendition_key("legacy"): {
                        "file": "legacy-object",
                        "etag": '"x"',
                        "content_type": "image/jpeg",
                        "cache_control": None,
                        "metadata": {},
                    }
                }
            },
        },
        "mail.json": {"format": 1, "emails": [{"id": "1", "subject": "kept", "to": ["a@example.com"]}]},
    }
    for name, content in files.items():
        (data_dir / name).write_text(json.dumps(content))
    (data_dir / "s3" / "objects" / "legacy-object").write_bytes(b"webp bytes")
    for path in [data_dir, *data_dir.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)

    stack = local_stack_factory(data_dir=data_dir, env={**ADMIN, "DEVSTACK_SAVE_INTERVAL": "0.2"})
    assert _modes(data_dir) == {}
    stored = stack.aws_client("dynamodb").get_item(
        TableName="marquee-dev-system", Key={"pk": item["pk"], "sk": item["sk"]}
    )["Item"]
    assert stored["binary"] == {"B": b"\x00\xff"}
    media = requests.get(f"{stack.base_url}/media/{rendition_key('legacy')}", timeout=10)
    assert (media.status_code, media.content) == (200, b"webp bytes")
    deadline = time.monotonic() + 20
    while (data_dir / "dynamodb.json").exists():
        assert time.monotonic() < deadline, "the earlier format's files were not replaced"
        time.sleep(0.1)
    assert not (data_dir / "s3").exists()
    stack.restart(signal.SIGTERM)
    mail = requests.get(f"{stack.base_url}/mailbox.json", timeout=10).json()
    assert [message["subject"] for message in mail] == ["kept"]
    media = requests.get(f"{stack.base_url}/media/{rendition_key('legacy')}", timeout=10)
    assert (media.status_code, media.content) == (200, b"webp bytes")


# -- the pieces, in process: one moto server and Persistence in this process ------------------------


@pytest.fixture
def moto_server() -> Iterator[LockedMotoServer]:
    server = LockedMotoServer()
    server.start()
    requests.post(f"{server.endpoint_url}/moto-api/reset", timeout=10)
    yield server
    requests.post(f"{server.endpoint_url}/moto-api/reset", timeout=10)
    server.stop()


def _client(server: LockedMotoServer, service: str) -> Any:
    return boto3.session.Session().client(
        service,
        endpoint_url=server.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="devstack",
        aws_secret_access_key="devstack",
    )


def _create_table(dynamodb: Any, name: str) -> None:
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )


def _persistence(server: LockedMotoServer, data_dir: Path) -> Persistence:
    return Persistence(data_dir, server.app, server.endpoint_url, "us-east-1", Mailbox("us-east-1"))


def test_a_replay_applies_each_journaled_write_once_relative_to_the_snapshot(
    moto_server: LockedMotoServer, tmp_path: Path
) -> None:
    """A crash after the snapshot was written but before the journal it covers was deleted: the
    counter incremented by non-idempotent updates must not be incremented again."""
    dynamodb = _client(moto_server, "dynamodb")
    _create_table(dynamodb, "journal-counter")
    key = {"pk": {"S": "COUNTER"}, "sk": {"S": "ONE"}}

    def increment() -> None:
        dynamodb.update_item(
            TableName="journal-counter",
            Key=key,
            UpdateExpression="ADD hits :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )

    first = _persistence(moto_server, tmp_path)
    first.restore()
    for _ in range(3):
        increment()
    covered = {path.name: path.read_bytes() for path in (tmp_path / "journal").iterdir()}
    assert first.save() is not None
    increment()  # after the snapshot: only in the journal
    first.close()
    for name, data in covered.items():  # as if the crash came before they were deleted
        (tmp_path / "journal" / name).write_bytes(data)

    requests.post(f"{moto_server.endpoint_url}/moto-api/reset", timeout=10)
    _create_table(dynamodb, "journal-counter")
    counts = _persistence(moto_server, tmp_path).restore()
    assert counts.replayed == 1
    stored = dynamodb.get_item(TableName="journal-counter", Key=key, ConsistentRead=True)["Item"]
    assert stored["hits"] == {"N": "4"}


def test_a_compaction_does_not_hold_the_moto_lock_for_the_scan(
    moto_server: LockedMotoServer, tmp_path: Path
) -> None:
    """Side by side: the longest a request waits while compactions run, against the time one scan
    of the data takes (the old save held the lock for a scan of every table)."""
    dynamodb = _client(moto_server, "dynamodb")
    _create_table(dynamodb, "journal-stall")
    persistence = _persistence(moto_server, tmp_path)
    persistence.restore()
    note = "x" * 400
    for start in range(0, ITEMS, 25):
        dynamodb.batch_write_item(
            RequestItems={
                "journal-stall": [
                    {
                        "PutRequest": {
                            "Item": {"pk": {"S": f"P{n % 30}"}, "sk": {"S": f"S{n}"}, "note": {"S": note}}
                        }
                    }
                    for n in range(start, start + 25)
                ]
            }
        )
    assert persistence.save() is not None
    began = time.perf_counter()
    scanned = sum(
        len(page["Items"]) for page in dynamodb.get_paginator("scan").paginate(TableName="journal-stall")
    )
    scan_seconds = time.perf_counter() - began
    assert scanned == ITEMS

    overlapping: list[float] = []
    saving = threading.Event()
    done = threading.Event()

    def read() -> None:
        reader = _client(moto_server, "dynamodb")
        while not done.is_set():
            during = saving.is_set()
            began = time.perf_counter()
            reader.get_item(TableName="journal-stall", Key={"pk": {"S": "P0"}, "sk": {"S": "S0"}})
            if during or saving.is_set():
                overlapping.append(time.perf_counter() - began)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for round_ in range(8):
            for n in range(20):
                dynamodb.put_item(
                    TableName="journal-stall",
                    Item={"pk": {"S": f"P{n}"}, "sk": {"S": f"R{round_}-{n}"}, "note": {"S": note}},
                )
            saving.set()
            assert persistence.save() is not None
            saving.clear()
    finally:
        done.set()
        reader.join()
    assert len(overlapping) >= 8
    longest = max(overlapping)
    assert longest < scan_seconds / 2, (longest, statistics.median(overlapping), scan_seconds)
    saved = json.loads((tmp_path / "snapshot.json").read_text())
    assert len(saved["tables"]["journal-stall"]) == ITEMS + 8 * 20
    persistence.close()
