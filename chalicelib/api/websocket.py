"""The WebSocket routes ($connect, $default, $disconnect); app.py registers them on the app.

``$connect`` takes ``?token=<bearer token>`` (a signed-in user's notifications) and/or
``?event=<event_id>`` (a published event's live availability); with a token, ``?checkins=<event_id>``
also listens to that event's check-in counts (for whom the matrix lets read ``attendee``). A
missing, bad or expired token is refused with 401 even when an event is given; an event that is
not published is refused with 404, check-ins the user may not read with 403.
Refusing ``$connect`` makes API Gateway refuse the handshake.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, NamedTuple

from botocore.exceptions import BotoCoreError, ClientError
from chalice import Response
from chalice.app import WebsocketEvent

from chalicelib.api.lazy import lazy
from chalicelib.domain.errors import DomainError, ForbiddenError, NotFoundError, UnauthorizedError
from chalicelib.domain.permissions import ATTENDEE, allows
from chalicelib.encoding import dumps
from chalicelib.http.auth import authenticate_token
from chalicelib.http.errors import error_body, status_of

if TYPE_CHECKING:
    from chalicelib.realtime import connections as connections_realtime
    from chalicelib.realtime import notifier as notifier_realtime
    from chalicelib.realtime import sessions as sessions_realtime
    from chalicelib.store import access as access_store
    from chalicelib.store import events as events_store
    from chalicelib.store.models import connections as channels
    from chalicelib.store.models.users import UserModel
else:
    connections_realtime = lazy("chalicelib.realtime.connections")
    notifier_realtime = lazy("chalicelib.realtime.notifier")
    sessions_realtime = lazy("chalicelib.realtime.sessions")
    access_store = lazy("chalicelib.store.access")
    events_store = lazy("chalicelib.store.events")
    channels = lazy("chalicelib.store.models.connections")

logger = logging.getLogger("marquee.realtime")


def _refusal(status: int, code: str, message: str) -> Response:
    return Response(
        body=dumps(error_body(code, message)),
        status_code=status,
        headers={"Content-Type": "application/json"},
    )


class _Listener(NamedTuple):
    channels: list[str]
    user_id: str | None = None
    token_version: int | None = None
    token_expires_at: int | None = None


def _listener(params: dict[str, str]) -> _Listener:
    token, event_id, watched = params.get("token"), params.get("event"), params.get("checkins")
    if not token and not event_id:
        raise UnauthorizedError("Connect with ?token=<token>.", code="not_authenticated")
    listener = _Listener(channels=[])
    if token:
        user, claims = authenticate_token(token.strip())
        listener = _Listener(
            [channels.user_channel(user.user_id)], user.user_id, claims.token_version, claims.expires_at
        )
        if watched:
            _check_may_watch(user, watched)
            listener.channels.append(channels.checkins_channel(watched))
    elif watched:
        raise UnauthorizedError("Connect with ?token=<token> to watch check-ins.", code="not_authenticated")
    if event_id:
        if events_store.get_published_event(event_id) is None:
            raise NotFoundError("No published event with this id.")
        listener.channels.append(channels.event_channel(event_id))
    return listener


def _check_may_watch(user: UserModel, event_id: str) -> None:
    """The user may read the event's check-in counts (attendee read, or staff)."""
    record = access_store.load_event_record(event_id, user.user_id, with_matrix=True)
    if record.event is None:
        raise NotFoundError("No such event.")
    staff = bool(user.is_admin or user.is_super_admin)
    if not staff and not (record.matrix and allows(record.matrix.matrix, record.role, ATTENDEE, "read")):
        raise ForbiddenError("Your role in this event may not watch its check-ins.")


def on_connect(event: WebsocketEvent) -> Response | None:
    params = event.to_dict().get("queryStringParameters") or {}
    try:
        listener = _listener(params)
    except DomainError as error:
        return _refusal(status_of(error), error.code, error.message)
    if listener.user_id is not None:
        sessions_realtime.make_room(listener.user_id)
    connections_realtime.add_connection(
        event.connection_id,
        listener.channels,
        notifier_realtime.endpoint_for(event.domain_name, event.stage),
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


def on_message(event: WebsocketEvent, client_for: notifier_realtime.ClientFactory | None = None) -> None:
    """Answer a ping with a pong; anything else is ignored (no error frames, no closing).
    ``client_for``: the management API client per endpoint (by default the notifier's)."""
    if _message_action(event.body) != "ping":
        return
    endpoint = notifier_realtime.endpoint_for(event.domain_name, event.stage)
    try:
        notifier_realtime.post(
            event.connection_id,
            endpoint,
            dumps({"action": "pong"}).encode(),
            client_for or notifier_realtime.management_client,
        )
    except (ClientError, BotoCoreError) as error:
        logger.info("pong to %s not delivered: %s", event.connection_id, error)


def on_disconnect(event: WebsocketEvent) -> None:
    connections_realtime.remove_connection(event.connection_id)
