"""`manage.py provision` under moto: creates everything once, a second run changes nothing and
says so, repairs what drifted, refuses what it must not change."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer

from chalicelib.config import settings
from chalicelib.store.aws import client
from chalicelib.store.buckets import bucket_specs
from chalicelib.store.schema import table_specs
from devstack.launcher import free_port
from manage import main


def _provision(capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    status = main(["provision"])
    captured = capsys.readouterr()
    return status, captured.out.splitlines(), captured.err


def test_first_run_creates_every_table_bucket_and_the_mail_sender(
    empty_aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    status, lines, _ = _provision(capsys)

    assert status == 0
    for spec in table_specs():
        assert f"table {spec.name}: created" in lines
    for bucket in bucket_specs(settings()):
        assert f"bucket {bucket.name}: created" in lines
    assert f"mail sender {settings().mail_sender}: verification requested" in lines
    assert lines[-1] == f"{len(lines) - 1} change(s)"
    tables = client("dynamodb").list_tables()["TableNames"]
    assert sorted(tables) == sorted(spec.name for spec in table_specs())


def test_second_run_changes_nothing_and_says_so(aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    status, lines, _ = _provision(capsys)

    assert status == 0
    assert len(lines) == 1
    assert lines[0].startswith("nothing changed (")


def test_drift_is_repaired_and_reported(aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    dynamodb, s3 = client("dynamodb"), client("s3")
    config = settings()
    indexed = next(spec for spec in table_specs() if spec.global_indexes)
    index = sorted(indexed.global_indexes)[0]
    dynamodb.update_table(
        TableName=indexed.name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": index}}]
    )
    some_table = table_specs()[0].name
    dynamodb.update_continuous_backups(
        TableName=some_table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False}
    )
    s3.delete_bucket_cors(Bucket=config.media_bucket)
    s3.delete_bucket_policy(Bucket=config.media_bucket)
    s3.delete_bucket_lifecycle(Bucket=config.media_bucket)

    status, lines, _ = _provision(capsys)

    assert status == 0
    assert f"table {indexed.name}: index {index} created" in lines
    assert f"table {some_table}: point-in-time recovery enabled" in lines
    assert f"bucket {config.media_bucket}: CORS set" in lines
    assert f"bucket {config.media_bucket}: public read on events/ granted" in lines
    assert f"bucket {config.media_bucket}: expiry of uploads/ set" in lines
    assert lines[-1] == "5 change(s)"
    names = [
        i["IndexName"]
        for i in dynamodb.describe_table(TableName=indexed.name)["Table"]["GlobalSecondaryIndexes"]
    ]
    assert index in names

    assert _provision(capsys)[1][0].startswith("nothing changed")


def test_a_table_whose_keys_differ_from_the_models_is_refused_not_replaced(
    aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    dynamodb = client("dynamodb")
    spec = table_specs()[0]
    dynamodb.delete_table(TableName=spec.name)
    dynamodb.create_table(
        TableName=spec.name,
        KeySchema=[{"AttributeName": "other", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "other", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )

    status, _, err = _provision(capsys)

    assert status == 1
    assert f"table {spec.name} has keys" in err and "cannot change in place" in err
    assert dynamodb.describe_table(TableName=spec.name)["Table"]["KeySchema"][0]["AttributeName"] == "other"


def test_the_operator_sequence_in_its_own_processes_with_a_stage(tmp_path: Path) -> None:
    """`--stage dev` in a fresh process, as an operator runs it, against a moto server."""
    root = Path(__file__).resolve().parents[2]
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "MARQUEE_TABLE_PREFIX": "from-the-shell",  # dropped: the stage decides
        "MARQUEE_ARGON2_TIME_COST": "1",
        "MARQUEE_ARGON2_MEMORY_KIB": "1024",
    }

    def manage(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=root,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )

    chalice_dir = tmp_path / "chalice"
    chalice_dir.mkdir()
    (chalice_dir / "config.json").write_text((root / ".chalice" / "config.json").read_text())

    try:
        first = manage("provision", "--stage", "dev", "--chalice-dir", str(chalice_dir))
        assert first.returncode == 0, first.stderr
        assert "table marquee-dev-users: created" in first.stdout
        # chalice deploy makes the stream functions' mappings from the ARNs recorded for the stage.
        assert "stage dev: MARQUEE_EVENTS_STREAM_ARN recorded in .chalice/config.json" in first.stdout
        recorded = json.loads((chalice_dir / "config.json").read_text())["stages"]["dev"]
        assert (
            ":table/marquee-dev-orders/stream/"
            in recorded["environment_variables"]["MARQUEE_ORDERS_STREAM_ARN"]
        )
        second = manage("provision", "--stage", "dev", "--chalice-dir", str(chalice_dir))
        assert second.stdout.startswith("nothing changed"), second.stdout
        assert "recorded" not in second.stdout

        assert manage("migrate", "up", "--stage", "dev").returncode == 0
        status = manage("migrate", "status", "--stage", "dev")
        assert "<- current, head" in status.stdout and "(up to date)" in status.stdout

        admin = manage(
            "create-superadmin",
            "--stage",
            "dev",
            "--email",
            "ops@example.org",
            "--password-stdin",
            stdin="a long password\n",
        )
        assert admin.returncode == 0, admin.stderr
        assert admin.stdout.startswith("created super admin ops@example.org")
        shell = manage("shell", "--stage", "dev", stdin="print('ADMIN', admin.email, User.Meta.table_name)\n")
        assert "ADMIN ops@example.org marquee-dev-users" in shell.stdout
    finally:
        server.stop()


def test_a_table_without_its_stream_gets_it(aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    """Tables made before the stream functions existed: provisioning turns their stream on (and
    the events table's TTL, which removes password reset requests)."""
    dynamodb = client("dynamodb")
    spec = next(spec for spec in table_specs() if spec.name == settings().table_name("events"))
    events = spec.name
    dynamodb.delete_table(TableName=events)
    dynamodb.create_table(
        TableName=events,
        KeySchema=spec.key_schema,
        AttributeDefinitions=spec.attribute_definitions(),
        GlobalSecondaryIndexes=spec.global_index_definitions(),
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.update_continuous_backups(
        TableName=events, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )

    status, lines, _ = _provision(capsys)

    assert status == 0
    assert lines[:-1] == [
        f"table {events}: stream (NEW_AND_OLD_IMAGES) enabled",
        f"table {events}: TTL on purge_at enabled",
    ]
    table = dynamodb.describe_table(TableName=events)["Table"]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert _provision(capsys)[1][0].startswith("nothing changed (")
