"""The deployable template: `manage.py template` + `chalice package --merge-template`, offline (a
region and no credentials), passes cfn-lint, and holds the REST API, the WebSocket API with its
three routes, every table the models define with their keys, the buckets, the order sweep's
schedule and an IAM policy limited to those resources. The policy file `manage.py template` also
writes is the one `chalice deploy` needs (plain ARNs): a `chalice package` without the merge
template accepts it too, and with the merge template the stack's roles never use it."""

import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from chalicelib.config import settings
from chalicelib.http.errors import UNKNOWN_ROUTE_BODY
from chalicelib.store.buckets import MEDIA_PUBLIC_PREFIX, UPLOADS_PREFIX, bucket_specs
from chalicelib.store.schema import table_specs
from deploy.template import DeployTarget, merge_template, site_template

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REGION = "eu-west-1"
STAGE = "prod"


def _run(command: list[Any], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=240
    )


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    project = tmp_path_factory.mktemp("project")
    shutil.copy(ROOT / "app.py", project)
    shutil.copytree(ROOT / "chalicelib", project / "chalicelib", ignore=shutil.ignore_patterns("__pycache__"))
    (project / ".chalice").mkdir()
    shutil.copy(ROOT / ".chalice" / "config.json", project / ".chalice")
    # Only the template is under test: no requirements keeps `chalice package` from fetching wheels.
    (project / "requirements.txt").write_text("")
    # No credentials, no profile, no endpoint: only a region.
    env = {"PATH": os.environ["PATH"], "HOME": str(project), "AWS_DEFAULT_REGION": REGION}

    generated = _run(
        [sys.executable, "manage.py", "template", "--stage", STAGE, "--chalice-dir", project / ".chalice"],
        ROOT,
        env,
    )
    assert generated.returncode == 0, generated.stderr
    package = _run(
        [BIN / "chalice", "package", "--stage", STAGE, "--merge-template", ".chalice/resources.json", "out"],
        project,
        env,
    )
    assert package.returncode == 0, package.stdout + package.stderr
    lint = _run([BIN / "cfn-lint", "--regions", REGION, "--", "out/sam.json"], project, env)
    template = json.loads((project / "out" / "sam.json").read_text())
    plain = _run([BIN / "chalice", "package", "--stage", STAGE, "plain"], project, env)
    assert plain.returncode == 0, plain.stdout + plain.stderr
    plain_template = json.loads((project / "plain" / "sam.json").read_text())
    # The roles alone: the rest of a template packaged without ours keeps Chalice's own log group
    # bug (aws/chalice#2079), which the merge template repairs.
    roles = {"Resources": _resources(plain_template, "AWS::IAM::Role")}
    (project / "plain" / "roles.json").write_text(json.dumps(roles))
    return {
        "template": template,
        "lint": lint,
        "project": project,
        "policy_file": json.loads((project / ".chalice" / f"policy-{STAGE}.json").read_text()),
        "plain": plain_template,
        "plain_roles_lint": _run(
            [BIN / "cfn-lint", "--regions", REGION, "--", "plain/roles.json"], project, env
        ),
    }


def _resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r.get("Type") == kind}


def _prod_name(test_name: str) -> str:
    return test_name.replace(f"{settings().table_prefix}-", f"marquee-{STAGE}-", 1)


def test_packaged_template_passes_cfn_lint_with_zero_errors(packaged: dict[str, Any]) -> None:
    lint = packaged["lint"]
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_rest_api_answers_unknown_routes_and_gateway_errors_with_our_error_body(
    packaged: dict[str, Any],
) -> None:
    api = packaged["template"]["Resources"]["RestAPI"]
    assert api["Type"] == "AWS::Serverless::Api"
    body = api["Properties"]["DefinitionBody"]
    assert "/auth/login" in body["paths"]
    responses = body["x-amazon-apigateway-gateway-responses"]
    unknown = responses["MISSING_AUTHENTICATION_TOKEN"]
    assert unknown["statusCode"] == "404"
    assert json.loads(unknown["responseTemplates"]["application/json"]) == UNKNOWN_ROUTE_BODY
    for kind in ("DEFAULT_4XX", "DEFAULT_5XX", "REQUEST_TOO_LARGE", "THROTTLED"):
        rendered = responses[kind]["responseTemplates"]["application/json"].replace(
            "$context.error.messageString", '"Gateway message"'
        )
        error = json.loads(rendered)["error"]
        assert set(error) == {"code", "message", "details"}
        assert (
            responses[kind]["responseParameters"]["gatewayresponse.header.Access-Control-Allow-Origin"]
            == "'*'"
        )
    assert responses["REQUEST_TOO_LARGE"]["statusCode"] == "413"


