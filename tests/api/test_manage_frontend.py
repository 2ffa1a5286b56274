"""`manage.py deploy-frontend --stage` after `chalice deploy`, against moto S3 and CloudFront (the
CDN stack's CloudFormation calls scripted): every file of frontend/ and the browser libraries with the
right Content-Type and Cache-Control, config.json with the URLs of .chalice/deployed/<stage>.json,
nothing re-uploaded when nothing changed, stale files removed, and the CDN stack of its own over the
provisioned site bucket."""

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import ANY, Stubber

from chalicelib.store.aws import client
from deploy import frontend
from deploy.site import site_template
from deploy.target import current_target
from manage import main

ROOT = Path(__file__).resolve().parents[2]
API_URL = "https://abc123.execute-api.us-east-1.amazonaws.com/api/"
WS_URL = "wss://ws456.execute-api.us-east-1.amazonaws.com/api/"
SITE_BUCKET = "marquee-dev-frontend"


def _distribution() -> str:
    origin = {
        "Id": "site",
        "DomainName": f"{SITE_BUCKET}.s3.amazonaws.com",
        "S3OriginConfig": {"OriginAccessIdentity": ""},
    }
    config = {
        "CallerReference": "test",
        "Comment": "",
        "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [origin]},
        "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "redirect-to-https"},
    }
    return client("cloudfront").create_distribution(DistributionConfig=config)["Distribution"]["Id"]


