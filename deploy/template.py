"""The CloudFormation merge template (.chalice/resources.json) and the stack's IAM policy for the
functions, generated from the same descriptions provisioning uses:
chalicelib.store.schema.table_specs() (the PynamoDB models) and chalicelib.store.buckets.

``chalice package --merge-template .chalice/resources.json out/`` deep-merges the template into
Chalice's SAM template, whose fixed names this file refers to: ``RestAPI`` (the REST API,
``AWS::Serverless::Api``) and ``WebsocketAPI``. Settings that only exist once the stack does
(the WebSocket endpoint, the token secret) reach every function through SAM ``Globals``. Two
things are set on each function and role by its logical id (read from Chalice's own application
graph, so they follow the app): the roles' policy, replacing the file .chalice/policy-<stage>.json
that ``chalice deploy`` uses (deploy/policy.py), and ``MARQUEE_FRONTEND_URL``, which
.chalice/config.json sets per function for ``chalice deploy`` and which would otherwise win over
``Globals``.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from chalicelib.config import Settings
from chalicelib.http.errors import INTERNAL_ERROR_MESSAGE, UNKNOWN_ROUTE_BODY
from chalicelib.http.site_headers import API_HEADERS, REFERRER_POLICY
from chalicelib.http.site_headers import content_security_policy as site_content_security_policy
from chalicelib.store.buckets import BucketSpec
from chalicelib.store.schema import TableSpec
from deploy.stage import APP_NAME, CHALICE_DIR, chalice_config, jwt_secret_parameter

# CloudFront's managed "CachingOptimized" policy: honours the Cache-Control the upload sets.
CACHING_OPTIMIZED_POLICY_ID = "658327ea-f89d-4fab-a63d-7e88639e58f6"

TABLE_ACTIONS = (
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DeleteItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:UpdateItem",
)
OBJECT_ACTIONS = ("s3:DeleteObject", "s3:GetObject", "s3:PutObject")


@dataclass(frozen=True)
class DeployTarget:
    """Everything the template is generated from."""

    stage: str
    api_gateway_stage: str
    settings: Settings
    tables: list[TableSpec]
    buckets: list[BucketSpec]
    websocket: bool
    log_retention: bool = False
    function_ids: tuple[str, ...] = ()
    role_ids: tuple[str, ...] = ()


def _sub(text: str) -> dict[str, str]:
    return {"Fn::Sub": text}


def _arn(service: str, resource: str) -> dict[str, str]:
    return _sub(f"arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{resource}")


def table_logical_id(spec: TableSpec, config: Settings) -> str:
    short = spec.name.removeprefix(f"{config.table_prefix}-")
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", short) if part) + "Table"


def _table_resource(spec: TableSpec) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "TableName": spec.name,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": spec.key_schema,
        "AttributeDefinitions": spec.attribute_definitions(),
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "SSESpecification": {"SSEEnabled": True},
    }
    if spec.global_indexes:
        properties["GlobalSecondaryIndexes"] = spec.global_index_definitions()
    if spec.ttl_attribute:
        properties["TimeToLiveSpecification"] = {"AttributeName": spec.ttl_attribute, "Enabled": True}
    # The data outlives the stack: deleting or replacing the stack never deletes a table.
    return {
        "Type": "AWS::DynamoDB::Table",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": properties,
    }


def _bucket_resource(spec: BucketSpec) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "BucketName": spec.name,
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        "PublicAccessBlockConfiguration": spec.public_access_block(),
        "BucketEncryption": {
            "ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
            ]
        },
    }
    if spec.cors:
        properties["CorsConfiguration"] = {
            "CorsRules": [
                {
                    "AllowedMethods": list(rule.methods),
                    "AllowedOrigins": list(rule.origins),
                    "AllowedHeaders": list(rule.headers),
                    "MaxAge": rule.max_age_seconds,
                }
                for rule in spec.cors
            ]
        }
    if spec.expiry:
        properties["LifecycleConfiguration"] = {
            "Rules": [
                {
                    "Id": rule.rule_id,
                    "Prefix": rule.prefix,
                    "Status": "Enabled",
                    "ExpirationInDays": rule.days,
                }
                for rule in spec.expiry
            ]
        }
    return {
        "Type": "AWS::S3::Bucket",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": properties,
    }


def _bucket_arn(spec: BucketSpec) -> dict[str, Any]:
    return {"Fn::GetAtt": [spec.logical_id, "Arn"]}


def _site_bucket(target: DeployTarget) -> BucketSpec:
    return next(b for b in target.buckets if b.name == target.settings.frontend_bucket)


def _media_origins(config: Settings) -> list[str]:
    """Where the browser loads images from and posts presigned uploads to."""
    origins = [f"https://{config.media_bucket}.s3.amazonaws.com"]
    origins.append(f"https://{config.media_bucket}.s3.{config.region}.amazonaws.com")
    if config.uploads_bucket != config.media_bucket:
        origins.append(f"https://{config.uploads_bucket}.s3.amazonaws.com")
        origins.append(f"https://{config.uploads_bucket}.s3.{config.region}.amazonaws.com")
    base = urlsplit(config.media_base_url)
    if base.scheme and base.netloc:
        origins.append(f"{base.scheme}://{base.netloc}")
    return list(dict.fromkeys(origins))


def content_security_policy(target: DeployTarget) -> str:
    """The API origins are wildcards within the region because naming the exact APIs here would
    make the distribution depend on the API, whose functions depend on the distribution (they
    need its URL for links in e-mails)."""
    region = target.settings.region
    connect = [f"https://*.execute-api.{region}.amazonaws.com"]
    if target.websocket:
        connect.append(f"wss://*.execute-api.{region}.amazonaws.com")
    return site_content_security_policy(connect, _media_origins(target.settings))


@dataclass(frozen=True)
class _SiteOrigin:
    """How the CDN's resources refer to the site bucket: a resource of the same stack, or (after
    ``chalice deploy``) the bucket ``manage.py provision`` made, by name."""

    logical_id: str
    bucket: Any
    arn: Any
    domain: Any


def _stack_site_origin(target: DeployTarget) -> _SiteOrigin:
    site = _site_bucket(target)
    return _SiteOrigin(
        site.logical_id,
        {"Ref": site.logical_id},
        _bucket_arn(site),
        {"Fn::GetAtt": [site.logical_id, "RegionalDomainName"]},
    )


def _existing_site_origin(target: DeployTarget) -> _SiteOrigin:
    site = _site_bucket(target)
    return _SiteOrigin(
        site.logical_id,
        site.name,
        _sub(f"arn:${{AWS::Partition}}:s3:::{site.name}"),
        _sub(f"{site.name}.s3.${{AWS::Region}}.${{AWS::URLSuffix}}"),
    )


def _site_resources(target: DeployTarget, site: _SiteOrigin) -> dict[str, Any]:
    name = f"{APP_NAME}-{target.stage}-site"
    return {
        "SiteOriginAccessControl": {
            "Type": "AWS::CloudFront::OriginAccessControl",
            "Properties": {
                "OriginAccessControlConfig": {
                    "Name": name,
                    "OriginAccessControlOriginType": "s3",
                    "SigningBehavior": "always",
                    "SigningProtocol": "sigv4",
                }
            },
        },
        "SiteResponseHeadersPolicy": {
            "Type": "AWS::CloudFront::ResponseHeadersPolicy",
            "Properties": {
                "ResponseHeadersPolicyConfig": {
                    "Name": f"{name}-headers",
                    "SecurityHeadersConfig": {
                        "ContentSecurityPolicy": {
                            "ContentSecurityPolicy": content_security_policy(target),
                            "Override": True,
                        },
                        "ContentTypeOptions": {"Override": True},
                        "FrameOptions": {"FrameOption": "DENY", "Override": True},
                        "ReferrerPolicy": {
                            "ReferrerPolicy": REFERRER_POLICY,
                            "Override": True,
                        },
                        "StrictTransportSecurity": {
                            "AccessControlMaxAgeSec": 63072000,
                            "IncludeSubdomains": True,
                            "Override": True,
                        },
                    },
                }
            },
        },
        "SiteDistribution": {
            "Type": "AWS::CloudFront::Distribution",
            "Properties": {
                "DistributionConfig": {
                    "Enabled": True,
                    "Comment": f"Marquee {target.stage} frontend",
                    "DefaultRootObject": "index.html",
                    "HttpVersion": "http2and3",
                    "PriceClass": "PriceClass_100",
                    "Origins": [
                        {
                            "Id": "site",
                            "DomainName": site.domain,
                            "OriginAccessControlId": {"Fn::GetAtt": ["SiteOriginAccessControl", "Id"]},
                            "S3OriginConfig": {"OriginAccessIdentity": ""},
                        }
                    ],
                    "DefaultCacheBehavior": {
                        "TargetOriginId": "site",
                        "ViewerProtocolPolicy": "redirect-to-https",
                        "AllowedMethods": ["GET", "HEAD"],
                        "CachedMethods": ["GET", "HEAD"],
                        "Compress": True,
                        "CachePolicyId": CACHING_OPTIMIZED_POLICY_ID,
                        "ResponseHeadersPolicyId": {"Ref": "SiteResponseHeadersPolicy"},
                    },
                }
            },
        },
        f"{site.logical_id}Policy": {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {
                "Bucket": site.bucket,
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "CloudFrontReadsSite",
                            "Effect": "Allow",
                            "Principal": {"Service": "cloudfront.amazonaws.com"},
                            "Action": "s3:GetObject",
                            "Resource": {"Fn::Join": ["", [site.arn, "/*"]]},
                            "Condition": {
                                "StringEquals": {
                                    "AWS:SourceArn": _sub(
                                        "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:"
                                        "distribution/${SiteDistribution}"
                                    )
                                }
                            },
                        }
                    ],
                },
            },
        },
    }


def _gateway_response(status: int | None, code: str, message: str | None) -> dict[str, Any]:
    """``message`` None: API Gateway's own message (``$context.error.messageString`` is quoted JSON)."""
    text = json.dumps(message) if message is not None else "$context.error.messageString"
    response: dict[str, Any] = {
        "responseTemplates": {
            "application/json": f'{{"error": {{"code": "{code}", "message": {text}, "details": {{}}}}}}'
        },
        "responseParameters": {
            "gatewayresponse.header.Access-Control-Allow-Origin": "'*'",
            **{f"gatewayresponse.header.{name}": f"'{value}'" for name, value in API_HEADERS.items()},
        },
    }
    if status is not None:
        response["statusCode"] = str(status)
    return response


