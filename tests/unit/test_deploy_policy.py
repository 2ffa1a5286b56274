"""The policy `chalice deploy` gives the functions (.chalice/policy-<stage>.json): IAM that cfn-lint's
IAM rules accept (known actions, well-formed ARNs and conditions), only the resources the models,
bucket rules and stage settings name, no wildcard actions, every table and index covered."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from chalicelib.config import Settings, settings
from chalicelib.store.buckets import bucket_specs
from chalicelib.store.schema import table_specs
from deploy.policy import (
    ANY_ACCOUNT,
    PolicyError,
    deploy_policy,
    deployed_websocket_api_id,
    partition,
    write_policy,
)
from deploy.target import DeployTarget

ACCOUNT = "123456789012"
REGION = "eu-west-1"
PARAMETER = "/marquee/test/jwt-secret"


def _config(**changes: Any) -> Settings:
    return settings()._replace(**{"region": REGION, "jwt_secret_parameter": PARAMETER, **changes})


def _target(config: Settings | None = None, websocket: bool = True) -> DeployTarget:
    config = config or _config()
    return DeployTarget(config.stage, "api", config, table_specs(), bucket_specs(config), websocket=websocket)


def _statements(policy: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in policy["Statement"]}


def _lint(policy: dict[str, Any], tmp_path: Path) -> subprocess.CompletedProcess:
    """cfn-lint checks an inline role policy against IAM's grammar and its list of actions."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = {"AssumeRolePolicyDocument": trust, "Policies": [{"PolicyName": "p", "PolicyDocument": policy}]}
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": role}},
    }
    path = tmp_path / "role.json"
    path.write_text(json.dumps(template))
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    return subprocess.run(
        [str(cfn_lint), "--regions", REGION, "--", str(path)], capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("account", [ACCOUNT, ANY_ACCOUNT])
def test_the_policy_is_iam_that_cfn_lint_accepts(account: str, tmp_path: Path) -> None:
    policy = deploy_policy(_target(), account)

    assert json.loads(write_policy(policy, "test", tmp_path).read_text()) == policy
    assert policy["Version"] == "2012-10-17"
    assert all(s["Effect"] == "Allow" and s["Sid"].isalnum() for s in policy["Statement"])
    lint = _lint(policy, tmp_path)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_actions_are_named_and_dynamodb_and_s3_never_wildcards() -> None:
    statements = _statements(deploy_policy(_target(), ACCOUNT))

    actions = [a for s in statements.values() for a in s["Action"]]
    assert not any("*" in action for action in actions)
    assert not any(a.startswith(("iam:", "s3:PutBucket", "s3:DeleteBucket")) for a in actions)
    assert {
        "dynamodb:Scan",
        "dynamodb:CreateTable",
        "dynamodb:DeleteTable",
        "dynamodb:UpdateTable",
    }.isdisjoint(actions)
    assert {a.split(":")[0] for a in statements["Tables"]["Action"]} == {"dynamodb"}
    assert set(statements["MediaObjects"]["Action"]) == {"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}
    assert statements["MediaListing"]["Action"] == ["s3:ListBucket"]


def test_every_table_and_index_of_the_models_and_nothing_else() -> None:
    config = _config()
    tables = _statements(deploy_policy(_target(config), ACCOUNT))["Tables"]["Resource"]

    expected = []
    for spec in table_specs():
        base = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{spec.name}"
        expected += [base, *(f"{base}/index/{index}" for index in spec.global_indexes)]
    assert sorted(tables) == sorted(expected)
    assert all(
        name.startswith(f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{config.table_prefix}-")
        for name in tables
    )
    assert any("/index/" in arn for arn in tables)


def test_only_the_data_buckets_the_sender_the_secret_and_this_stages_logs() -> None:
    config = _config(uploads_bucket="elsewhere-uploads")
    statements = _statements(deploy_policy(_target(config), ACCOUNT))

    assert statements["MediaObjects"]["Resource"] == [
        f"arn:aws:s3:::{config.media_bucket}/*",
        "arn:aws:s3:::elsewhere-uploads/*",
    ]
    assert statements["MediaListing"]["Resource"] == [
        f"arn:aws:s3:::{config.media_bucket}",
        "arn:aws:s3:::elsewhere-uploads",
    ]
    everything = [arn for s in statements.values() for arn in s["Resource"]]
    assert not any(config.frontend_bucket in arn for arn in everything)
    domain = config.mail_sender.rpartition("@")[2]
    assert statements["Mail"]["Resource"] == [
        f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/{config.mail_sender}",
        f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/{domain}",
    ]
    assert statements["Logs"]["Resource"] == [
        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/marquee-{config.stage}-*",
        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/marquee-{config.stage}-*:*",
    ]
    assert "*" not in everything


def test_the_secret_is_readable_and_decryptable_only_through_ssm() -> None:
    statements = _statements(deploy_policy(_target(), ACCOUNT))

    parameter_arn = f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/marquee/test/jwt-secret"
    assert statements["TokenSecret"]["Action"] == ["ssm:GetParameter"]
    assert statements["TokenSecret"]["Resource"] == [parameter_arn]
    decrypt = statements["TokenSecretDecrypt"]
    assert decrypt["Action"] == ["kms:Decrypt"]
    assert decrypt["Resource"] == [f"arn:aws:kms:{REGION}:{ACCOUNT}:key/*"]
    assert decrypt["Condition"] == {
        "StringEquals": {
            "kms:ViaService": f"ssm.{REGION}.amazonaws.com",
            "kms:EncryptionContext:PARAMETER_ARN": parameter_arn,
        }
    }

    anywhere = _statements(deploy_policy(_target(), ANY_ACCOUNT))["TokenSecretDecrypt"]["Condition"]
    assert anywhere["StringLike"] == {
        "kms:EncryptionContext:PARAMETER_ARN": f"arn:aws:ssm:{REGION}:*:parameter/marquee/test/jwt-secret"
    }


def test_stripes_secrets_are_granted_only_when_the_stage_names_their_parameters(tmp_path: Path) -> None:
    assert "StripeSecrets" not in _statements(deploy_policy(_target(), ACCOUNT))

    config = _config(
        stripe_secret_key_parameter="/marquee/test/stripe-key",
        stripe_webhook_secret_parameter="/marquee/test/stripe-webhook",
    )
    policy = deploy_policy(_target(config), ACCOUNT)
    statements = _statements(policy)

    arns = [f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/marquee/test/stripe-{n}" for n in ("key", "webhook")]
    assert statements["StripeSecrets"]["Resource"] == arns
    assert (
        statements["StripeSecretsDecrypt"]["Condition"]["StringEquals"]["kms:EncryptionContext:PARAMETER_ARN"]
        == arns
    )
    linted = _lint(policy, tmp_path)
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_pushes_go_to_the_deployed_websocket_api_or_any_before_the_first_deploy(tmp_path: Path) -> None:
    assert deployed_websocket_api_id("test", tmp_path) is None
    first = _statements(deploy_policy(_target(), ACCOUNT))["WebsocketPush"]
    assert first["Action"] == ["execute-api:ManageConnections"]
    assert first["Resource"] == [f"arn:aws:execute-api:{REGION}:{ACCOUNT}:*/api/POST/@connections/*"]

    (tmp_path / "deployed").mkdir()
    record = {"resources": [{"resource_type": "websocket_api", "websocket_api_id": "abc123def4"}]}
    (tmp_path / "deployed" / "test.json").write_text(json.dumps(record))
    api_id = deployed_websocket_api_id("test", tmp_path)
    later = _statements(deploy_policy(_target(), ACCOUNT, api_id))["WebsocketPush"]
    assert later["Resource"] == [f"arn:aws:execute-api:{REGION}:{ACCOUNT}:abc123def4/api/POST/@connections/*"]

    assert "WebsocketPush" not in _statements(deploy_policy(_target(websocket=False), ACCOUNT))


def test_other_partitions_and_refusals() -> None:
    assert (partition("cn-north-1"), partition("us-gov-west-1"), partition("eu-west-1")) == (
        "aws-cn",
        "aws-us-gov",
        "aws",
    )
    china = _statements(deploy_policy(_target(_config(region="cn-north-1")), ACCOUNT))
    assert china["Tables"]["Resource"][0].startswith("arn:aws-cn:dynamodb:cn-north-1:")
    with pytest.raises(PolicyError, match="'12345' is neither a 12-digit AWS account id nor"):
        deploy_policy(_target(), "12345")
    with pytest.raises(PolicyError, match="sets no MARQUEE_JWT_SECRET_PARAMETER"):
        deploy_policy(_target(_config(jwt_secret_parameter="")), ACCOUNT)


def test_the_functions_may_invoke_the_fan_out_function_of_their_stage_and_no_other() -> None:
    from app import app

    statements = _statements(deploy_policy(_target(), ACCOUNT))

    assert statements["FanOut"]["Action"] == ["lambda:InvokeFunction"]
    assert statements["FanOut"]["Resource"] == [
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:marquee-{_config().stage}-fan_out"
    ]
    # chalice deploy creates it from the app: a function of the app, not a route or a stream's.
    assert [(f.name, f.handler_string) for f in app.pure_lambda_functions] == [("fan_out", "app.fan_out")]
