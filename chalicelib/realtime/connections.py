"""The connection store: which WebSocket connections listen to which channel."""

import time
from typing import NamedTuple

from chalicelib.domain.clock import now_iso
from chalicelib.store.models.connections import ConnectionModel

# API Gateway's maximum connection duration is two hours; a little slack covers clock skew.
CONNECTION_TTL_SECONDS = 2 * 3600 + 300
# A person has a few tabs and devices; past this the oldest connection is closed, so that a push
# to one user (which rides on the request that caused it) stays a few posts.
MAX_CONNECTIONS_PER_USER = 10


class Connection(NamedTuple):
    channel: str
    connection_id: str
    endpoint: str
    token_version: int | None = None
    connected_at: str = ""
    user_id: str | None = None


def _view(item: ConnectionModel) -> Connection:
    version = None if item.token_version is None else int(item.token_version)
    return Connection(
        item.channel, item.connection_id, item.endpoint, version, item.connected_at, item.user_id
    )


def add_connection(
    connection_id: str,
    channels: list[str],
    endpoint: str,
    user_id: str | None,
    token_version: int | None = None,
    token_expires_at: int | None = None,
) -> None:
    """Listen on ``channels``; a signed-in connection expires with its token."""
    connected_at = now_iso()
    expires_at = int(time.time()) + CONNECTION_TTL_SECONDS
    if token_expires_at is not None:
        expires_at = min(expires_at, token_expires_at)
    with ConnectionModel.batch_write() as batch:
        for channel in channels:
            batch.save(
                ConnectionModel(
                    channel=channel,
                    connection_id=connection_id,
                    endpoint=endpoint,
                    user_id=user_id,
                    token_version=token_version,
                    connected_at=connected_at,
                    expires_at=expires_at,
                )
            )


def connections_of(channel: str) -> list[Connection]:
    """The live connections of one channel (TTL deletion is lazy, so expired items are skipped)."""
    items = ConnectionModel.query(channel, filter_condition=ConnectionModel.expires_at > int(time.time()))
    return [_view(item) for item in items]


def audience_of(channel: str) -> list[Connection]:
    """The live connections of a public channel with only what a post needs (id and endpoint):
    an audience's fan-out reads a thousand items a second, and the projection keeps that read,
    its parsing and (locally) the embedded DynamoDB's answer about a third of the whole items'."""
    items = ConnectionModel.query(
        channel,
        filter_condition=ConnectionModel.expires_at > int(time.time()),
        attributes_to_get=["connection_id", "endpoint"],
    )
    return [Connection(channel, item.connection_id, item.endpoint) for item in items]


def anyone_on(channel: str) -> bool:
    """Whether a connection may listen on the channel: one item read, whatever the audience (an
    expired one not yet removed counts; a push then finds nobody, which costs one Query)."""
    return any(True for _ in ConnectionModel.query(channel, limit=1))


def remove_connection(connection_id: str) -> int:
    """Forget every channel item of a connection; returns how many were removed."""
    items = list(ConnectionModel.by_connection.query(connection_id))
    with ConnectionModel.batch_write() as batch:
        for item in items:
            batch.delete(item)
    return len(items)


def drop(connection: Connection) -> None:
    ConnectionModel(channel=connection.channel, connection_id=connection.connection_id).delete()
