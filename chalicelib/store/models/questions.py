"""An event's checkout questions: one item in its partition (``sk=QUESTIONS``) holding the whole
list (chalicelib.domain.questions) and the version that its ETag and If-Match use. Deleting the
event deletes it with the rest of the partition."""

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.store.models.base import BaseMeta, BaseModel
from chalicelib.store.models.events import EVENTS_TABLE

QUESTIONS_SK = "QUESTIONS"


class QuestionsModel(BaseModel):
    owns_table = False

    class Meta(BaseMeta):
        table_name = EVENTS_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    event_id = UnicodeAttribute()
    # [{id, label, kind, options, required, ticket_ids}] in the order they are asked.
    questions = JSONAttribute(default=list)
    ver = NumberAttribute(default=0)
    updated_at = UnicodeAttribute(null=True)
    updated_by = UnicodeAttribute(null=True)