def _objects(bucket: str) -> dict[str, dict[str, Any]]:
    s3 = client("s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    return {key: s3.get_object(Bucket=bucket, Key=key) for key in keys}


def _invalidations(distribution_id: str) -> int:
    listing = client("cloudfront").list_invalidations(DistributionId=distribution_id)["InvalidationList"]
    return listing.get("Quantity", 0)


def _deploy(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, list[str], str]:
    status = main(["deploy-frontend", "--stage", "dev", *extra])
    captured = capsys.readouterr()
    return status, captured.out.splitlines(), captured.err


def _deploy_to(site: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    site["unchanged"]()
    return _deploy(capsys, "--chalice-dir", site["chalice_dir"])


def _chalice_deployed(tmp_path: Path) -> Path:
    """What `chalice deploy --stage dev` leaves in .chalice/deployed/dev.json."""
    chalice_dir = tmp_path / ".chalice"
    (chalice_dir / "deployed").mkdir(parents=True)
    shutil.copy(ROOT / ".chalice" / "config.json", chalice_dir)
    resources = [
        {"name": "api_handler", "resource_type": "lambda_function", "lambda_arn": "arn:aws:lambda:..."},
        {"name": "rest_api", "resource_type": "rest_api", "rest_api_id": "abc123", "rest_api_url": API_URL},
        {
            "name": "websocket_api",
            "resource_type": "websocket_api",
            "websocket_api_id": "ws456",
            "websocket_api_url": WS_URL,
        },
    ]
    (chalice_dir / "deployed" / "dev.json").write_text(
        json.dumps({"resources": resources, "schema_version": "2.0"})
    )
    return chalice_dir


def _stack_missing(stubber: Stubber, name: str) -> None:
    stubber.add_client_error(
        "describe_stacks",
        service_error_code="ValidationError",
        service_message=f"Stack with id {name} does not exist",
        expected_params={"StackName": name},
    )


def _stack_is(stubber: Stubber, name: str, status: str, outputs: dict[str, str] | None = None) -> None:
    stack: dict[str, Any] = {"StackName": name, "StackStatus": status, "CreationTime": datetime.now(UTC)}
    if outputs is not None:
        stack["Outputs"] = [{"OutputKey": k, "OutputValue": v} for k, v in outputs.items()]
    stubber.add_response("describe_stacks", {"Stacks": [stack]}, {"StackName": name})


@pytest.fixture
def cloudformation(
    aws: None, restore_environ: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Stubber, list[dict[str, Any]]]]:
    """moto has no CloudFront in CloudFormation: the stack calls are scripted (botocore's Stubber
    checks each against the API model); S3 and CloudFront stay moto's. manage.py asks
    chalicelib.store.aws.client for its clients (anew once the stage is applied), so that is where
    the scripted client goes in."""
    import boto3

    from chalicelib.store import aws

    cfn = boto3.session.Session().client("cloudformation", region_name="us-east-1")
    sent: list[dict[str, Any]] = []
    cfn.meta.events.register(
        "provide-client-params.cloudformation.*", lambda params, **_: sent.append(params)
    )
    real = aws.client

    def scripted(service: str) -> Any:
        return cfn if service == "cloudformation" else real(service)

    scripted.cache_clear = real.cache_clear  # type: ignore[attr-defined]  # reset_clients() calls it
    monkeypatch.setattr(aws, "client", scripted)
    with Stubber(cfn) as stubber:
        yield stubber, sent
        stubber.assert_no_pending_responses()


@pytest.fixture
def site(cloudformation: tuple[Stubber, list[dict[str, Any]]], tmp_path: Path) -> dict[str, Any]:
    """A deployed stage: chalice deploy's record, the provisioned site bucket, and its CDN stack in
    place (each run finds it unchanged: ``unchanged()`` scripts one run's stack calls)."""
    stubber, _ = cloudformation
    client("s3").create_bucket(Bucket=SITE_BUCKET)
    distribution_id = _distribution()
    outputs = {
        "SiteURL": "https://d111111abcdef8.cloudfront.net",
        "SiteBucketName": SITE_BUCKET,
        "SiteDistributionId": distribution_id,
    }

    def unchanged() -> None:
        _stack_is(stubber, "marquee-dev-site", "CREATE_COMPLETE", outputs)
        stubber.add_client_error(
            "update_stack",
            service_error_code="ValidationError",
            service_message="No updates are to be performed.",
        )
        _stack_is(stubber, "marquee-dev-site", "CREATE_COMPLETE", outputs)

    chalice_dir = _chalice_deployed(tmp_path)
    config_json = json.loads((chalice_dir / "config.json").read_text())
    config_json["stages"]["dev"]["environment_variables"]["MARQUEE_FRONTEND_URL"] = outputs["SiteURL"]
    (chalice_dir / "config.json").write_text(json.dumps(config_json))
    return {"distribution_id": distribution_id, "chalice_dir": str(chalice_dir), "unchanged": unchanged}


def test_uploads_the_frontend_with_content_types_cache_control_and_config(
    site: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    status, lines, err = _deploy_to(site, capsys)

    assert status == 0, err
    objects = _objects(SITE_BUCKET)
    local = {
        p.relative_to(ROOT / "frontend").as_posix() for p in (ROOT / "frontend").rglob("*") if p.is_file()
    }
    assert local <= set(objects)
    expected = {
        "index.html": ("text/html; charset=utf-8", "no-cache"),
        "js/app.js": ("text/javascript; charset=utf-8", "public, max-age=300"),
        "css/app.css": ("text/css; charset=utf-8", "public, max-age=300"),
        "favicon.svg": ("image/svg+xml", "public, max-age=300"),
        "config.json": ("application/json", "no-cache"),
    }
    for key, (content_type, cache) in expected.items():
        assert (objects[key]["ContentType"], objects[key]["CacheControl"]) == (content_type, cache), key
    assert objects["index.html"]["Body"].read() == (ROOT / "frontend" / "index.html").read_bytes()
    assert sorted(key for key in objects if key.startswith("vendor/")) == sorted(
        f"vendor/{relative}" for relative in frontend.BROWSER_FILES
    )
    assert objects["vendor/cropperjs/dist/cropper.esm.js"]["ContentType"] == "text/javascript; charset=utf-8"
    assert json.loads(objects["config.json"]["Body"].read()) == {"apiUrl": API_URL[:-1], "wsUrl": WS_URL[:-1]}
    assert _invalidations(site["distribution_id"]) == 1
    assert lines[-2] == f"{len(objects)} uploaded, 0 unchanged, 0 deleted in s3://{SITE_BUCKET}"
    assert lines[-1] == "site: https://d111111abcdef8.cloudfront.net"


def test_a_second_run_uploads_nothing_and_stale_files_are_removed(
    site: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert _deploy_to(site, capsys)[0] == 0
    count = len(_objects(SITE_BUCKET))

    status, lines, _ = _deploy_to(site, capsys)
    assert status == 0
    assert lines[-2] == f"0 uploaded, {count} unchanged, 0 deleted in s3://{SITE_BUCKET}"
    assert _invalidations(site["distribution_id"]) == 1

    s3 = client("s3")
    s3.put_object(Bucket=SITE_BUCKET, Key="js/removed-view.js", Body=b"old")
    s3.put_object(Bucket=SITE_BUCKET, Key="index.html", Body=b"<p>tampered</p>", ContentType="text/html")
    status, lines, _ = _deploy_to(site, capsys)
    assert status == 0
    assert "deleted js/removed-view.js" in lines and "uploaded index.html (text/html; charset=utf-8)" in lines
    assert "js/removed-view.js" not in _objects(SITE_BUCKET)
    assert _invalidations(site["distribution_id"]) == 2


def test_after_chalice_deploy_the_site_gets_its_cdn_stack_and_the_recorded_urls(
    cloudformation: tuple[Stubber, list[dict[str, Any]]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stubber, sent = cloudformation
    chalice_dir = _chalice_deployed(tmp_path)
    client("s3").create_bucket(Bucket="marquee-dev-frontend")
    distribution_id = _distribution()
    outputs = {
        "SiteURL": "https://d222222abcdef8.cloudfront.net",
        "SiteBucketName": "marquee-dev-frontend",
        "SiteDistributionId": distribution_id,
    }
    _stack_missing(stubber, "marquee-dev-site")
    stubber.add_response(
        "create_stack",
        {"StackId": "marquee-dev-site/1"},
        {"StackName": "marquee-dev-site", "TemplateBody": ANY},
    )
    _stack_is(stubber, "marquee-dev-site", "CREATE_COMPLETE")
    _stack_is(stubber, "marquee-dev-site", "CREATE_COMPLETE", outputs)

    status, lines, err = _deploy(capsys, "--chalice-dir", str(chalice_dir))

    assert status == 0, err
    config = json.loads(_objects("marquee-dev-frontend")["config.json"]["Body"].read())
    assert config == {"apiUrl": API_URL[:-1], "wsUrl": WS_URL[:-1]}
    assert _invalidations(distribution_id) == 1
    assert lines[0] == "creating stack marquee-dev-site: the CloudFront distribution takes a few minutes"
    assert f"API URLs from {chalice_dir / 'deployed' / 'dev.json'}" in lines[1]
    assert lines[-2] == "site: https://d222222abcdef8.cloudfront.net"
    assert lines[-1] == (
        "note: e-mail links point at MARQUEE_FRONTEND_URL=https://marquee.example; set it to "
        "https://d222222abcdef8.cloudfront.net under stages.dev in .chalice/config.json and run "
        "`chalice deploy --stage dev`"
    )
    [created] = [params for params in sent if "TemplateBody" in params]
    template = json.loads(created["TemplateBody"])
    assert template == site_template(current_target("dev", chalice_dir))
    assert template["Resources"]["SiteBucketPolicy"]["Properties"]["Bucket"] == "marquee-dev-frontend"

    # Next time the stack is there and unchanged; the site URL now matches the stage's setting.
    config_json = json.loads((chalice_dir / "config.json").read_text())
    config_json["stages"]["dev"]["environment_variables"]["MARQUEE_FRONTEND_URL"] = outputs["SiteURL"]
    (chalice_dir / "config.json").write_text(json.dumps(config_json))
    _stack_is(stubber, "marquee-dev-site", "CREATE_COMPLETE", outputs)
    stubber.add_client_error(
        "update_stack",
        service_error_code="ValidationError",
        service_message="No updates are to be performed.",
    )
    _stack_is(stubber, "marquee-dev-site", "CREATE_COMPLETE", outputs)

    status, lines, err = _deploy(capsys, "--chalice-dir", str(chalice_dir))

    assert status == 0, err
    assert lines[-1] == "site: https://d222222abcdef8.cloudfront.net"
    assert lines[-2].startswith("0 uploaded, ")
    assert _invalidations(distribution_id) == 1


def test_after_chalice_deploy_without_provisioning_or_after_a_failed_stack_the_error_says_what_to_do(
    cloudformation: tuple[Stubber, list[dict[str, Any]]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stubber, _ = cloudformation
    chalice_dir = _chalice_deployed(tmp_path)

    status, _, err = _deploy(capsys, "--chalice-dir", str(chalice_dir))

    assert status == 1
    missing = "site bucket marquee-dev-frontend does not exist: run `manage.py provision --stage dev` first"
    assert err == f"error: {missing}\n"

    client("s3").create_bucket(Bucket="marquee-dev-frontend")
    _stack_is(stubber, "marquee-dev-site", "ROLLBACK_COMPLETE")

    status, _, err = _deploy(capsys, "--chalice-dir", str(chalice_dir))

    assert status == 1
    assert "stack marquee-dev-site failed to create earlier (ROLLBACK_COMPLETE)" in err
    assert "aws cloudformation delete-stack --stack-name marquee-dev-site" in err


def test_an_undeployed_stage_fails_clearly(
    aws: None, restore_environ: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".chalice").mkdir()
    shutil.copy(ROOT / ".chalice" / "config.json", tmp_path / ".chalice")

    status, _, err = _deploy(capsys, "--chalice-dir", str(tmp_path / ".chalice"))

    assert status == 1
    assert err == "error: stage dev is not deployed: no .chalice/deployed/dev.json (run chalice deploy)\n"


def test_site_objects_skip_hidden_files_and_config_and_require_the_installed_browser_files(
    tmp_path: Path,
) -> None:
    site = tmp_path / "frontend"
    (site / "js").mkdir(parents=True)
    (site / "index.html").write_text("<!doctype html>")
    (site / "js" / "app.mjs").write_text("export {}")
    (site / "config.json").write_text("{}")
    (site / ".DS_Store").write_text("x")
    (tmp_path / "package.json").write_text(json.dumps({"dependencies": {"lib": "1.0.0"}}))

    with pytest.raises(frontend.FrontendError, match="run `npm ci` first"):
        frontend.site_objects(site, tmp_path, ["lib/dist/lib.woff2"])

    (tmp_path / "node_modules" / "lib" / "dist").mkdir(parents=True)
    (tmp_path / "node_modules" / "lib" / "dist" / "lib.woff2").write_bytes(b"font")
    (tmp_path / "node_modules" / "other").mkdir()
    (tmp_path / "node_modules" / "other" / "x.js").write_text("dev only")
    (tmp_path / "node_modules" / "lib" / "README.md").write_text("not for the site")
    objects = {o.key: o for o in frontend.site_objects(site, tmp_path, ["lib/dist/lib.woff2"])}

    assert set(objects) == {"index.html", "js/app.mjs", "vendor/lib/dist/lib.woff2"}
    assert objects["js/app.mjs"].content_type == "text/javascript; charset=utf-8"
    assert objects["vendor/lib/dist/lib.woff2"].content_type == "font/woff2"
