"""A notification as the API lists it and as a push carries it."""

from typing import Any

from chalicelib.store.models.notifications import NotificationModel


def notification_view(notification: NotificationModel) -> dict[str, Any]:
    return {
        "id": notification.notification_id,
        "title": notification.title,
        "message": notification.message,
        "action": notification.action,
        "received_at": notification.received_at,
        "has_read": bool(notification.has_read),
        "link": notification.link,
    }
