"""The websocket routes ($connect / $default / $disconnect) and the push machinery, invoked as
Lambda would with API Gateway-shaped events under moto; pushes are read back from moto's
apigatewaymanagementapi backend, failures come from a fake management client passed in."""

import time

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from chalicelib.http.tokens import issue_token
from chalicelib.realtime import notifier
from chalicelib.realtime.connections import CONNECTION_TTL_SECONDS, connections_of
from chalicelib.store.models.connections import ConnectionModel, event_channel, user_channel
from tests.api.conftest import stored_connections


class FakeManagementApi:
    """Stands in for boto3's apigatewaymanagementapi client: records posts, and answers like
    API Gateway for connections that are closed (410 GoneException) or unreachable."""

    def __init__(self, gone=(), failing=()):
        self.gone, self.failing = set(gone), set(failing)
        self.posts: list[tuple[str, bytes]] = []
        self.endpoints: list[str] = []

    def factory(self, endpoint):
        self.endpoints.append(endpoint)
        return self

    def post_to_connection(self, *, ConnectionId, Data):
        if ConnectionId in self.gone:
            raise ClientError(
                {
                    "Error": {"Code": "GoneException", "Message": "Gone"},
                    "ResponseMetadata": {"HTTPStatusCode": 410},
                },
                "PostToConnection",
            )
        if ConnectionId in self.failing:
            raise EndpointConnectionError(endpoint_url="https://unreachable.example")
        self.posts.append((ConnectionId, Data))


# $connect


def test_connect_with_token_stores_connection_under_user_with_ttl(api, signup, ws):
    token = signup()
    user_id = api.user_id(token)

    result = ws.connect(token=token)

    assert result.status == 200
    stored = stored_connections(user_channel(user_id))
    assert list(stored) == [result.connection_id]
    item = stored[result.connection_id]
    assert item.user_id == user_id
    assert item.endpoint == f"https://{ws.DOMAIN}/{ws.STAGE}"
    assert abs(item.expires_at - (time.time() + CONNECTION_TTL_SECONDS)) < 60


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "not_authenticated"),
        ({"token": ""}, "not_authenticated"),
        ({"token": "not-a-jwt"}, "invalid_token"),
        ({"token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.forged"}, "invalid_token"),
    ],
)
def test_connect_without_valid_token_is_refused(ws, params, code):
    result = ws.connect(**params)

    assert result.status == 401
    assert result.body["error"]["code"] == code
    assert ConnectionModel.by_connection.count(result.connection_id) == 0


def test_connect_with_expired_token_is_refused(api, signup, ws):
    user_id = api.user_id(signup())

    result = ws.connect(token=issue_token(user_id, 0, ttl_seconds=-5))

    assert result.status == 401
    assert result.body["error"]["code"] == "token_expired"
    assert stored_connections(user_channel(user_id)) == {}


def test_connect_with_revoked_token_is_refused(api, signup, ws):
    user_id = api.user_id(signup())

    result = ws.connect(token=issue_token(user_id, 7))

    assert result.status == 401
    assert result.body["error"]["code"] == "token_revoked"


def test_connect_for_unknown_user_is_refused(ws):
    result = ws.connect(token=issue_token("no-such-user", 0))

    assert result.status == 401


# Event channel (public availability)


def _published_event(api, make_event, token):
    event = make_event(token)
    assert api.patch(f"/events/{event['id']}", {"state": "published"}, token=token).status == 200
    return event


def test_published_event_accepted_without_token(api, signup, make_event, ws):
    event = _published_event(api, make_event, signup())

    result = ws.connect(event=event["id"])

    assert result.status == 200
    assert list(stored_connections(event_channel(event["id"]))) == [result.connection_id]
    assert stored_connections(event_channel(event["id"]))[result.connection_id].user_id is None


def test_draft_or_unknown_event_refused_without_token(signup, make_event, ws):
    draft = make_event(signup())

    assert ws.connect(event=draft["id"]).status == 404
    assert ws.connect(event="nope").status == 404
    assert stored_connections(event_channel(draft["id"])) == {}


def test_bad_token_refused_even_with_published_event(api, signup, make_event, ws):
    event = _published_event(api, make_event, signup())

    result = ws.connect(token="garbage", event=event["id"])

    assert result.status == 401
    assert stored_connections(event_channel(event["id"])) == {}


def test_token_and_event_listen_on_both_channels_and_disconnect_removes_both(api, signup, make_event, ws):
    token = signup()
    event = _published_event(api, make_event, token)
    user_id = api.user_id(token)

    result = ws.connect(token=token, event=event["id"])
    assert result.status == 200
    assert result.connection_id in stored_connections(user_channel(user_id))
    assert result.connection_id in stored_connections(event_channel(event["id"]))

    assert ws.disconnect(result.connection_id).status == 200
    assert stored_connections(user_channel(user_id)) == {}
    assert stored_connections(event_channel(event["id"])) == {}


