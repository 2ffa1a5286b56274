"""Create the tables, buckets and mail identity Marquee needs. Idempotent: a second run
changes nothing and reports so. Used by ``manage.py provision`` and the local stack."""

from collections.abc import Callable

from botocore.exceptions import ClientError

from chalicelib.config import settings
from chalicelib.store.aws import client
from chalicelib.store.schema import TableSpec, table_specs

Report = Callable[[str], None]


def _create_table(spec: TableSpec, report: Report) -> None:
    dynamodb = client("dynamodb")
    try:
        dynamodb.describe_table(TableName=spec.name)
        report(f"table {spec.name}: exists")
        return
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
    kwargs = {
        "TableName": spec.name,
        "KeySchema": spec.key_schema,
        "AttributeDefinitions": spec.attribute_definitions(),
        "BillingMode": "PAY_PER_REQUEST",
        "SSESpecification": {"Enabled": True},
    }
    if spec.global_indexes:
        kwargs["GlobalSecondaryIndexes"] = spec.global_index_definitions()
    dynamodb.create_table(**kwargs)
    dynamodb.get_waiter("table_exists").wait(TableName=spec.name, WaiterConfig={"Delay": 1})
    dynamodb.update_continuous_backups(
        TableName=spec.name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    if spec.ttl_attribute:
        dynamodb.update_time_to_live(
            TableName=spec.name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": spec.ttl_attribute},
        )
    report(f"table {spec.name}: created")


def _create_bucket(name: str, report: Report) -> bool:
    s3 = client("s3")
    try:
        s3.head_bucket(Bucket=name)
        report(f"bucket {name}: exists")
        return False
    except ClientError:
        pass
    if settings().region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": settings().region})
    report(f"bucket {name}: created")
    return True


def _configure_media_bucket(name: str) -> None:
    s3 = client("s3")
    s3.put_bucket_cors(
        Bucket=name,
        CORSConfiguration={
            "CORSRules": [
                {
                    "AllowedMethods": ["GET", "HEAD", "POST"],
                    "AllowedOrigins": ["*"],
                    "AllowedHeaders": ["*"],
                    "MaxAgeSeconds": 3600,
                }
            ]
        },
    )
    s3.put_bucket_lifecycle_configuration(
        Bucket=name,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "expire-uploads",
                    "Filter": {"Prefix": "uploads/"},
                    "Status": "Enabled",
                    "Expiration": {"Days": 1},
                }
            ]
        },
    )


def _verify_sender(report: Report) -> None:
    ses = client("ses")
    sender = settings().mail_sender
    identities = ses.list_identities(IdentityType="EmailAddress")["Identities"]
    if sender in identities:
        report(f"mail sender {sender}: verified")
        return
    ses.verify_email_identity(EmailAddress=sender)
    report(f"mail sender {sender}: verification requested")


def provision(report: Report = print) -> None:
    for spec in table_specs():
        _create_table(spec, report)
    config = settings()
    if _create_bucket(config.media_bucket, report):
        _configure_media_bucket(config.media_bucket)
    _create_bucket(config.frontend_bucket, report)
    _verify_sender(report)
