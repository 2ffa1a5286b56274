"""A password reset request: ``pk = "RESET_REQUEST#<random id>"``, ``sk = "RESET_REQUEST"``, the
normalized address it was asked for. It holds no secret and is stored alike whether or not the
address has an account; the events table's stream mails the link (chalicelib.streams.handlers),
which is why it lives there: the system table, where the links themselves are kept
(``PasswordResetModel``), has no stream. ``purge_at`` (epoch seconds) is when the link it asks for
would stop working; DynamoDB's TTL removes the request after it."""

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from chalicelib.store.models.base import BaseMeta, BaseModel
from chalicelib.store.models.events import EVENTS_TABLE

RESET_REQUEST_SK = "RESET_REQUEST"


class PasswordResetRequestModel(BaseModel):
    owns_table = False
    ttl_attribute = "purge_at"

    class Meta(BaseMeta):
        table_name = EVENTS_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default=RESET_REQUEST_SK)
    email = UnicodeAttribute()
    requested_at = UnicodeAttribute()
    purge_at = NumberAttribute()
