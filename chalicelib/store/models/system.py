"""Small platform-wide items: the permission matrix, the migration revision, rate counters."""

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.store.models.base import BaseMeta, BaseModel, table_name

SYSTEM_TABLE = table_name("system")


class SystemItemModel(BaseModel):
    ttl_attribute = "expires_at"

    class Meta(BaseMeta):
        table_name = SYSTEM_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    version = NumberAttribute(default=0)
    data = JSONAttribute(null=True)
    expires_at = NumberAttribute(null=True)
