"""Role invites, keyed by their secret token (single GetItem on accept / decline), with
indexes for "invites addressed to me" (normalized e-mail) and "invites of an event"."""

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.store.models.base import BaseMeta, BaseModel, table_name

INVITES_TABLE = table_name("invites")


class InvitesByEmailIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_email"
        projection = AllProjection()

    email = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class InvitesByEventIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_event"
        projection = AllProjection()

    event_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class InviteModel(BaseModel):
    ttl_attribute = "purge_at"

    class Meta(BaseMeta):
        table_name = INVITES_TABLE

    token = UnicodeAttribute(hash_key=True)
    invite_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    email = UnicodeAttribute()
    role = UnicodeAttribute()
    status = UnicodeAttribute(default="pending")
    invited_by = UnicodeAttribute()
    created_at = UnicodeAttribute()
    expires_at = UnicodeAttribute()
    responded_at = UnicodeAttribute(null=True)
    answered_by = UnicodeAttribute(null=True)
    # Epoch seconds for DynamoDB TTL: answered or expired invites are cleaned up later.
    purge_at = NumberAttribute()

    by_email = InvitesByEmailIndex()
    by_event = InvitesByEventIndex()
