"""A signed-in user's connections live only as long as the session they were opened with.

Each connection keeps the version of its token (and expires with it, see connections.py). When
the user's sessions are revoked (sign-out everywhere, a password change) their connections are
closed at once; a push also checks every connection against the user's current version, so one
opened with a revoked token never receives anything, even if closing it had failed.
"""

from chalicelib.realtime.connections import MAX_CONNECTIONS_PER_USER, Connection, connections_of
from chalicelib.realtime.notifier import ClientFactory, close, management_client
from chalicelib.store.models.connections import user_channel


def end_sessions(user_id: str, client_for: ClientFactory = management_client) -> int:
    """Close every open connection of the user (after their tokens were revoked)."""
    return close(connections_of(user_channel(user_id)), client_for)


def make_room(user_id: str, client_for: ClientFactory = management_client) -> int:
    """Before a new connection of the user: close the oldest ones past the per-user cap."""
    connections = sorted(connections_of(user_channel(user_id)), key=lambda c: c.connected_at)
    surplus = len(connections) - (MAX_CONNECTIONS_PER_USER - 1)
    return close(connections[:surplus], client_for) if surplus > 0 else 0


def live_connections(
    user_id: str, token_version: int, client_for: ClientFactory = management_client
) -> list[Connection]:
    """The user's newest connections (at most the cap) opened with a still valid token; those
    opened with a revoked one are closed."""
    connections = connections_of(user_channel(user_id))
    stale = [c for c in connections if c.token_version != token_version]
    if stale:
        close(stale, client_for)
    live = [c for c in connections if c.token_version == token_version]
    # make_room keeps a user within the cap at $connect, but connects racing each other can pass
    # it until the next one: a push, which rides on the request that caused it, never does.
    return sorted(live, key=lambda c: c.connected_at, reverse=True)[:MAX_CONNECTIONS_PER_USER]
