"""Notifying someone: the notification is stored and counted, then pushed to their open tabs."""

from chalicelib.realtime.notifier import ClientFactory, management_client
from chalicelib.services.signals import NotificationStored, emit
from chalicelib.store import notifications
from chalicelib.store.models.notifications import NotificationModel


def notify(
    user_id: str, action: str, title: str, message: str, *, client_for: ClientFactory = management_client
) -> NotificationModel:
    """Store a notification for ``user_id`` and count it as unread (one transaction); the push
    to the user's connections follows (a failed push never fails the notification)."""
    notification = notifications.store_notification(user_id, action, title, message)
    emit(NotificationStored(user_id, notification, client_for))
    return notification
