"""An event's checkout questions as organizers and buyers see them."""

from typing import Any

from chalicelib.domain.questions import QUESTIONS
from chalicelib.store.models.questions import QuestionsModel


def questions_view(stored: QuestionsModel) -> dict[str, Any]:
    return QUESTIONS.dump({"questions": list(stored.questions or [])})
