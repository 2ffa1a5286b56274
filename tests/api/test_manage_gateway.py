"""After `chalice deploy`, `manage.py provision --stage S` gives the REST API our gateway responses
(deploy.gateway.gateway_responses(): an unknown route: 404 in our error body) and redeploys its stage; a
second run changes nothing (moto API Gateway)."""

import json
from pathlib import Path

import pytest

from chalicelib.http.errors import UNKNOWN_ROUTE_BODY
from chalicelib.store.aws import client
from deploy.gateway import gateway_responses
from manage import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def chalice_dir(tmp_path: Path, aws: None, restore_environ: None) -> Path:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    config["stages"]["test"] = {"environment_variables": {"MARQUEE_STAGE": "test"}}
    (tmp_path / "config.json").write_text(json.dumps(config))
    return tmp_path


def _record(chalice_dir: Path, rest_api_id: str) -> None:
    (chalice_dir / "deployed").mkdir()
    resources = [{"name": "rest_api", "resource_type": "rest_api", "rest_api_id": rest_api_id}]
    (chalice_dir / "deployed" / "test.json").write_text(json.dumps({"resources": resources}))


def _provision(chalice_dir: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    status = main(["provision", "--stage", "test", "--chalice-dir", str(chalice_dir)])
    captured = capsys.readouterr()
    return status, captured.out.splitlines(), captured.err


def test_the_deployed_rest_api_gets_our_gateway_responses_once(
    chalice_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    apigateway = client("apigateway")
    api_id = apigateway.create_rest_api(name="marquee")["id"]
    [root] = apigateway.get_resources(restApiId=api_id)["items"]
    apigateway.put_method(restApiId=api_id, resourceId=root["id"], httpMethod="GET", authorizationType="NONE")
    apigateway.put_integration(restApiId=api_id, resourceId=root["id"], httpMethod="GET", type="MOCK")
    _record(chalice_dir, api_id)

    status, lines, err = _provision(chalice_dir, capsys)

    assert status == 0, err
    kinds = ", ".join(gateway_responses())
    assert lines[-1] == f"REST API {api_id}: gateway responses {kinds} set; stage api redeployed"
    responses = {r["responseType"]: r for r in apigateway.get_gateway_responses(restApiId=api_id)["items"]}
    unknown = responses["MISSING_AUTHENTICATION_TOKEN"]
    assert unknown["statusCode"] == "404"
    assert json.loads(unknown["responseTemplates"]["application/json"]) == UNKNOWN_ROUTE_BODY
    assert len(apigateway.get_deployments(restApiId=api_id)["items"]) == 1

    status, lines, _ = _provision(chalice_dir, capsys)

    assert status == 0
    assert lines[-1] == f"REST API {api_id}: gateway responses already set"
    assert len(apigateway.get_deployments(restApiId=api_id)["items"]) == 1


def test_without_a_chalice_deploy_record_only_the_resources_are_checked(
    chalice_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, lines, _ = _provision(chalice_dir, capsys)

    assert status == 0
    assert not any("REST API" in line for line in lines)
    assert lines[0].startswith("nothing changed (")
    # Before the first deploy: the streams chalice deploy connects the stream functions to.
    assert lines[1:] == [
        "stage test: MARQUEE_EVENTS_STREAM_ARN recorded in .chalice/config.json",
        "stage test: MARQUEE_ORDERS_STREAM_ARN recorded in .chalice/config.json",
        "next: chalice deploy --stage test (its stream functions read these streams)",
    ]
