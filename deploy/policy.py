"""The IAM policy of the functions' roles, .chalice/policy-<stage>.json, for ``chalice deploy``: the
one place the functions' grants are written. Built from the descriptions provisioning uses (the
models' tables and their indexes, the bucket rules, the stage's sender and secret), every resource a
plain ARN from the names the stage's settings give.

Two names are not known before the first ``chalice deploy``: the account (read from STS when
credentials are at hand, else ``*`` in the account field only) and the WebSocket API's id (``*``
until .chalice/deployed/<stage>.json records it; run ``manage.py policy`` again after the first
deploy to narrow it to the API that exists).
"""

import json
import re
from pathlib import Path
from typing import Any

from chalicelib.config import FAN_OUT_FUNCTION, function_name
from deploy.stage import APP_NAME, CHALICE_DIR
from deploy.target import DeployTarget

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
# What a DynamoDB event source mapping reads a stream with, as the function's role.
STREAM_ACTIONS = (
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:ListStreams",
)

ANY_ACCOUNT = "*"
ANY_API = "*"
_ACCOUNT_ID = re.compile(r"\d{12}")


class PolicyError(ValueError):
    pass


def partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def check_account(account: str) -> str:
    if account != ANY_ACCOUNT and not _ACCOUNT_ID.fullmatch(account):
        raise PolicyError(f"account {account!r} is neither a 12-digit AWS account id nor '*'")
    return account


def caller_account() -> tuple[str, str]:
    """(account, where it came from): STS when credentials are configured, else ``*``."""
    import boto3

    from chalicelib.store.aws import client

    if boto3.session.Session().get_credentials() is None:
        return ANY_ACCOUNT, "no AWS credentials: any account"
    return str(client("sts").get_caller_identity()["Account"]), "sts get-caller-identity"


def deployed_websocket_api_id(stage: str, chalice_dir: Path = CHALICE_DIR) -> str | None:
    """The WebSocket API ``chalice deploy`` created for the stage, if it recorded one."""
    path = chalice_dir / "deployed" / f"{stage}.json"
    if not path.exists():
        return None
    for resource in json.loads(path.read_text()).get("resources", []):
        if resource.get("resource_type") == "websocket_api" and resource.get("websocket_api_id"):
            return str(resource["websocket_api_id"])
    return None


def _decrypt_condition(region: str, secret_arn: str | list[str], exact: bool) -> dict[str, Any]:
    via = {"kms:ViaService": f"ssm.{region}.amazonaws.com"}
    context = {"kms:EncryptionContext:PARAMETER_ARN": secret_arn}
    if exact:
        return {"StringEquals": {**via, **context}}
    # The ARN holds the account wildcard: only StringLike reads it as one.
    return {"StringEquals": via, "StringLike": context}


