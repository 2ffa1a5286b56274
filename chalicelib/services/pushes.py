"""What the open WebSocket connections are told: the availability of an event's tickets (its
public pages, with their waiting room's line) and a user's unread notifications (their tabs)."""

from typing import Any

from chalicelib.realtime.connections import audience_of
from chalicelib.realtime.fanout import broadcast
from chalicelib.realtime.notifier import ClientFactory, management_client, push
from chalicelib.realtime.sessions import live_connections
from chalicelib.services import queue
from chalicelib.store import availability, events, notifications
from chalicelib.store.models.connections import event_channel
from chalicelib.store.models.notifications import NotificationModel
from chalicelib.views.notifications import notification_view

NOTIFICATIONS_META = "New notifications"
# How many unread notifications a push carries (the newest); the count covers all of them.
PUSH_UNREAD_LIMIT = 10


def push_availability(event_id: str) -> int:
    """O(open connections of this event): one Query of its channel, nothing when nobody listens;
    past a page of them, the posts are shared with fan-out functions (realtime.fanout)."""
    connections = audience_of(event_channel(event_id))
    if not connections:
        return 0
    # Pages that opened while the event was public hear nothing once it is a draft again.
    event = events.published_state(event_id)
    if event is None:
        return 0
    tickets = [t for t in availability.event_tickets(event_id) if not t.hidden]
    counts = availability.availability(event_id, tickets)
    payload: dict[str, Any] = {
        "meta": "availability",
        "event_id": event_id,
        "tickets": [{"id": t.ticket_id, "available": counts[t.ticket_id]} for t in tickets],
    }
    # While the waiting room is on, the line as it stands: each page works out its own place.
    line = queue.line_now(event)
    if line is not None:
        payload["queue"] = line
    return broadcast(connections, payload)


def push_unread(
    user_id: str, latest: NotificationModel | None = None, client_for: ClientFactory = management_client
) -> int:
    """Send ``{"meta", "notif_count", "notifs"}`` to every connection of the user opened with a
    token that is still valid (one read of the user for the count and the current version)."""
    user = notifications.unread_state(user_id)
    if user is None:
        return 0
    connections = live_connections(user_id, int(user.token_version or 0), client_for)
    if not connections:
        return 0
    unread = notifications.newest_unread(user_id, PUSH_UNREAD_LIMIT)
    # The index is eventually consistent: the notification just written may not be in it yet.
    if latest is not None and all(item.sk != latest.sk for item in unread):
        unread = sorted([latest, *unread], key=lambda item: item.sk, reverse=True)[:PUSH_UNREAD_LIMIT]
    payload = {
        "meta": NOTIFICATIONS_META,
        "notif_count": int(user.unread_notifications or 0),
        "notifs": [notification_view(item) for item in unread],
    }
    return push(connections, payload, client_for)
