"""`manage.py policy --stage S` writes the policy `chalice deploy` needs, with the account from STS
(moto here) or --account, the WebSocket API recorded by a previous deploy, and clear errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from manage import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def chalice_dir(tmp_path: Path, restore_environ: None) -> Path:
    """config.json with a stage named like this test process's (its models use marquee-test-*)."""
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    config["stages"]["test"] = {
        "environment_variables": {
            "MARQUEE_STAGE": "test",
            "MARQUEE_MAIL_SENDER": "events@example.org",
            "MARQUEE_JWT_SECRET_PARAMETER": "/marquee/test/jwt-secret",
        }
    }
    (tmp_path / "config.json").write_text(json.dumps(config))
    return tmp_path


def _policy(chalice_dir: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, list[str], str]:
    status = main(["policy", "--stage", "test", "--chalice-dir", str(chalice_dir), *extra])
    captured = capsys.readouterr()
    return status, captured.out.splitlines(), captured.err


def _resources(chalice_dir: Path) -> list[str]:
    policy = json.loads((chalice_dir / "policy-test.json").read_text())
    return [arn for statement in policy["Statement"] for arn in statement["Resource"]]


def test_the_account_comes_from_sts_and_the_file_names_the_stages_resources(
    chalice_dir: Path, empty_aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    status, lines, err = _policy(chalice_dir, capsys)

    assert status == 0, err
    assert lines == [
        f"wrote {chalice_dir / 'policy-test.json'} (the functions' IAM policy for chalice deploy)",
        "  account: 123456789012 (sts get-caller-identity)",
        "  websocket API: * (any: none deployed yet)",
        "next: chalice deploy --stage test",
    ]
    resources = _resources(chalice_dir)
    assert "arn:aws:dynamodb:us-east-1:123456789012:table/marquee-test-events" in resources
    # The stream functions read the streamed tables' streams, whatever their label.
    assert "arn:aws:dynamodb:us-east-1:123456789012:table/marquee-test-orders/stream/*" in resources
    assert not any(arn.endswith("marquee-test-users/stream/*") for arn in resources)
    assert "arn:aws:ses:us-east-1:123456789012:identity/events@example.org" in resources
    assert "arn:aws:ssm:us-east-1:123456789012:parameter/marquee/test/jwt-secret" in resources


def test_an_explicit_account_and_the_deployed_websocket_api(
    chalice_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (chalice_dir / "deployed").mkdir()
    record = {"resources": [{"resource_type": "websocket_api", "websocket_api_id": "w5k3t9api1"}]}
    (chalice_dir / "deployed" / "test.json").write_text(json.dumps(record))

    status, lines, err = _policy(chalice_dir, capsys, "--account", "210987654321")

    assert status == 0, err
    assert lines[1:3] == [
        "  account: 210987654321 (--account)",
        "  websocket API: w5k3t9api1 (from .chalice/deployed/test.json)",
    ]
    assert "arn:aws:execute-api:us-east-1:210987654321:w5k3t9api1/api/POST/@connections/*" in _resources(
        chalice_dir
    )


def test_errors_are_clear_and_exit_non_zero(chalice_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = _policy(chalice_dir, capsys, "--account", "12345")
    assert (status, err) == (1, "error: account '12345' is neither a 12-digit AWS account id nor '*'\n")

    config = json.loads((chalice_dir / "config.json").read_text())
    del config["stages"]["test"]["environment_variables"]["MARQUEE_JWT_SECRET_PARAMETER"]
    (chalice_dir / "config.json").write_text(json.dumps(config))
    status, _, err = _policy(chalice_dir, capsys, "--account", "*")
    assert status == 1
    assert err.startswith("error: stage test sets no MARQUEE_JWT_SECRET_PARAMETER in .chalice/config.json")
    assert not (chalice_dir / "policy-test.json").exists()

    status, _, err = _policy(chalice_dir, capsys, "--stage", "qa")
    assert status == 1 and "unknown stage 'qa'" in err


def test_help_and_a_missing_stage() -> None:
    env = {**os.environ, "AWS_DEFAULT_REGION": "eu-west-1"}
    run = [sys.executable, "manage.py"]
    shown = subprocess.run([*run, "policy", "--help"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert shown.returncode == 0
    assert "chalice deploy" in shown.stdout and "--account" in shown.stdout

    missing = subprocess.run([*run, "policy"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert missing.returncode == 2
    assert "the following arguments are required: --stage" in missing.stderr


def test_every_committed_stage_names_its_secret_parameter() -> None:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    for name, stage in config["stages"].items():
        assert stage["environment_variables"]["MARQUEE_JWT_SECRET_PARAMETER"] == f"/marquee/{name}/jwt-secret"
        assert stage["iam_policy_file"] == f"policy-{name}.json"
