"""What follows a change: one subscriber per reaction (see chalicelib.services.signals)."""

from chalicelib.realtime.sessions import end_sessions
from chalicelib.services.signals import SessionsRevoked, subscribe


@subscribe(SessionsRevoked)
def close_the_users_connections(event: SessionsRevoked) -> None:
    end_sessions(event.user_id)