# $disconnect


def test_disconnect_removes_only_that_connection(api, signup, ws):
    token = signup()
    user_id = api.user_id(token)
    first, second = ws.connect(token=token), ws.connect(token=token)

    ws.disconnect(first.connection_id)

    assert list(stored_connections(user_channel(user_id))) == [second.connection_id]


def test_disconnect_of_unknown_connection_is_harmless(ws):
    assert ws.disconnect("never-connected=").status == 200


# $default


def test_ping_is_answered_with_pong(signup, ws):
    connection = ws.connect(token=signup())

    assert ws.send(connection.connection_id, '{"action": "ping"}').status == 200

    assert ws.received(connection.connection_id) == [{"action": "pong"}]


@pytest.mark.parametrize(
    "body", ['{"action": "dance"}', "not json", "[1, 2]", '"ping"', "", '{"action": 5}', "[" * 100_000]
)
def test_other_messages_are_ignored_politely(signup, ws, body):
    connection = ws.connect(token=signup())

    assert ws.send(connection.connection_id, body).status == 200

    assert ws.received(connection.connection_id) == []


def test_pong_to_a_closed_connection_does_not_raise(aws):
    from chalice.app import WebsocketEvent

    from chalicelib.api.websocket import on_message

    fake = FakeManagementApi(gone={"c1"})
    event = WebsocketEvent(
        {
            "body": '{"action":"ping"}',
            "requestContext": {"domainName": "d.example", "stage": "s", "connectionId": "c1"},
        },
        None,
    )

    on_message(event, client_for=fake.factory)

    assert fake.posts == []
    assert fake.endpoints == ["https://d.example/s"]


# Pushing


def test_push_reaches_every_connection_of_the_channel_only(api, signup, ws):
    alice, bob = signup(), signup()
    tabs = [ws.connect(token=alice).connection_id for _ in range(3)]
    bobs = ws.connect(token=bob).connection_id

    delivered = notifier.push_to_channel(user_channel(api.user_id(alice)), {"hello": "world"})

    assert delivered == 3
    for tab in tabs:
        assert ws.received(tab) == [{"hello": "world"}]
    assert ws.received(bobs) == []


def test_push_forgets_gone_connections_and_keeps_unreachable_ones(api, signup, ws):
    token = signup()
    user_id = api.user_id(token)
    live, gone, flaky = (ws.connect(token=token).connection_id for _ in range(3))
    fake = FakeManagementApi(gone={gone}, failing={flaky})

    delivered = notifier.push_to_channel(user_channel(user_id), {"n": 1}, client_for=fake.factory)

    assert delivered == 1
    assert [cid for cid, _ in fake.posts] == [live]
    assert sorted(c.connection_id for c in connections_of(user_channel(user_id))) == sorted([live, flaky])


def test_gone_connection_is_removed_from_every_channel(api, signup, make_event, ws):
    token = signup()
    event = _published_event(api, make_event, token)
    connection = ws.connect(token=token, event=event["id"]).connection_id
    fake = FakeManagementApi(gone={connection})

    notifier.push_to_channel(event_channel(event["id"]), {"meta": "availability"}, client_for=fake.factory)

    assert stored_connections(event_channel(event["id"])) == {}
    assert stored_connections(user_channel(api.user_id(token))) == {}


def test_expired_connections_are_not_pushed_to(api, signup, ws):
    token = signup()
    user_id = api.user_id(token)
    stale = ws.connect(token=token).connection_id
    ConnectionModel(channel=user_channel(user_id), connection_id=stale).update(
        actions=[ConnectionModel.expires_at.set(int(time.time()) - 10)]
    )

    assert connections_of(user_channel(user_id)) == []


def test_configured_endpoint_overrides_the_stored_one(api, signup, ws, monkeypatch):
    from chalicelib.config import settings

    token = signup()
    ws.connect(token=token)
    monkeypatch.setenv("MARQUEE_WEBSOCKET_ENDPOINT", "http://127.0.0.1:9")
    settings.cache_clear()
    try:
        fake = FakeManagementApi()
        notifier.push_to_channel(user_channel(api.user_id(token)), {"x": 1}, client_for=fake.factory)
    finally:
        monkeypatch.delenv("MARQUEE_WEBSOCKET_ENDPOINT")
        settings.cache_clear()

    assert fake.endpoints == ["http://127.0.0.1:9"]
