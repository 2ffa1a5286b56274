"""An event's checkout questions on the events table (chalicelib.store.models.questions).

The list is replaced whole, conditioned on the version read (or on the versions the client's
If-Match allows) and on the event still existing, in one transaction with its audit record: two
organizers saving at once never lose a question silently."""

from collections.abc import Sequence
from typing import Any

from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.condition import Condition

from chalicelib.domain.clock import now
from chalicelib.domain.errors import NotFoundError, PreconditionFailedError
from chalicelib.store.audit import audit_record
from chalicelib.store.availability import iso
from chalicelib.store.models.events import EVENT_SK, EventModel, event_pk
from chalicelib.store.models.questions import QUESTIONS_SK, QuestionsModel
from chalicelib.store.retry import LostRace
from chalicelib.store.transactions import Cancelled, transaction
from chalicelib.store.versions import STALE_MESSAGE


def stored_questions(event_id: str) -> QuestionsModel:
    """The event's questions item (version 0 and no questions when none were ever saved)."""
    try:
        return QuestionsModel.get(event_pk(event_id), QUESTIONS_SK, consistent_read=True)
    except DoesNotExist:
        return QuestionsModel(event_pk(event_id), QUESTIONS_SK, event_id=event_id, questions=[], ver=0)


def questions_of(event_id: str) -> list[dict[str, Any]]:
    return list(stored_questions(event_id).questions or [])


def _version_is(versions: Sequence[int]) -> Condition:
    condition = QuestionsModel.ver.is_in(*versions)
    return condition | QuestionsModel.pk.does_not_exist() if 0 in versions else condition


def save_questions(
    read: QuestionsModel, questions: list[dict[str, Any]], expected: Sequence[int] | None, actor_id: str
) -> QuestionsModel:
    """Replace the list read; ``expected`` (If-Match) -> 412 when the version is not one of them,
    else a version that moved since ``read`` -> ``LostRace`` (read again and retry)."""
    saved = QuestionsModel(
        read.pk,
        QUESTIONS_SK,
        event_id=read.event_id,
        questions=questions,
        ver=int(read.ver) + 1,
        updated_at=iso(now()),
        updated_by=actor_id,
    )
    condition = _version_is(expected) if expected else _version_is([int(read.ver)])
    try:
        with transaction() as pending:
            pending.condition_check(
                EventModel, read.pk, EVENT_SK, condition=EventModel.pk.exists(), tag="event"
            )
            pending.save(saved, condition=condition, tag="questions")
            pending.save(
                audit_record(
                    actor_id,
                    "questions.updated",
                    event_id=read.event_id,
                    before={"questions": len(read.questions or []), "ver": int(read.ver)},
                    after={"questions": len(questions), "ver": int(saved.ver)},
                )
            )
    except Cancelled as cancelled:
        if cancelled.failed("event"):
            raise NotFoundError("No such event.") from cancelled
        if cancelled.failed("questions") and expected:
            raise PreconditionFailedError(STALE_MESSAGE) from cancelled
        raise LostRace from cancelled
    return saved
