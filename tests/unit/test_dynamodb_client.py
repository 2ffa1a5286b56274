"""Every model and every transaction of a container reach DynamoDB through one botocore client:
PynamoDB's own way, a session and client per model, cost a fresh container's first requests
~75 ms per model they touched (bench/first_touch_bench.py: 18 clients, 1.8 s)."""

from collections.abc import Iterator

import pytest

from chalicelib.store.aws import client, reset_clients
from chalicelib.store.models import ALL_MODELS
from chalicelib.store.models.attendees import AttendeeModel
from chalicelib.store.transactions import connection


@pytest.fixture(autouse=True)
def fresh_clients() -> Iterator[None]:
    reset_clients()
    yield
    reset_clients()


def clients_in_use() -> set[int]:
    used = {id(model._get_connection().connection.client) for model in [*ALL_MODELS, AttendeeModel]}
    return used | {id(connection().client)}


def test_models_and_transactions_share_the_one_dynamodb_client() -> None:
    assert clients_in_use() == {id(client("dynamodb"))}


def test_after_a_reset_they_use_the_new_client(monkeypatch: pytest.MonkeyPatch) -> None:
    before = client("dynamodb")
    clients_in_use()
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    reset_clients()
    after = client("dynamodb")
    assert after is not before
    assert after.meta.endpoint_url == "http://127.0.0.1:9"
    assert clients_in_use() == {id(after)}


def test_the_shared_client_keeps_pynamodb_retries_and_timeouts() -> None:
    config = client("dynamodb").meta.config
    assert config.retries == {"total_max_attempts": 4, "mode": "standard"}
    assert (config.connect_timeout, config.read_timeout) == (15, 30)
