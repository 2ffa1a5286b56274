"""The event partition: ``PK=EVENT#id`` holds the event item (with its version counters),
its role memberships, tickets and services, so one GetItem answers "what is the ETag" and
one BatchGetItem answers "what is this user's role here" together with it."""

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection, KeysOnlyProjection

from chalicelib.domain.waiting_room import off as waiting_room_off
from chalicelib.store.models.base import BaseMeta, BaseModel, table_name

EVENTS_TABLE = table_name("events")
EVENT_SK = "EVENT"


EVENT_PK_PREFIX = "EVENT#"


def event_pk(event_id: str) -> str:
    return f"{EVENT_PK_PREFIX}{event_id}"


def role_sk(user_id: str) -> str:
    return f"ROLE#{user_id}"


class EventsByEntityIndex(GlobalSecondaryIndex):
    """Every event, newest first (staff list)."""

    class Meta:
        index_name = "by_entity"
        projection = KeysOnlyProjection()

    entity = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class PublishedEventsIndex(GlobalSecondaryIndex):
    """Sparse: only published events carry ``listing``."""

    class Meta:
        index_name = "by_listing"
        projection = KeysOnlyProjection()

    listing = UnicodeAttribute(hash_key=True)
    starts_at = UnicodeAttribute(range_key=True)


class EventModel(BaseModel):
    # Tickets, holds, attendees and scans change here: the stream tells the audience (chalicelib.streams).
    stream_view_type = "NEW_AND_OLD_IMAGES"

    class Meta(BaseMeta):
        table_name = EVENTS_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default=EVENT_SK)
    event_id = UnicodeAttribute()
    entity = UnicodeAttribute(default="event")
    name = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    location_name = UnicodeAttribute(default="")
    starts_at = UnicodeAttribute()
    ends_at = UnicodeAttribute()
    timezone = UnicodeAttribute()
    currency = UnicodeAttribute(default="USD")
    state = UnicodeAttribute(default="draft")
    listing = UnicodeAttribute(null=True)
    background_url = UnicodeAttribute(null=True)
    background_variants = JSONAttribute(null=True)
    background_hash = UnicodeAttribute(null=True)
    order_hold_minutes = NumberAttribute(default=15)
    payment_provider = UnicodeAttribute(default="manual")
    # Until then buyers may cancel a paid order themselves (refunded in full); None: never.
    refund_deadline = UnicodeAttribute(null=True)
    # The organizer's {enabled, admit_per_minute}; the clock of admissions is the server's own
    # (chalicelib.domain.waiting_room): when it (re)started, and who was admitted by then.
    waiting_room = JSONAttribute(default=waiting_room_off)
    queue_opened_at = UnicodeAttribute(null=True)
    queue_admitted_base = NumberAttribute(default=0)
    created_by = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute(null=True)

    # One attribute per name of chalicelib.domain.events.VERSION_COUNTERS.
    event_ver = NumberAttribute(default=0)
    tickets_ver = NumberAttribute(default=0)
    tracks_ver = NumberAttribute(default=0)
    sessions_ver = NumberAttribute(default=0)
    speakers_ver = NumberAttribute(default=0)
    sponsors_ver = NumberAttribute(default=0)
    microlocations_ver = NumberAttribute(default=0)

    by_entity = EventsByEntityIndex()
    by_listing = PublishedEventsIndex()


class MembersByUserIndex(GlobalSecondaryIndex):
    """Sparse: only memberships carry ``member_id`` ("my events")."""

    class Meta:
        index_name = "by_member"
        projection = IncludeProjection(["role", "event_id"])

    member_id = UnicodeAttribute(hash_key=True)
    pk = UnicodeAttribute(range_key=True)


class MembershipModel(BaseModel):
    owns_table = False

    class Meta(BaseMeta):
        table_name = EVENTS_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    member_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    role = UnicodeAttribute()
    created_at = UnicodeAttribute()
    # Bumped by every role change: the membership's ETag, and what If-Match conditions on.
    ver = NumberAttribute(default=1)

    by_member = MembersByUserIndex()
