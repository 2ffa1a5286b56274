"""Access and discount codes live in their event's partition: the code (``sk=PROMO#<id>``, with
its ``uses`` counter) and a name item (``sk=PROMONAME#<CODE>``) that keeps codes unique per event
whatever their case and finds a code by what a buyer typed. A deleted code loses its name item
and is marked ``deleted``, so orders that used it can still give their use back."""

from pynamodb.attributes import BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.store.models.base import BaseMeta, BaseModel
from chalicelib.store.models.events import EVENTS_TABLE

CODE_PREFIX = "PROMO#"
NAME_PREFIX = "PROMONAME#"


def code_sk(code_id: str) -> str:
    return f"{CODE_PREFIX}{code_id}"


def name_sk(code: str) -> str:
    return f"{NAME_PREFIX}{code}"


class CodeModel(BaseModel):
    owns_table = False

    class Meta(BaseMeta):
        table_name = EVENTS_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    code_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    code = UnicodeAttribute()
    ticket_ids = JSONAttribute(null=True)
    unlocks_hidden = BooleanAttribute(default=False)
    # {"percent": "10"} or {"amount": "5.00"}
    discount = JSONAttribute(null=True)
    max_uses = NumberAttribute(null=True)
    uses = NumberAttribute(default=0)
    valid_from = UnicodeAttribute(null=True)
    valid_until = UnicodeAttribute(null=True)
    deleted = BooleanAttribute(default=False)
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute()
    # Bumped by every edit of the terms (not by uses): an order priced with old terms fails.
    terms_ver = NumberAttribute(default=1)


class CodeNameModel(BaseModel):
    owns_table = False

    class Meta(BaseMeta):
        table_name = EVENTS_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    code_id = UnicodeAttribute()
