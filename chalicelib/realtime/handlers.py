"""The WebSocket routes ($connect, $default, $disconnect); app.py registers them on the app.

``$connect`` takes ``?token=<bearer token>`` (a signed-in user's notifications) and/or
``?event=<event_id>`` (a published event's live availability). A missing, bad or expired token
is refused with 401 even when an event is given; an event that is not published is refused with
404. Refusing ``$connect`` makes API Gateway refuse the handshake.
"""

import json
import logging

from botocore.exceptions import BotoCoreError, ClientError
from chalice import Response
from chalice.app import WebsocketEvent

from chalicelib.domain.errors import DomainError, NotFoundError, UnauthorizedError
from chalicelib.http.auth import authenticate
from chalicelib.http.errors import error_body, status_of
from chalicelib.http.json import dumps
from chalicelib.realtime.connections import add_connection, remove_connection
from chalicelib.realtime.notifier import ClientFactory, endpoint_for, management_client, post
from chalicelib.store.events import get_published_event
from chalicelib.store.models.connections import event_channel, user_channel

logger = logging.getLogger("marquee.realtime")


def _refusal(status: int, code: str, message: str) -> Response:
    return Response(
        body=dumps(error_body(code, message)),
        status_code=status,
        headers={"Content-Type": "application/json"},
    )


def _channels(params: dict[str, str]) -> tuple[list[str], str | None]:
    token, event_id = params.get("token"), params.get("event")
    if not token and not event_id:
        raise UnauthorizedError("Connect with ?token=<token>.", code="not_authenticated")
    channels, user_id = [], None
    if token:
        user_id = authenticate(f"Bearer {token}").user_id
        channels.append(user_channel(user_id))
    if event_id:
        if get_published_event(event_id) is None:
            raise NotFoundError("No published event with this id.")
        channels.append(event_channel(event_id))
    return channels, user_id


def on_connect(event: WebsocketEvent) -> Response | None:
    params = event.to_dict().get("queryStringParameters") or {}
    try:
        channels, user_id = _channels(params)
    except DomainError as error:
        return _refusal(status_of(error), error.code, error.message)
    add_connection(event.connection_id, channels, endpoint_for(event.domain_name, event.stage), user_id)
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
