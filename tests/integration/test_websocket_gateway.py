"""The local WebSocket gateway (devstack/ws_gateway.py) with real sockets: a real WebSocket client,
the app's handlers called with API Gateway-shaped events, and the app's boto3
apigatewaymanagementapi client reaching the gateway's management endpoint over HTTP. DynamoDB is
moto in-process (the full stack over HTTP is in test_websocket_stack.py)."""

import json
import os
import time
from collections.abc import Iterator
from contextlib import ExitStack

import boto3
import pytest
from moto import mock_aws
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from chalicelib.http.tokens import issue_token
from chalicelib.realtime import notifier
from chalicelib.realtime.connections import connections_of
from chalicelib.store.models.connections import ConnectionModel, user_channel
from devstack.launcher import free_port
from tests.polling import eventually


@pytest.fixture
def gateway() -> Iterator[object]:
    from app import app
    from chalicelib.config import settings
    from chalicelib.store.access import forget_cached_matrix
    from chalicelib.store.provision import provision
    from devstack import ws_gateway

    with mock_aws():
        forget_cached_matrix()
        provision(report=lambda _line: None)
        handle = ws_gateway.start(app, free_port(), os.environ)
        try:
            yield handle
        finally:
            handle.stop()
            os.environ.pop(ws_gateway.ENDPOINT_VARIABLE, None)
            settings.cache_clear()


@pytest.fixture
def user_token(gateway) -> tuple[str, str]:
    from chalicelib.store.users import create_user

    email = f"u{time.monotonic_ns()}@example.com"
    user = create_user({"email": email, "password": "long enough", "name": "U"})
    return user.user_id, issue_token(user.user_id, 0)


def _open(gateway, query: str) -> ClientConnection:
    return connect(f"{gateway.ws_url}/?{query}", open_timeout=5)


def _next(client: ClientConnection, timeout: float = 5.0) -> dict:
    return json.loads(client.recv(timeout=timeout))


def test_token_connects_and_both_tabs_receive_a_push(gateway, user_token):
    user_id, token = user_token
    with _open(gateway, f"token={token}") as tab1, _open(gateway, f"token={token}") as tab2:
        assert len(connections_of(user_channel(user_id))) == 2

        delivered = notifier.push_to_channel(user_channel(user_id), {"meta": "hello"})

        assert delivered == 2
        assert _next(tab1) == {"meta": "hello"}
        assert _next(tab2) == {"meta": "hello"}


@pytest.mark.parametrize("query", ["", "token=", "token=not-a-token", "token=a.b.c&event=x"])
def test_missing_or_bad_token_refuses_the_handshake(gateway, query):
    with pytest.raises(InvalidStatus) as refused:
        _open(gateway, query)

    assert refused.value.response.status_code == 401
    assert gateway.clients == {}


def test_expired_token_refuses_the_handshake(gateway, user_token):
    user_id, _ = user_token

    with pytest.raises(InvalidStatus) as refused:
        _open(gateway, f"token={issue_token(user_id, 0, ttl_seconds=-1)}")

    assert refused.value.response.status_code == 401
    assert json.loads(refused.value.response.body)["error"]["code"] == "token_expired"


def test_ping_gets_pong_and_other_messages_are_ignored(gateway, user_token):
    _, token = user_token
    with _open(gateway, f"token={token}") as client:
        client.send("hello?")
        client.send(json.dumps({"action": "subscribe"}))
        client.send(b"\x00\x01")
        client.send(json.dumps({"action": "ping"}))

        assert _next(client) == {"action": "pong"}


def test_closing_the_socket_runs_disconnect(gateway, user_token):
    user_id, token = user_token
    with _open(gateway, f"token={token}"):
        assert len(connections_of(user_channel(user_id))) == 1

    assert eventually(lambda: connections_of(user_channel(user_id)) == [])


def test_push_to_a_connection_the_gateway_no_longer_has_is_gone_and_cleaned_up(gateway, user_token):
    user_id, token = user_token
    with _open(gateway, f"token={token}") as live:
        # A connection whose $disconnect never arrived (a crashed gateway, a lost Lambda call).
        ConnectionModel(
            channel=user_channel(user_id),
            connection_id="stale0000000000=",
            endpoint="https://old.example/local",
            user_id=user_id,
            connected_at="2026-01-01T00:00:00.000+00:00",
            expires_at=int(time.time()) + 3600,
        ).save()

        delivered = notifier.push_to_channel(user_channel(user_id), {"n": 1})

        assert delivered == 1
        assert _next(live) == {"n": 1}
        assert [c.connection_id for c in connections_of(user_channel(user_id))] == [
            next(iter(gateway.clients))
        ]


def test_management_api_speaks_boto3(gateway, user_token):
    user_id, token = user_token
    management = boto3.client("apigatewaymanagementapi", endpoint_url=gateway.management_url)
    with _open(gateway, f"token={token}") as client:
        (connection_id,) = gateway.clients

        info = management.get_connection(ConnectionId=connection_id)
        assert info["Identity"]["SourceIp"] == "127.0.0.1"

        management.post_to_connection(ConnectionId=connection_id, Data=b'{"direct": true}')
        assert _next(client) == {"direct": True}

        management.delete_connection(ConnectionId=connection_id)
        with pytest.raises(ConnectionClosed):
            client.recv(timeout=5)

    assert eventually(lambda: connections_of(user_channel(user_id)) == [])
    with pytest.raises(management.exceptions.GoneException):
        management.post_to_connection(ConnectionId=connection_id, Data=b"{}")
    with pytest.raises(management.exceptions.GoneException):
        management.get_connection(ConnectionId=connection_id)


def test_stop_disconnects_every_client(gateway, user_token):
    user_id, token = user_token
    with ExitStack() as stack:
        clients = [stack.enter_context(_open(gateway, f"token={token}")) for _ in range(3)]

        gateway.stop()

        assert connections_of(user_channel(user_id)) == []
        for client in clients:
            with pytest.raises(ConnectionClosed):
                client.recv(timeout=5)
