"""What the deploy tools and manage.py are built from: stage settings, bucket rules, gateway responses."""

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from chalicelib.config import settings
from chalicelib.store.aws import reset_clients
from chalicelib.store.buckets import UPLOADS_PREFIX, bucket_specs
from chalicelib.store.schema import table_specs
from deploy.gateway import gateway_responses
from deploy.policy import deploy_policy
from deploy.stage import StageError, apply_stage, stage_environment
from deploy.target import DeployTarget


@pytest.fixture
def chalice_dir(tmp_path: Path) -> Path:
    config = {
        "version": "2.0",
        "app_name": "marquee",
        "environment_variables": {"SHARED": "1", "MARQUEE_MAIL_SENDER": "top@example.org"},
        "stages": {"prod": {"environment_variables": {"MARQUEE_MAIL_SENDER": "prod@example.org"}}},
    }
    (tmp_path / "config.json").write_text(json.dumps(config))
    return tmp_path


@pytest.fixture
def isolated_environ(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(os, "environ", dict(os.environ))
    yield
    monkeypatch.undo()
    settings.cache_clear()
    reset_clients()


def test_stage_environment_is_the_top_level_then_the_stage_and_names_the_stage(chalice_dir: Path) -> None:
    assert stage_environment("prod", chalice_dir) == {
        "SHARED": "1",
        "MARQUEE_MAIL_SENDER": "prod@example.org",
        "MARQUEE_STAGE": "prod",
    }
    with pytest.raises(StageError, match=re.escape("unknown stage 'qa'; .chalice/config.json defines: prod")):
        stage_environment("qa", chalice_dir)


def test_applying_a_stage_drops_the_shells_marquee_settings(
    chalice_dir: Path, isolated_environ: None
) -> None:
    os.environ["MARQUEE_TABLE_PREFIX"] = "local-experiment"
    os.environ["AWS_DEFAULT_REGION"] = "eu-central-1"

    apply_stage("prod", chalice_dir)

    config = settings()
    assert (config.stage, config.table_prefix, config.mail_sender) == (
        "prod",
        "marquee-prod",
        "prod@example.org",
    )
    assert config.region == "eu-central-1"


def test_a_separate_uploads_bucket_gets_the_upload_rules_and_media_keeps_reads() -> None:
    config = settings()._replace(uploads_bucket="elsewhere-uploads")

    media, uploads, site = bucket_specs(config)

    assert (media.logical_id, uploads.logical_id, site.logical_id) == (
        "MediaBucket",
        "UploadsBucket",
        "SiteBucket",
    )
    assert not media.expiry and {m for r in media.cors for m in r.methods} == {"GET", "HEAD"}
    assert [r.prefix for r in uploads.expiry] == [UPLOADS_PREFIX] and uploads.cors[0].methods == ("POST",)
    assert not uploads.public_prefixes and all(uploads.public_access_block().values())
    config = config._replace(jwt_secret_parameter="/marquee/x/jwt-secret")
    target = DeployTarget("x", "api", config, table_specs(), [media, uploads, site], websocket=True)
    statements = deploy_policy(target, "123456789012")["Statement"]
    objects = next(s for s in statements if s["Sid"] == "MediaObjects")
    assert objects["Resource"] == [f"arn:aws:s3:::{media.name}/*", "arn:aws:s3:::elsewhere-uploads/*"]


def test_every_gateway_response_renders_to_our_error_body() -> None:
    for kind, response in gateway_responses().items():
        body = response["responseTemplates"]["application/json"].replace(
            "$context.error.messageString", '"m"'
        )
        assert set(json.loads(body)) == {"error"}, kind


def test_every_gateway_response_forbids_content_sniffing() -> None:
    for kind, response in gateway_responses().items():
        header = response["responseParameters"].get("gatewayresponse.header.X-Content-Type-Options")
        assert header == "'nosniff'", kind
