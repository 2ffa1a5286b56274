"""A user's notifications, newest last in the partition (``sk=<received_at ISO>#<id>``); the
unread count lives on the user item and moves in the same transaction as every insert."""

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute

from chalicelib.store.models.base import BaseMeta, BaseModel, table_name

NOTIFICATIONS_TABLE = table_name("notifications")


def notification_sk(received_at: str, notification_id: str) -> str:
    return f"{received_at}#{notification_id}"


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
