"""The audit log: who did what, when, with the state before and after."""

from pynamodb.attributes import JSONAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.store.models.base import BaseMeta, BaseModel, table_name


class AuditFeedIndex(GlobalSecondaryIndex):
    """Every record across scopes, newest first (the staff activity page)."""

    class Meta:
        index_name = "by_feed"
        projection = AllProjection()

    feed = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class AuditModel(BaseModel):
    class Meta(BaseMeta):
        table_name = table_name("audit")

    # "EVENT#<id>" for what happens inside an event, "PLATFORM" for the rest.
    scope = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    feed = UnicodeAttribute(default="all")
    record_id = UnicodeAttribute()
    at = UnicodeAttribute()
    action = UnicodeAttribute()
    actor_id = UnicodeAttribute(null=True)
    actor_email = UnicodeAttribute(null=True)
    event_id = UnicodeAttribute(null=True)
    target = JSONAttribute(null=True)
    before = JSONAttribute(null=True)
    after = JSONAttribute(null=True)

    by_feed = AuditFeedIndex()
