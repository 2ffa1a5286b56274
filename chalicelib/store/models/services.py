"""Tracks, sessions, speakers, sponsors and microlocations: items of the event partition
(``sk=TRACK#<id>``, ``SESSION#<id>``...), so one Query with begins_with lists a collection."""

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.store.models.base import BaseMeta, BaseModel
from chalicelib.store.models.events import EVENTS_TABLE


class ServiceItemModel(BaseModel):
    owns_table = False

    class Meta(BaseMeta):
        table_name = EVENTS_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_id = UnicodeAttribute()
    service = UnicodeAttribute()
    # Bumped by every write to this item: its ETag, and what If-Match conditions writes on.
    ver = NumberAttribute(default=1)
    fields = JSONAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
