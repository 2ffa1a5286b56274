"""Real-time notifications through the real local stack (`python -m devstack` in a subprocess):
a real WebSocket client signs in, connects, and receives the notification another user's role
invite creates; several tabs all receive it; a bad token is refused at the handshake; a closed
tab's connection is cleaned up (on close, and on Gone when its $disconnect was lost)."""

import json
import signal
from contextlib import ExitStack
from typing import Any

import pytest
import requests
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from tests.polling import eventually

pytestmark = pytest.mark.integration


def _open(stack, query: str) -> ClientConnection:
    return connect(f"{stack.ws_url}/?{query}", open_timeout=10)


def _next(client: ClientConnection, timeout: float = 10.0) -> dict:
    return json.loads(client.recv(timeout=timeout))


def _user_id(stack, token: str) -> str:
    return stack.api("GET", "/me", token=token).json()["id"]


def _connections(stack, user_id: str) -> list[dict[str, Any]]:
    dynamodb = stack.aws_client("dynamodb")
    (table,) = [name for name in dynamodb.list_tables()["TableNames"] if name.endswith("-connections")]
    items = dynamodb.query(
        TableName=table,
        KeyConditionExpression="channel = :c",
        ExpressionAttributeValues={":c": {"S": f"USER#{user_id}"}},
        ConsistentRead=True,
    )["Items"]
    return items


def _invite(stack, organizer: str, email: str) -> None:
    event = stack.api(
        "POST",
        "/events",
        {
            "name": "Realtime Conf",
            "starts_at": "2027-05-01T09:00:00+02:00",
            "ends_at": "2027-05-02T18:00:00+02:00",
            "timezone": "Europe/Berlin",
        },
        token=organizer,
    )
    assert event.status_code == 201, event.text
    invite = stack.api(
        "POST",
        f"/events/{event.json()['id']}/invites",
        {"email": email, "role": "coorganizer"},
        token=organizer,
    )
    assert invite.status_code == 201, invite.text


def test_config_json_points_at_the_gateway(shared_local_stack):
    config = requests.get(f"{shared_local_stack.base_url}/config.json", timeout=10).json()

    assert config["wsUrl"] == shared_local_stack.ws_url


def test_role_invite_reaches_every_open_tab(shared_local_stack):
    stack = shared_local_stack
    email = stack.unique_email("invitee")
    invitee = stack.signup(email)
    organizer = stack.signup()
    with _open(stack, f"token={invitee}") as tab1, _open(stack, f"token={invitee}") as tab2:
        _invite(stack, organizer, email)

        for tab in (tab1, tab2):
            message = _next(tab)
            assert message["meta"] == "New notifications"
            assert message["notif_count"] == 1
            (notification,) = message["notifs"]
            assert notification["action"] == "role_invite"
            assert notification["has_read"] is False

    listed = stack.api("GET", "/notifications?unread=true", token=invitee).json()
    assert [item["id"] for item in listed] == [notification["id"]]
    assert stack.api("GET", "/notifications/unread-count", token=invitee).json() == {"count": 1}


@pytest.mark.parametrize("query", ["", "token=", "token=not-a-token"])
def test_missing_or_bad_token_is_refused_at_the_handshake(shared_local_stack, query):
    with pytest.raises(InvalidStatus) as refused:
        _open(shared_local_stack, query)

    assert refused.value.response.status_code == 401


def test_ping_pong(shared_local_stack):
    with _open(shared_local_stack, f"token={shared_local_stack.signup()}") as client:
        client.send(json.dumps({"action": "ping"}))

        assert _next(client) == {"action": "pong"}


def test_closed_tab_is_cleaned_up_and_the_other_still_receives(shared_local_stack):
    stack = shared_local_stack
    email = stack.unique_email("tabs")
    token = stack.signup(email)
    user_id = _user_id(stack, token)
    with _open(stack, f"token={token}") as kept:
        with _open(stack, f"token={token}"):
            assert len(_connections(stack, user_id)) == 2
        assert eventually(lambda: len(_connections(stack, user_id)) == 1)

        _invite(stack, stack.signup(), email)

        assert _next(kept)["notif_count"] == 1


def test_connection_whose_disconnect_was_lost_is_dropped_on_gone(shared_local_stack):
    stack = shared_local_stack
    email = stack.unique_email("gone")
    token = stack.signup(email)
    user_id = _user_id(stack, token)
    with ExitStack() as tabs:
        live = tabs.enter_context(_open(stack, f"token={token}"))
        (item,) = eventually(lambda: _connections(stack, user_id))
        # A copy of the live item under a connection id the gateway does not know: what a crash
        # between the socket closing and $disconnect leaves behind.
        stale = {**item, "connection_id": {"S": "staleConnection0="}}
        dynamodb = stack.aws_client("dynamodb")
        (table,) = [name for name in dynamodb.list_tables()["TableNames"] if name.endswith("-connections")]
        dynamodb.put_item(TableName=table, Item=stale)
        assert len(_connections(stack, user_id)) == 2

        _invite(stack, stack.signup(), email)

        assert _next(live)["notif_count"] == 1
        remaining = _connections(stack, user_id)
        assert [entry["connection_id"]["S"] for entry in remaining] == [item["connection_id"]["S"]]


@pytest.mark.parametrize("revoke", ["logout", "password"])
def test_the_server_closes_a_tab_when_its_session_ends_and_it_hears_nothing_more(shared_local_stack, revoke):
    stack = shared_local_stack
    email = stack.unique_email("leaver")
    token = stack.signup(email, password="correct horse")
    with _open(stack, f"token={token}") as tab:
        _invite(stack, stack.signup(), email)
        assert _next(tab)["notif_count"] == 1

        if revoke == "logout":
            assert stack.api("POST", "/auth/logout", token=token).status_code == 204
        else:
            changed = stack.api(
                "POST",
                "/auth/password",
                {"current_password": "correct horse", "new_password": "battery staple 2"},
                token=token,
            )
            assert changed.status_code == 200, changed.text

        with pytest.raises(ConnectionClosed):
            tab.recv(timeout=10)
    password = "correct horse" if revoke == "logout" else "battery staple 2"
    user_id = _user_id(stack, stack.login(email, password))
    assert eventually(lambda: _connections(stack, user_id) == [])


def test_stopping_the_stack_disconnects_open_tabs_before_it_saves(local_stack):
    """The gateway runs in a process of its own; a stop (SIGINT, as Ctrl-C) still closes every
    tab with its $disconnect before the final save, so a restart holds no dead connection."""
    token = local_stack.signup()
    user_id = _user_id(local_stack, token)
    with _open(local_stack, f"token={token}") as tab:
        eventually(lambda: len(_connections(local_stack, user_id)) == 1)

        assert local_stack.stop(signal.SIGINT, group=True) == 0
        with pytest.raises(ConnectionClosed):
            tab.recv(timeout=5)
    assert "Traceback" not in local_stack.output

    local_stack.start()
    assert _connections(local_stack, user_id) == []
    with _open(local_stack, f"token={token}") as fresh:
        fresh.send(json.dumps({"action": "ping"}))
        assert _next(fresh) == {"action": "pong"}
        assert len(_connections(local_stack, user_id)) == 1
