"""The API tests share one moto (tests/api/conftest.py, MotoAccount): what one test leaves behind
must be gone for the next, and what provisioning made must be back."""

from typing import Any

from chalicelib.config import settings
from chalicelib.domain.permissions import DEFAULT_MATRIX
from chalicelib.store.access import load_matrix
from chalicelib.store.aws import client
from chalicelib.store.models.users import UserModel
from chalicelib.store.schema import table_specs
from chalicelib.store.users import find_by_email
from tests.api.conftest import Api, MotoAccount, WebsocketEvents


def _changed_matrix() -> Any:
    changed = {
        role: {service: {**cells} for service, cells in grants.items()}
        for role, grants in DEFAULT_MATRIX.items()
    }
    changed["moderator"]["sponsor"]["create"] = True
    return changed


def test_a_test_starts_from_the_provisioned_account_whatever_the_last_one_left(
    moto_account: MotoAccount,
    api: Api,
    signup: Any,
    make_staff: Any,
    sent_emails: Any,
    ws: WebsocketEvents,
) -> None:
    config = settings()
    s3, ssm, dynamodb = client("s3"), client("ssm"), client("dynamodb")
    provisioned_tables = sorted(dynamodb.list_tables()["TableNames"])
    provisioned_buckets = sorted(bucket["Name"] for bucket in s3.list_buckets()["Buckets"])
    provisioned_matrix = load_matrix()

    token = signup("left-behind@example.com")
    root = make_staff()
    matrix = _changed_matrix()
    assert api.put("/permissions", {"matrix": matrix}, token=root).status == 200
    assert load_matrix().matrix == matrix  # and now in this container's cache
    s3.put_object(Bucket=config.media_bucket, Key="public/left-behind.jpg", Body=b"x")
    s3.create_bucket(Bucket="left-behind-bucket")
    ssm.put_parameter(Name="/left/behind", Value="secret value", Type="SecureString")
    connection = ws.connect(token)
    assert connection.status == 200
    assert sent_emails()

    moto_account.restore()

    assert find_by_email("left-behind@example.com") is None
    assert sum(1 for _ in UserModel.scan()) == 0
    assert sorted(dynamodb.list_tables()["TableNames"]) == provisioned_tables
    assert provisioned_tables == sorted(spec.name for spec in table_specs())
    assert sorted(bucket["Name"] for bucket in s3.list_buckets()["Buckets"]) == provisioned_buckets
    assert s3.list_objects_v2(Bucket=config.media_bucket).get("KeyCount") == 0
    assert ssm.describe_parameters()["Parameters"] == []
    assert sent_emails() == []
    assert ws.received(connection.connection_id) == []
    assert load_matrix() == provisioned_matrix
    assert load_matrix().matrix != matrix
    # What provisioning made works again: a bucket name freed by the reset can be taken anew.
    s3.create_bucket(Bucket="left-behind-bucket")