def gateway_responses() -> dict[str, Any]:
    """API Gateway answers some requests before the Lambda runs (unknown route, too large,
    throttled); these give them our error body. An unknown route is API Gateway's
    MISSING_AUTHENTICATION_TOKEN (403), which is a 404 to our clients."""
    unknown = UNKNOWN_ROUTE_BODY["error"]
    return {
        "MISSING_AUTHENTICATION_TOKEN": _gateway_response(404, unknown["code"], unknown["message"]),
        "RESOURCE_NOT_FOUND": _gateway_response(404, unknown["code"], unknown["message"]),
        "REQUEST_TOO_LARGE": _gateway_response(413, "payload_too_large", None),
        "UNSUPPORTED_MEDIA_TYPE": _gateway_response(415, "unsupported_media_type", None),
        "THROTTLED": _gateway_response(429, "too_many_requests", None),
        "DEFAULT_4XX": _gateway_response(None, "bad_request", None),
        "DEFAULT_5XX": _gateway_response(None, "internal_error", INTERNAL_ERROR_MESSAGE),
    }


def _function_environment(target: DeployTarget) -> dict[str, Any]:
    """Values .chalice/config.json does not set (Chalice's per-function values win over SAM
    Globals). The secret's parameter is the stage's MARQUEE_JWT_SECRET_PARAMETER, the one
    ``chalice deploy`` reads at run time, so both paths keep the secret in the same place."""
    parameter = target.settings.jwt_secret_parameter or jwt_secret_parameter(target.stage)
    variables: dict[str, Any] = {"MARQUEE_JWT_SECRET": f"{{{{resolve:ssm:{parameter}}}}}"}
    if target.websocket:
        variables["MARQUEE_WEBSOCKET_ENDPOINT"] = _sub(
            f"https://${{WebsocketAPI}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/{target.api_gateway_stage}"
        )
    return variables