def test_websocket_api_has_connect_disconnect_and_default_routes(packaged: dict[str, Any]) -> None:
    template = packaged["template"]
    assert template["Resources"]["WebsocketAPI"]["Properties"]["ProtocolType"] == "WEBSOCKET"
    routes = {r["Properties"]["RouteKey"] for r in _resources(template, "AWS::ApiGatewayV2::Route").values()}
    assert routes == {"$connect", "$disconnect", "$default"}


def test_every_table_the_models_define_is_in_the_stack_with_its_keys(packaged: dict[str, Any]) -> None:
    tables = {
        r["Properties"]["TableName"]: r
        for r in _resources(packaged["template"], "AWS::DynamoDB::Table").values()
    }
    specs = table_specs()
    assert set(tables) == {_prod_name(spec.name) for spec in specs}
    for spec in specs:
        table = tables[_prod_name(spec.name)]
        properties = table["Properties"]
        assert properties["KeySchema"] == spec.key_schema
        assert properties["AttributeDefinitions"] == spec.attribute_definitions()
        assert properties.get("GlobalSecondaryIndexes", []) == spec.global_index_definitions()
        ttl = properties.get("TimeToLiveSpecification")
        assert (ttl["AttributeName"] if ttl else None) == spec.ttl_attribute
        assert properties["BillingMode"] == "PAY_PER_REQUEST"
        assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert properties["SSESpecification"] == {"SSEEnabled": True}
        assert table["DeletionPolicy"] == "Retain"


