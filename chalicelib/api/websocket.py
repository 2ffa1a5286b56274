"""The WebSocket routes ($connect, $default, $disconnect); app.py registers them on the app.

``$connect`` takes ``?token=<bearer token>`` (a signed-in user's notifications) and/or
``?event=<event_id>`` (a published event's live availability). A missing, bad or expired token
is refused with 401 even when an event is given; an event that is not published is refused with
404. Refusing ``$connect`` makes API Gateway refuse the handshake.
"""

import json
import logging
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError
from chalice import Response
from chalice.app import WebsocketEvent

from chalicelib.domain.errors import DomainError, NotFoundError, UnauthorizedError
from chalicelib.encoding import dumps
from chalicelib.http.auth import authenticate_token
from chalicelib.http.errors import error_body, status_of
from chalicelib.realtime.connections import add_connection, remove_connection
from chalicelib.realtime.notifier import ClientFactory, endpoint_for, management_client, post
from chalicelib.realtime.sessions import make_room
from chalicelib.store.events import get_published_event
from chalicelib.store.models.connections import event_channel, user_channel

logger = logging.getLogger("marquee.realtime")


def _refusal(status: int, code: str, message: str) -> Response:
    return Response(
        body=dumps(error_body(code, message)),
        status_code=status,
        headers={"Content-Type": "application/json"},
    )


@dataclass(frozen=True)
class _Listener:
    channels: list[str]
    user_id: str | None = None
    token_version: int | None = None
    token_expires_at: int | None = None


def _listener(params: dict[str, str]) -> _Listener:
    token, event_id = params.get("token"), params.get("event")
    if not token and not event_id:
        raise UnauthorizedError("Connect with ?token=<token>.", code="not_authenticated")
    listener = _Listener(channels=[])
    if token:
        user, claims = authenticate_token(token.strip())
        listener = _Listener(
            [user_channel(user.user_id)], user.user_id, claims.token_version, claims.expires_at
        )
    if event_id:
        if get_published_event(event_id) is None:
            raise NotFoundError("No published event with this id.")
        listener.channels.append(event_channel(event_id))
    return listener


def on_connect(event: WebsocketEvent) -> Response | None:
    params = event.to_dict().get("queryStringParameters") or {}
    try:
        listener = _listener(params)
    except DomainError as error:
        return _refusal(status_of(error), error.code, error.message)
    if listener.user_id is not None:
        make_room(listener.user_id)
    add_connection(
        event.connection_id,
        listener.channels,
        endpoint_for(event.domain_name, event.stage),
        listener.user_id,
        listener.token_version,
        listener.token_expires_at,
    )
    return None


def _message_action(body: str) -> str | None:
    try:
        message = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        return None
    return message.get("action") if isinstance(message, dict) else None


def on_message(event: WebsocketEvent, client_for: ClientFactory = management_client) -> None:
    """Answer a ping with a pong; anything else is ignored (no error frames, no closing)."""
    if _message_action(event.body) != "ping":
        return
    endpoint = endpoint_for(event.domain_name, event.stage)
    try:
        post(event.connection_id, endpoint, dumps({"action": "pong"}).encode(), client_for)
    except (ClientError, BotoCoreError) as error:
        logger.info("pong to %s not delivered: %s", event.connection_id, error)


def on_disconnect(event: WebsocketEvent) -> None:
    remove_connection(event.connection_id)
