"""A user's notifications, oldest first in the partition (``sk=<received_at>#<id>``); the
unread count lives on the user item and moves in the same transaction as every insert and every
mark-read."""

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.store.models.base import BaseMeta, BaseModel, table_name

NOTIFICATIONS_TABLE = table_name("notifications")


def notification_sk(received_at: str, notification_id: str) -> str:
    return f"{received_at}#{notification_id}"


class UnreadNotificationsIndex(GlobalSecondaryIndex):
    """Sparse: only unread notifications carry ``unread_for`` (= the user id), so "my unread,
    newest first" is a Query that never reads a notification already read."""

    class Meta:
        index_name = "by_unread"
        projection = AllProjection()

    unread_for = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class NotificationModel(BaseModel):
    class Meta(BaseMeta):
        table_name = NOTIFICATIONS_TABLE

    user_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    notification_id = UnicodeAttribute(attr_name="id")
    title = UnicodeAttribute()
    message = UnicodeAttribute()
    action = UnicodeAttribute()
    received_at = UnicodeAttribute()
    has_read = BooleanAttribute(default=False)
    # The app's page the notification is about ("/events/<id>/orders"), when it is about one.
    link = UnicodeAttribute(null=True)
    unread_for = UnicodeAttribute(null=True)

    by_unread = UnreadNotificationsIndex()