def iam_policy(target: DeployTarget) -> dict[str, Any]:
    """What the functions may do in the stack, each action on named resources only; the merge
    template puts it into every function's role (the intrinsic functions resolve in the stack).
    No SSM grant: the stack hands the functions the secret itself."""
    table_arns: list[Any] = []
    for spec in target.tables:
        logical_id = table_logical_id(spec, target.settings)
        table_arns += [{"Fn::GetAtt": [logical_id, "Arn"]}, _sub(f"${{{logical_id}.Arn}}/index/*")]
    data_buckets = [b for b in target.buckets if b.name != target.settings.frontend_bucket]
    sender = target.settings.mail_sender
    statements: list[dict[str, Any]] = [
        {
            "Sid": "Logs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [
                # SAM names each function <stack>-<logical id>-<suffix>.
                _arn("logs", "log-group:/aws/lambda/${AWS::StackName}-*"),
                _arn("logs", "log-group:/aws/lambda/${AWS::StackName}-*:*"),
            ],
        },
        {"Sid": "Tables", "Effect": "Allow", "Action": list(TABLE_ACTIONS), "Resource": table_arns},
        {
            "Sid": "MediaObjects",
            "Effect": "Allow",
            "Action": list(OBJECT_ACTIONS),
            "Resource": [{"Fn::Join": ["", [_bucket_arn(b), "/*"]]} for b in data_buckets],
        },
        {
            # Without ListBucket a missing key answers 403 instead of 404.
            "Sid": "MediaListing",
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": [_bucket_arn(b) for b in data_buckets],
        },
        {
            "Sid": "Mail",
            "Effect": "Allow",
            "Action": ["ses:SendEmail", "ses:SendRawEmail"],
            "Resource": [
                _arn("ses", f"identity/{sender}"),
                _arn("ses", f"identity/{sender.rpartition('@')[2]}"),
            ],
        },
    ]
    if target.websocket:
        statements.append(
            {
                "Sid": "WebsocketPush",
                "Effect": "Allow",
                "Action": ["execute-api:ManageConnections"],
                "Resource": [
                    _arn("execute-api", f"${{WebsocketAPI}}/{target.api_gateway_stage}/*/@connections/*")
                ],
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def merge_template(target: DeployTarget) -> dict[str, Any]:
    resources: dict[str, Any] = {}
    for spec in target.tables:
        resources[table_logical_id(spec, target.settings)] = _table_resource(spec)
    for bucket in target.buckets:
        resources[bucket.logical_id] = _bucket_resource(bucket)
        statements = bucket.public_read_statements(_bucket_arn(bucket))
        if statements:
            resources[f"{bucket.logical_id}Policy"] = {
                "Type": "AWS::S3::BucketPolicy",
                "Properties": {
                    "Bucket": {"Ref": bucket.logical_id},
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
                },
            }
    resources.update(_site_resources(target, _stack_site_origin(target)))
    policy = iam_policy(target)
    for role in target.role_ids:
        resources[role] = {
            "Properties": {"Policies": [{"PolicyName": f"{role}Policy", "PolicyDocument": policy}]}
        }
    site_url = _sub("https://${SiteDistribution.DomainName}")
    for function in target.function_ids:
        resources[function] = {
            "Properties": {"Environment": {"Variables": {"MARQUEE_FRONTEND_URL": site_url}}}
        }
    resources["RestAPI"] = {
        "Properties": {"DefinitionBody": {"x-amazon-apigateway-gateway-responses": gateway_responses()}}
    }
    if target.log_retention:
        # Chalice names the REST handler's log group after ``ApiHandler`` but the function itself
        # ``APIHandler`` (aws/chalice#2079); point it at the function that exists.
        resources["ApiHandlerLogGroup"] = {"Properties": {"LogGroupName": _sub("/aws/lambda/${APIHandler}")}}
    outputs: dict[str, Any] = {
        "SiteURL": {"Value": _sub("https://${SiteDistribution.DomainName}")},
        "SiteBucketName": {"Value": {"Ref": _site_bucket(target).logical_id}},
        "SiteDistributionId": {"Value": {"Ref": "SiteDistribution"}},
        "MediaBucketName": {"Value": {"Ref": "MediaBucket"}},
    }
    return {
        "Description": f"Marquee ({target.stage}): API, WebSocket, tables, buckets and the frontend CDN",
        "Globals": {"Function": {"Environment": {"Variables": _function_environment(target)}}},
        "Resources": resources,
        "Outputs": outputs,
    }


def site_template(target: DeployTarget) -> dict[str, Any]:
    """A stack of its own for the frontend's CDN after ``chalice deploy``, which makes no
    CloudFront: the same distribution, headers and bucket policy as the full stack's, over the
    site bucket ``manage.py provision`` created (kept out of the stack, like the tables)."""
    site = _site_bucket(target)
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"Marquee ({target.stage}): the frontend CDN over bucket {site.name}",
        "Resources": _site_resources(target, _existing_site_origin(target)),
        "Outputs": {
            "SiteURL": {"Value": _sub("https://${SiteDistribution.DomainName}")},
            "SiteBucketName": {"Value": site.name},
            "SiteDistributionId": {"Value": {"Ref": "SiteDistribution"}},
        },
    }


def chalice_logical_ids(app: Any, stage: str, chalice_dir: Path = CHALICE_DIR) -> tuple[list[str], list[str]]:
    """(functions, roles): the logical ids ``chalice package`` gives the app's functions and
    their roles, from the application graph Chalice itself builds."""
    from chalice.config import Config
    from chalice.constants import DEFAULT_APIGATEWAY_STAGE_NAME, DEFAULT_ENDPOINT_TYPE
    from chalice.deploy import models
    from chalice.deploy.appgraph import ApplicationGraphBuilder, DependencyBuilder
    from chalice.utils import to_cfn_resource_name

    config = Config(
        chalice_stage=stage,
        user_provided_params={"chalice_app": app},
        config_from_disk=chalice_config(chalice_dir),
        default_params={
            "project_dir": str(chalice_dir.parent),
            "api_gateway_stage": DEFAULT_APIGATEWAY_STAGE_NAME,
            "api_gateway_endpoint_type": DEFAULT_ENDPOINT_TYPE,
            "autogen_policy": True,
        },
    )
    graph = DependencyBuilder().build_dependencies(ApplicationGraphBuilder().build(config, stage))
    functions, roles = [], []
    for resource in graph:
        if isinstance(resource, models.LambdaFunction):
            # The SAM generator renames the REST handler (aws/chalice#2079).
            name = resource.resource_name
            functions.append("APIHandler" if name == "api_handler" else to_cfn_resource_name(name))
        elif isinstance(resource, models.ManagedIAMRole):
            roles.append(to_cfn_resource_name(resource.resource_name))
    return functions, roles


def current_target(stage: str, chalice_dir: Path = CHALICE_DIR) -> DeployTarget:
    """The target as this process's settings and models describe it (apply the stage first)."""
    from app import app
    from chalicelib.config import settings
    from chalicelib.store.buckets import bucket_specs
    from chalicelib.store.schema import table_specs

    chalice = chalice_config(chalice_dir)
    stage_config = chalice.get("stages", {}).get(stage, {})
    config = settings()
    if config.stage != stage:
        raise ValueError(f"settings are for stage {config.stage!r}, not {stage!r}: apply the stage first")
    functions, roles = chalice_logical_ids(app, stage, chalice_dir)
    return DeployTarget(
        stage=stage,
        api_gateway_stage=str(
            stage_config.get("api_gateway_stage") or chalice.get("api_gateway_stage", "api")
        ),
        settings=config,
        tables=table_specs(),
        buckets=bucket_specs(config),
        websocket=bool(app.websocket_handlers),
        log_retention=bool(stage_config.get("log_retention_in_days") or chalice.get("log_retention_in_days")),
        function_ids=tuple(functions),
        role_ids=tuple(roles),
    )


def write(target: DeployTarget, chalice_dir: Path = CHALICE_DIR) -> Path:
    """Write .chalice/resources.json; return its path."""
    path = chalice_dir / "resources.json"
    path.write_text(json.dumps(merge_template(target), indent=2, sort_keys=True) + "\n")
    return path
