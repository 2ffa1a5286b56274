"""The connection store: which WebSocket connections listen to which channel."""

import time
from dataclasses import dataclass

from chalicelib.domain.clock import now_iso
from chalicelib.store.models.connections import ConnectionModel

# API Gateway's maximum connection duration is two hours; a little slack covers clock skew.
CONNECTION_TTL_SECONDS = 2 * 3600 + 300


@dataclass(frozen=True)
class Connection:
    channel: str
    connection_id: str
    endpoint: str


def add_connection(connection_id: str, channels: list[str], endpoint: str, user_id: str | None) -> None:
    connected_at = now_iso()
    expires_at = int(time.time()) + CONNECTION_TTL_SECONDS
    with ConnectionModel.batch_write() as batch:
        for channel in channels:
            batch.save(
                ConnectionModel(
                    channel=channel,
                    connection_id=connection_id,
                    endpoint=endpoint,
                    user_id=user_id,
                    connected_at=connected_at,
                    expires_at=expires_at,
                )
            )


def connections_of(channel: str) -> list[Connection]:
    """The live connections of one channel (TTL deletion is lazy, so expired items are skipped)."""
    items = ConnectionModel.query(channel, filter_condition=ConnectionModel.expires_at > int(time.time()))
    return [Connection(item.channel, item.connection_id, item.endpoint) for item in items]


def remove_connection(connection_id: str) -> int:
    """Forget every channel item of a connection; returns how many were removed."""
    items = list(ConnectionModel.by_connection.query(connection_id))
    with ConnectionModel.batch_write() as batch:
        for item in items:
            batch.delete(item)
    return len(items)


def drop(connection: Connection) -> None:
    ConnectionModel(channel=connection.channel, connection_id=connection.connection_id).delete()