def test_media_bucket_serves_events_publicly_and_expires_uploads(packaged: dict[str, Any]) -> None:
    resources = packaged["template"]["Resources"]
    media = resources["MediaBucket"]["Properties"]
    assert media["BucketName"] == f"marquee-{STAGE}-media"
    assert {"GET", "POST"} <= set(media["CorsConfiguration"]["CorsRules"][0]["AllowedMethods"])
    [rule] = media["LifecycleConfiguration"]["Rules"]
    assert (rule["Prefix"], rule["ExpirationInDays"], rule["Status"]) == (UPLOADS_PREFIX, 1, "Enabled")
    [public] = resources["MediaBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert public["Principal"] == "*" and public["Action"] == "s3:GetObject"
    assert public["Resource"]["Fn::Join"][1][1] == f"/{MEDIA_PUBLIC_PREFIX}*"


def test_site_is_a_private_bucket_behind_cloudfront_with_security_headers(packaged: dict[str, Any]) -> None:
    resources = packaged["template"]["Resources"]
    site = resources["SiteBucket"]["Properties"]
    assert site["BucketName"] == f"marquee-{STAGE}-frontend"
    assert all(site["PublicAccessBlockConfiguration"].values())
    [reader] = resources["SiteBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert reader["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert "${SiteDistribution}" in reader["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]

    behavior = resources["SiteDistribution"]["Properties"]["DistributionConfig"]["DefaultCacheBehavior"]
    assert behavior["ResponseHeadersPolicyId"] == {"Ref": "SiteResponseHeadersPolicy"}
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    headers = resources["SiteResponseHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    security = headers["SecurityHeadersConfig"]
    csp = security["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    directives = dict(d.split(" ", 1) for d in csp.split("; "))
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert f"wss://*.execute-api.{REGION}.amazonaws.com" in directives["connect-src"]
    assert security["ContentTypeOptions"]["Override"] is True
    assert security["ReferrerPolicy"]["ReferrerPolicy"] == "strict-origin-when-cross-origin"
    assert security["FrameOptions"]["FrameOption"] == "DENY"


def test_the_order_sweep_runs_every_minute(packaged: dict[str, Any]) -> None:
    functions = _resources(packaged["template"], "AWS::Serverless::Function")
    schedules = {
        f["Properties"]["Handler"]: event["Properties"]["Schedule"]
        for f in functions.values()
        for event in f["Properties"].get("Events", {}).values()
        if event["Type"] == "Schedule"
    }
    [(handler, rate)] = schedules.items()
    assert "sweep" in handler and rate == "rate(1 minute)"


def test_per_function_settings_of_config_json_name_functions_that_exist(packaged: dict[str, Any]) -> None:
    from chalice.utils import to_cfn_resource_name

    functions = set(_resources(packaged["template"], "AWS::Serverless::Function"))
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    for name in config.get("lambda_functions", {}):
        assert ("APIHandler" if name == "api_handler" else to_cfn_resource_name(name)) in functions, name


def test_functions_run_python_311_without_layers_and_get_the_secret_from_ssm(
    packaged: dict[str, Any],
) -> None:
    template = packaged["template"]
    functions = _resources(template, "AWS::Serverless::Function")
    assert {"APIHandler", "WebsocketConnect", "WebsocketMessage", "WebsocketDisconnect"} <= set(functions)
    for function in functions.values():
        properties = function["Properties"]
        assert properties["Runtime"] == "python3.11"
        assert "Layers" not in properties
        variables = properties["Environment"]["Variables"]
        # A function-level value would override the Globals one.
        assert "MARQUEE_JWT_SECRET" not in variables
        assert variables["MARQUEE_STAGE"] == STAGE
        # config.json's placeholder for `chalice deploy` is replaced by the stack's site.
        assert variables["MARQUEE_FRONTEND_URL"] == {"Fn::Sub": "https://${SiteDistribution.DomainName}"}
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["MARQUEE_JWT_SECRET"] == f"{{{{resolve:ssm:/marquee/{STAGE}/jwt-secret}}}}"
    assert "${WebsocketAPI}" in variables["MARQUEE_WEBSOCKET_ENDPOINT"]["Fn::Sub"]
    assert 'MARQUEE_JWT_SECRET"' not in (ROOT / ".chalice" / "config.json").read_text()


def _mentions(value: Any) -> set[str]:
    """Logical ids an ARN expression refers to (GetAtt, Ref, Fn::Join parts, ${Name} in Fn::Sub)."""
    if not isinstance(value, dict):
        return set()
    if "Fn::GetAtt" in value:
        return {value["Fn::GetAtt"][0]}
    if "Ref" in value:
        return {value["Ref"]}
    if "Fn::Join" in value:
        return set().union(*(_mentions(part) for part in value["Fn::Join"][1]))
    if "Fn::Sub" in value:
        names = {piece.split("}")[0].split(".")[0] for piece in value["Fn::Sub"].split("${")[1:]}
        return {name for name in names if not name.startswith("AWS::")}
    return set()


def test_iam_policy_names_its_resources_and_never_grants_wildcard_actions(packaged: dict[str, Any]) -> None:
    template = packaged["template"]
    roles = _resources(template, "AWS::IAM::Role")
    functions = _resources(template, "AWS::Serverless::Function")
    assert {f["Properties"]["Role"]["Fn::GetAtt"][0] for f in functions.values()} <= set(roles)
    table_ids = set(_resources(template, "AWS::DynamoDB::Table"))
    for role in roles.values():
        [policy] = role["Properties"]["Policies"]
        statements = {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}
        for statement in statements.values():
            assert statement["Effect"] == "Allow"
            resources = (
                statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            )
            assert "*" not in resources
            for action in statement["Action"]:
                assert "*" not in action, action
        tables = statements["Tables"]
        assert all(a.startswith("dynamodb:") for a in tables["Action"])
        assert set().union(*(_mentions(r) for r in tables["Resource"])) == table_ids
        assert {"dynamodb:Scan", "dynamodb:DeleteTable", "dynamodb:CreateTable"}.isdisjoint(tables["Action"])
        objects = statements["MediaObjects"]
        assert set(objects["Action"]) == {"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}
        assert set().union(*(_mentions(r) for r in objects["Resource"])) == {"MediaBucket"}
        assert set(statements["Mail"]["Action"]) == {"ses:SendEmail", "ses:SendRawEmail"}
        push = statements["WebsocketPush"]
        assert push["Action"] == ["execute-api:ManageConnections"]
        assert "WebsocketAPI" in set().union(*(_mentions(r) for r in push["Resource"]))
        everything = {a for s in statements.values() for a in s["Action"]}
        assert not any(a.startswith(("iam:", "s3:PutBucket", "dynamodb:UpdateTable")) for a in everything)


def _arns(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def test_the_policy_file_is_chalice_deploys_and_the_stack_replaces_it_in_every_role(
    packaged: dict[str, Any],
) -> None:
    policy_file = packaged["policy_file"]
    resources = [arn for s in policy_file["Statement"] for arn in _arns(s["Resource"])]
    assert all(isinstance(arn, str) and arn.startswith("arn:aws:") for arn in resources)
    # Offline: no credentials, so any account; the region is the stage's.
    assert all(arn.split(":")[3] in (REGION, "") and arn.split(":")[4] in ("*", "") for arn in resources)

    for role in _resources(packaged["template"], "AWS::IAM::Role").values():
        [policy] = role["Properties"]["Policies"]
        assert policy["PolicyDocument"] != policy_file
        assert "TokenSecret" not in {s["Sid"] for s in policy["PolicyDocument"]["Statement"]}


def test_chalice_package_without_the_merge_template_takes_the_deploy_policy_as_it_is(
    packaged: dict[str, Any],
) -> None:
    plain = packaged["plain"]
    roles = _resources(plain, "AWS::IAM::Role")
    functions = _resources(plain, "AWS::Serverless::Function")
    assert {f["Properties"]["Role"]["Fn::GetAtt"][0] for f in functions.values()} == set(roles)
    for role in roles.values():
        [policy] = role["Properties"]["Policies"]
        assert policy["PolicyDocument"] == packaged["policy_file"]
    lint = packaged["plain_roles_lint"]
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_stack_outputs_give_deploy_frontend_what_it_needs(packaged: dict[str, Any]) -> None:
    outputs = packaged["template"]["Outputs"]
    for key in (
        "EndpointURL",
        "WebsocketConnectEndpointURL",
        "SiteBucketName",
        "SiteDistributionId",
        "SiteURL",
    ):
        assert key in outputs


def test_the_cdn_stack_after_chalice_deploy_serves_the_provisioned_bucket_and_passes_cfn_lint(
    tmp_path: Path,
) -> None:
    config = dataclasses.replace(settings(), region=REGION)
    target = DeployTarget(STAGE, "api", config, table_specs(), bucket_specs(config), websocket=True)

    template = site_template(target)

    resources = template["Resources"]
    assert {r["Type"] for r in resources.values()} == {
        "AWS::CloudFront::OriginAccessControl",
        "AWS::CloudFront::ResponseHeadersPolicy",
        "AWS::CloudFront::Distribution",
        "AWS::S3::BucketPolicy",
    }
    assert resources["SiteBucketPolicy"]["Properties"]["Bucket"] == config.frontend_bucket
    [origin] = resources["SiteDistribution"]["Properties"]["DistributionConfig"]["Origins"]
    assert origin["DomainName"] == {
        "Fn::Sub": f"{config.frontend_bucket}.s3.${{AWS::Region}}.${{AWS::URLSuffix}}"
    }
    # The same headers as the full stack's CDN.
    stack = merge_template(target)["Resources"]
    assert resources["SiteResponseHeadersPolicy"] == stack["SiteResponseHeadersPolicy"]
    assert set(template["Outputs"]) == {"SiteURL", "SiteBucketName", "SiteDistributionId"}
    path = tmp_path / "site.json"
    path.write_text(json.dumps(template))
    lint = _run([BIN / "cfn-lint", "--regions", REGION, "--", path], tmp_path, dict(os.environ))
    assert lint.returncode == 0, lint.stdout + lint.stderr