def deploy_policy(target: DeployTarget, account: str, websocket_api_id: str | None = None) -> dict[str, Any]:
    config = target.settings
    check_account(account)
    region = config.region
    aws = partition(region)

    def arn(service: str, resource: str) -> str:
        return f"arn:{aws}:{service}:{region}:{account}:{resource}"

    secret = config.jwt_secret_parameter
    if not secret:
        raise PolicyError(
            f"stage {target.stage} sets no MARQUEE_JWT_SECRET_PARAMETER in .chalice/config.json: "
            "the functions could not read their token secret"
        )
    secret_arn = arn("ssm", f"parameter/{secret.lstrip('/')}")
    tables: list[str] = []
    for spec in target.tables:
        tables.append(arn("dynamodb", f"table/{spec.name}"))
        tables += [
            arn("dynamodb", f"table/{spec.name}/index/{index}") for index in sorted(spec.global_indexes)
        ]
    # Any stream of the table: its label (in the ARN) changes whenever the stream is re-created.
    streams = [
        arn("dynamodb", f"table/{spec.name}/stream/*") for spec in target.tables if spec.stream_view_type
    ]
    data_buckets = [b.name for b in target.buckets if b.name != config.frontend_bucket]
    sender = config.mail_sender
    prefix = f"{APP_NAME}-{target.stage}-"
    statements: list[dict[str, Any]] = [
        {
            "Sid": "Logs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [
                # chalice deploy names each function <app>-<stage>-<function>.
                arn("logs", f"log-group:/aws/lambda/{prefix}*"),
                arn("logs", f"log-group:/aws/lambda/{prefix}*:*"),
            ],
        },
        {"Sid": "Tables", "Effect": "Allow", "Action": list(TABLE_ACTIONS), "Resource": tables},
        {"Sid": "Streams", "Effect": "Allow", "Action": list(STREAM_ACTIONS), "Resource": streams},
        {
            # A stream function hands the pages of a large audience to the fan-out function.
            "Sid": "FanOut",
            "Effect": "Allow",
            "Action": ["lambda:InvokeFunction"],
            "Resource": [arn("lambda", f"function:{function_name(target.stage, FAN_OUT_FUNCTION)}")],
        },
        {
            "Sid": "MediaObjects",
            "Effect": "Allow",
            "Action": list(OBJECT_ACTIONS),
            "Resource": [f"arn:{aws}:s3:::{name}/*" for name in data_buckets],
        },
        {
            # Without ListBucket a missing key answers 403 instead of 404.
            "Sid": "MediaListing",
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": [f"arn:{aws}:s3:::{name}" for name in data_buckets],
        },
        {
            "Sid": "Mail",
            "Effect": "Allow",
            "Action": ["ses:SendEmail", "ses:SendRawEmail"],
            "Resource": [
                arn("ses", f"identity/{sender}"),
                arn("ses", f"identity/{sender.rpartition('@')[2]}"),
            ],
        },
        {"Sid": "TokenSecret", "Effect": "Allow", "Action": ["ssm:GetParameter"], "Resource": [secret_arn]},
        {
            # A SecureString under the AWS-managed key aws/ssm, whose id is not known here: any
            # key, but only through SSM and only for this parameter (SSM passes its ARN as the
            # encryption context).
            "Sid": "TokenSecretDecrypt",
            "Effect": "Allow",
            "Action": ["kms:Decrypt"],
            "Resource": [arn("kms", "key/*")],
            "Condition": _decrypt_condition(region, secret_arn, exact=account != ANY_ACCOUNT),
        },
    ]
    stripe_parameters = [
        arn("ssm", f"parameter/{name.lstrip('/')}")
        for name in (config.stripe_secret_key_parameter, config.stripe_webhook_secret_parameter)
        if name
    ]
    if stripe_parameters:
        statements += [
            {
                "Sid": "StripeSecrets",
                "Effect": "Allow",
                "Action": ["ssm:GetParameter"],
                "Resource": stripe_parameters,
            },
            {
                "Sid": "StripeSecretsDecrypt",
                "Effect": "Allow",
                "Action": ["kms:Decrypt"],
                "Resource": [arn("kms", "key/*")],
                "Condition": _decrypt_condition(region, stripe_parameters, exact=account != ANY_ACCOUNT),
            },
        ]
    if config.ses_topic_arn:
        # The SES feedback route confirms its subscription to this topic (chalicelib/services/bounces.py).
        statements.append(
            {
                "Sid": "MailFeedbackSubscription",
                "Effect": "Allow",
                "Action": ["sns:ConfirmSubscription"],
                "Resource": [config.ses_topic_arn],
            }
        )
    if target.websocket:
        # execute-api:/<api id>/<stage>/<method>/@connections/<connection id>; pushes only POST.
        api = websocket_api_id or ANY_API
        statements.append(
            {
                "Sid": "WebsocketPush",
                "Effect": "Allow",
                "Action": ["execute-api:ManageConnections"],
                "Resource": [arn("execute-api", f"{api}/{target.api_gateway_stage}/POST/@connections/*")],
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def write_policy(document: dict[str, Any], stage: str, chalice_dir: Path = CHALICE_DIR) -> Path:
    path = chalice_dir / f"policy-{stage}.json"
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path
