"""Create or repair the tables, buckets and mail identity Marquee needs, from the same
descriptions the CloudFormation template is built from (chalicelib.store.schema for tables,
chalicelib.store.buckets for buckets). Converges: anything missing (a table, an index a model
gained, its stream, TTL, point-in-time recovery, a bucket rule) is added; a second run changes nothing and
says so. Used by ``manage.py provision`` and the local stack."""

import json
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.config import settings
from chalicelib.store.aws import client
from chalicelib.store.buckets import BucketSpec, bucket_specs
from chalicelib.store.permissions import seed_default_matrix
from chalicelib.store.schema import TableSpec, table_specs

Report = Callable[[str], None]

NOTHING_CHANGED = "nothing changed"


class ProvisionError(RuntimeError):
    """The account holds something provisioning must not change on its own (e.g. a table whose
    keys differ from the models')."""


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


class _Run:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.changes: list[str] = []

    def changed(self, message: str) -> None:
        self.changes.append(message)
        self.report(message)


def _wait_for_table(name: str, index: str | None = None, timeout: float = 600) -> None:
    dynamodb = client("dynamodb")
    deadline = time.monotonic() + timeout
    while True:
        table = dynamodb.describe_table(TableName=name)["Table"]
        statuses = [table["TableStatus"]]
        if index is not None:
            statuses += [
                i.get("IndexStatus", "ACTIVE")
                for i in table.get("GlobalSecondaryIndexes", [])
                if i["IndexName"] == index
            ]
        if all(status == "ACTIVE" for status in statuses):
            return
        if time.monotonic() > deadline:
            raise ProvisionError(f"table {name} did not become ACTIVE within {timeout:.0f}s")
        time.sleep(2)


def _create_table(spec: TableSpec, run: _Run) -> None:
    kwargs: dict[str, Any] = {
        "TableName": spec.name,
        "KeySchema": spec.key_schema,
        "AttributeDefinitions": spec.attribute_definitions(),
        "BillingMode": "PAY_PER_REQUEST",
        "SSESpecification": {"Enabled": True},
    }
    if spec.global_indexes:
        kwargs["GlobalSecondaryIndexes"] = spec.global_index_definitions()
    if spec.stream_view_type:
        kwargs["StreamSpecification"] = spec.stream_specification()
    client("dynamodb").create_table(**kwargs)
    _wait_for_table(spec.name)
    run.changed(f"table {spec.name}: created")


def _converge_indexes(spec: TableSpec, table: dict[str, Any], run: _Run) -> None:
    existing = {index["IndexName"] for index in table.get("GlobalSecondaryIndexes", [])}
    for name in sorted(set(spec.global_indexes) - existing):
        # DynamoDB accepts one new index per UpdateTable and only once the previous one is ACTIVE.
        client("dynamodb").update_table(
            TableName=spec.name,
            AttributeDefinitions=spec.attribute_definitions(),
            GlobalSecondaryIndexUpdates=[{"Create": spec.global_indexes[name]}],
        )
        _wait_for_table(spec.name, index=name)
        run.changed(f"table {spec.name}: index {name} created")
    for name in sorted(existing - set(spec.global_indexes)):
        run.report(f"table {spec.name}: index {name} is not in the models (left in place)")


def _converge_stream(spec: TableSpec, table: dict[str, Any], run: _Run) -> None:
    current = table.get("StreamSpecification") or {"StreamEnabled": False}
    wanted = spec.stream_specification()
    if bool(current.get("StreamEnabled")) == wanted["StreamEnabled"] and (
        not wanted["StreamEnabled"] or current.get("StreamViewType") == spec.stream_view_type
    ):
        return
    if not wanted["StreamEnabled"]:
        run.report(f"table {spec.name}: has a stream the models do not use (left in place)")
        return
    dynamodb = client("dynamodb")
    if current.get("StreamEnabled"):
        # A stream's view type cannot change in place: a new stream replaces the old one.
        dynamodb.update_table(TableName=spec.name, StreamSpecification={"StreamEnabled": False})
        _wait_for_table(spec.name)
    dynamodb.update_table(TableName=spec.name, StreamSpecification=wanted)
    _wait_for_table(spec.name)
    run.changed(f"table {spec.name}: stream ({spec.stream_view_type}) enabled")


