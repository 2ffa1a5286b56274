"""Notifying someone: the notification is stored and counted, then pushed to their open tabs."""

from chalicelib.realtime.notifier import ClientFactory, management_client
from chalicelib.services.signals import NotificationStored, emit
from chalicelib.store import notifications
from chalicelib.store.models.notifications import NotificationModel


def notify(
    user_id: str,
    action: str,
    title: str,
    message: str,
    *,
    link: str | None = None,
    client_for: ClientFactory = management_client,
) -> NotificationModel:
    """Store a notification for ``user_id`` and count it as unread (one transaction); the push
    to the user's connections follows (a failed push never fails the notification). ``link``: the
    app's page it is about (a hash route such as "/events/<id>/orders")."""
    notification = notifications.store_notification(user_id, action, title, message, link)
    emit(NotificationStored(user_id, notification, client_for))
    return notification


def mark_read_about(user_id: str, action: str, link: str) -> None:
    """Mark read what the user was told about ``link`` once it is dealt with (an invite answered)."""
    for item in notifications.unread_about(user_id, action, link):
        notifications.mark_read(user_id, item.notification_id)
