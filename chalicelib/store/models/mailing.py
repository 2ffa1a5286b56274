"""What mail needs remembered: organizer messages (in their event's partition, newest last by
``sk=MESSAGE#<created_at>#<id>``), and in the system table the addresses mail must not reach and
the per-event unsubscribes. (Each recipient's copy goes once through chalicelib.store.claims.)"""

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.store.models.base import BaseMeta, BaseModel
from chalicelib.store.models.events import EVENTS_TABLE
from chalicelib.store.models.system import SYSTEM_TABLE

MESSAGE_PREFIX = "MESSAGE#"
ADDRESS_SK = "ADDRESS"


def message_sk(created_at: str, message_id: str) -> str:
    return f"{MESSAGE_PREFIX}{created_at}#{message_id}"


def undeliverable_pk(email: str) -> str:
    return f"UNDELIVERABLE#{email}"


def unsubscribed_pk(event_id: str) -> str:
    return f"UNSUBSCRIBED#{event_id}"


class OrganizerMessageModel(BaseModel):
    owns_table = False

    class Meta(BaseMeta):
        table_name = EVENTS_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    message_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    subject = UnicodeAttribute()
    body = UnicodeAttribute()
    # None: every valid attendee; else only those of these tickets.
    ticket_ids = JSONAttribute(null=True)
    sender_id = UnicodeAttribute()
    sender_email = UnicodeAttribute()
    created_at = UnicodeAttribute()
    status = UnicodeAttribute()
    recipients = NumberAttribute(null=True)
    sent_at = UnicodeAttribute(null=True)


class UndeliverableModel(BaseModel):
    """``pk=UNDELIVERABLE#<address>``: SES reported a permanent bounce or a complaint."""

    owns_table = False

    class Meta(BaseMeta):
        table_name = SYSTEM_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default=ADDRESS_SK)
    email = UnicodeAttribute()
    reason = UnicodeAttribute()
    detail = UnicodeAttribute(default="")
    at = UnicodeAttribute()


class UnsubscribedModel(BaseModel):
    """``pk=UNSUBSCRIBED#<event_id>, sk=<address>``: no more organizer messages of that event."""

    owns_table = False

    class Meta(BaseMeta):
        table_name = SYSTEM_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    at = UnicodeAttribute()