def _converge_ttl(spec: TableSpec, run: _Run, fresh: bool) -> None:
    if not spec.ttl_attribute:
        return
    dynamodb = client("dynamodb")
    current = {} if fresh else dynamodb.describe_time_to_live(TableName=spec.name)["TimeToLiveDescription"]
    if current.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"):
        if current.get("AttributeName") != spec.ttl_attribute:
            raise ProvisionError(
                f"table {spec.name} expires items by {current.get('AttributeName')!r}, the models by "
                f"{spec.ttl_attribute!r}; DynamoDB allows one TTL attribute: change it by hand"
            )
        return
    dynamodb.update_time_to_live(
        TableName=spec.name,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": spec.ttl_attribute},
    )
    run.changed(f"table {spec.name}: TTL on {spec.ttl_attribute} enabled")


def _converge_backups(spec: TableSpec, run: _Run, fresh: bool) -> None:
    dynamodb = client("dynamodb")
    if not fresh:
        description = dynamodb.describe_continuous_backups(TableName=spec.name)
        pitr = description["ContinuousBackupsDescription"].get("PointInTimeRecoveryDescription", {})
        if pitr.get("PointInTimeRecoveryStatus") == "ENABLED":
            return
    dynamodb.update_continuous_backups(
        TableName=spec.name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    run.changed(f"table {spec.name}: point-in-time recovery enabled")


def _converge_table(spec: TableSpec, run: _Run) -> None:
    fresh = False
    try:
        table = client("dynamodb").describe_table(TableName=spec.name)["Table"]
    except ClientError as error:
        if _error_code(error) != "ResourceNotFoundException":
            raise
        _create_table(spec, run)
        fresh = True
    else:
        keys = [{"AttributeName": k["AttributeName"], "KeyType": k["KeyType"]} for k in table["KeySchema"]]
        if keys != spec.key_schema:
            raise ProvisionError(
                f"table {spec.name} has keys {keys}, the models want {spec.key_schema}; "
                "keys cannot change in place: write a migration that copies the data"
            )
        _converge_indexes(spec, table, run)
        _converge_stream(spec, table, run)
    _converge_ttl(spec, run, fresh)
    _converge_backups(spec, run, fresh)


def _partition() -> str:
    region = settings().region
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def _create_bucket(name: str, run: _Run) -> bool:
    """Create the bucket unless it exists; True when it was just created."""
    s3 = client("s3")
    try:
        s3.head_bucket(Bucket=name)
        return False
    except ClientError as error:
        if _error_code(error) not in ("404", "NoSuchBucket", "NotFound"):
            raise ProvisionError(
                f"bucket {name} exists but is not reachable with these credentials ({_error_code(error)}); "
                "bucket names are global: pick another with MARQUEE_MEDIA_BUCKET / MARQUEE_FRONTEND_BUCKET"
            ) from error
    region = settings().region
    if region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    run.changed(f"bucket {name}: created")
    return True


def _read_or_none(read: Callable[[], Any], missing_codes: tuple[str, ...], fresh: bool) -> Any:
    if fresh:
        return None
    try:
        return read()
    except ClientError as error:
        if _error_code(error) in missing_codes:
            return None
        raise


def _converge_ownership(spec: BucketSpec, run: _Run, fresh: bool) -> None:
    s3 = client("s3")
    current = _read_or_none(
        lambda: s3.get_bucket_ownership_controls(Bucket=spec.name)["OwnershipControls"]["Rules"],
        ("OwnershipControlsNotFoundError",),
        fresh,
    )
    desired = [{"ObjectOwnership": "BucketOwnerEnforced"}]
    if current == desired:
        return
    s3.put_bucket_ownership_controls(Bucket=spec.name, OwnershipControls={"Rules": desired})
    run.changed(f"bucket {spec.name}: ACLs disabled (bucket owner enforced)")


def _converge_public_access(spec: BucketSpec, run: _Run, fresh: bool) -> None:
    s3 = client("s3")
    current = _read_or_none(
        lambda: s3.get_public_access_block(Bucket=spec.name)["PublicAccessBlockConfiguration"],
        ("NoSuchPublicAccessBlockConfiguration",),
        fresh,
    )
    desired = spec.public_access_block()
    if current == desired:
        return
    s3.put_public_access_block(Bucket=spec.name, PublicAccessBlockConfiguration=desired)
    run.changed(f"bucket {spec.name}: public access block set")


def _normalized_statement(statement: dict[str, Any]) -> tuple[Any, ...]:
    def as_tuple(value: Any) -> tuple[str, ...]:
        return tuple(sorted([value] if isinstance(value, str) else list(value or [])))

    principal = statement.get("Principal")
    if principal == {"AWS": "*"}:
        principal = "*"
    return (
        statement.get("Sid"),
        statement.get("Effect"),
        json.dumps(principal, sort_keys=True),
        as_tuple(statement.get("Action")),
        as_tuple(statement.get("Resource")),
    )


def _converge_policy(spec: BucketSpec, run: _Run, fresh: bool) -> None:
    desired = spec.public_read_statements(f"arn:{_partition()}:s3:::{spec.name}")
    if not desired:
        return
    s3 = client("s3")
    raw = _read_or_none(
        lambda: s3.get_bucket_policy(Bucket=spec.name)["Policy"], ("NoSuchBucketPolicy",), fresh
    )
    current = json.loads(raw)["Statement"] if raw else []
    have = {_normalized_statement(statement) for statement in current}
    if all(_normalized_statement(statement) in have for statement in desired):
        return
    ours = {statement["Sid"] for statement in desired}
    kept = [statement for statement in current if statement.get("Sid") not in ours]
    policy = {"Version": "2012-10-17", "Statement": kept + desired}
    s3.put_bucket_policy(Bucket=spec.name, Policy=json.dumps(policy))
    run.changed(f"bucket {spec.name}: public read on {', '.join(spec.public_prefixes)} granted")


def _cors_rules(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keys = ("AllowedMethods", "AllowedOrigins", "AllowedHeaders", "MaxAgeSeconds")
    return [{key: rule.get(key) for key in keys} for rule in rules]


def _converge_cors(spec: BucketSpec, run: _Run, fresh: bool) -> None:
    if not spec.cors:
        return
    s3 = client("s3")
    current = _read_or_none(
        lambda: s3.get_bucket_cors(Bucket=spec.name)["CORSRules"], ("NoSuchCORSConfiguration",), fresh
    )
    desired = spec.cors_configuration()
    if current is not None and _cors_rules(current) == _cors_rules(desired["CORSRules"]):
        return
    s3.put_bucket_cors(Bucket=spec.name, CORSConfiguration=desired)
    run.changed(f"bucket {spec.name}: CORS set")


def _lifecycle_rules(rules: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted(
        (
            rule.get("ID"),
            rule.get("Filter", {}).get("Prefix", rule.get("Prefix")),
            rule.get("Status"),
            rule.get("Expiration", {}).get("Days"),
        )
        for rule in rules
    )


def _converge_lifecycle(spec: BucketSpec, run: _Run, fresh: bool) -> None:
    if not spec.expiry:
        return
    s3 = client("s3")
    current = _read_or_none(
        lambda: s3.get_bucket_lifecycle_configuration(Bucket=spec.name)["Rules"],
        ("NoSuchLifecycleConfiguration",),
        fresh,
    )
    desired = spec.lifecycle_configuration()
    if current is not None and _lifecycle_rules(current) == _lifecycle_rules(desired["Rules"]):
        return
    s3.put_bucket_lifecycle_configuration(Bucket=spec.name, LifecycleConfiguration=desired)
    run.changed(f"bucket {spec.name}: expiry of {', '.join(r.prefix for r in spec.expiry)} set")


def _converge_bucket(spec: BucketSpec, run: _Run) -> None:
    fresh = _create_bucket(spec.name, run)
    _converge_ownership(spec, run, fresh)
    # The block must allow a public policy before the policy can be put.
    _converge_public_access(spec, run, fresh)
    _converge_policy(spec, run, fresh)
    _converge_cors(spec, run, fresh)
    _converge_lifecycle(spec, run, fresh)


def _verify_sender(run: _Run) -> None:
    ses = client("ses")
    sender = settings().mail_sender
    attributes = ses.get_identity_verification_attributes(Identities=[sender])["VerificationAttributes"]
    status = attributes.get(sender, {}).get("VerificationStatus")
    if status == "Success":
        return
    if status == "Pending":
        run.report(f"mail sender {sender}: verification pending (follow the link SES mailed to it)")
        return
    ses.verify_email_identity(EmailAddress=sender)
    run.changed(f"mail sender {sender}: verification requested")


def provision(report: Report = print) -> list[str]:
    """Bring the account in line with the models and bucket rules; return what changed."""
    run = _Run(report)
    for spec in table_specs():
        _converge_table(spec, run)
    if seed_default_matrix():
        run.changed("permission matrix: defaults seeded")
    for bucket in bucket_specs(settings()):
        _converge_bucket(bucket, run)
    _verify_sender(run)
    checked = f"{len(table_specs())} tables, {len(bucket_specs(settings()))} buckets, mail sender"
    report(f"{NOTHING_CHANGED} ({checked} checked)" if not run.changes else f"{len(run.changes)} change(s)")
    return run.changes
