"""Checkout questions: what an event asks of each attendee when a seat is ordered, and the rules
their answers meet (at order time and when the buyer edits an attendee).

A question is ``{id, label, kind, options, required, ticket_ids}``: ``kind`` is ``text`` (a string),
``choice`` (one of ``options``), ``multiple`` (some of ``options``) or ``checkbox`` (true / false; a
required one must be ticked); ``ticket_ids`` null asks it for every ticket. Ids are made by the
server and kept when a question is sent back with its id. A question naming a ticket that was
deleted meanwhile is harmless: no seat of that ticket can be ordered. Pure: no boto3, no
PynamoDB, no HTTP.
"""

import json
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.fields import (
    INVALID,
    Choice,
    Clearable,
    Errors,
    Field,
    Flag,
    Matching,
    Schema,
    Text,
    or_null,
)
from chalicelib.domain.objects import ListOf, Object, Rule, field_of, sent
from chalicelib.domain.users import email_field

TEXT, CHOICE, MULTIPLE, CHECKBOX = "text", "choice", "multiple", "checkbox"
KINDS = (TEXT, CHOICE, MULTIPLE, CHECKBOX)
WITH_OPTIONS = (CHOICE, MULTIPLE)
MAX_QUESTIONS = 50
MAX_LABEL = 200
MIN_OPTIONS, MAX_OPTIONS = 2, 50
MAX_OPTION = 100
MAX_TICKETS_PER_QUESTION = 100
MAX_TEXT_ANSWER = 1000
MAX_NAME = 200
MAX_EMAIL = 254
# An order line's record carries its attendees, and an item holds at most 400 KB: what all the
# attendees of one order say is capped well below (their names, e-mails and answers as JSON).
# Each seat becomes an attendee (with its ticket and code) when the order completes: an order
# holds at most this many seats, whatever it says of them (chalicelib.domain.orders.MAX_SEATS).
MAX_ORDER_ATTENDEES = 500
MAX_ATTENDEE_BYTES = 300_000
# The questions item too (50 questions of 50 options of 100 characters may take 4 bytes each).
MAX_QUESTIONS_BYTES = 300_000
# A buyer who left 500 seats blank learns about the first ones; the rest follow once fixed.
MAX_REPORTED = 100
_ID = re.compile(r"^[0-9a-f]{32}$")


def _json_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def _kind_takes_options(values: dict[str, Any], report: Any, _context: Any) -> None:
    count = len(values["options"])
    if values["kind"] in WITH_OPTIONS and not MIN_OPTIONS <= count <= MAX_OPTIONS:
        report("options", f"Give {MIN_OPTIONS} to {MAX_OPTIONS} different options.")
    elif values["kind"] not in WITH_OPTIONS and count:
        report("options", "Only choice and multiple questions take options.")


class _OrNull(Field):
    """A value or null, kept as null (a ListOf's ``nullable`` makes null an empty list)."""

    def __init__(self, inner: Field, **options: Any) -> None:
        super().__init__(**options)
        self.inner = inner

    def check(self, value: Any, path: str, errors: Errors) -> Any:
        return None if value is None else self.inner.check(value, path, errors)

    def base_schema(self) -> Schema:
        return or_null(self.inner.schema(), True)


_OPTION = Text(MAX_OPTION, required="Give the option's text.", message="Give the option's text.")
_TICKET_ID = Matching("Give a ticket's id.", min_len=1, max_len=64)

QUESTION_INPUT = Object(
    {
        "id": Matching(
            "Give the id of one of the event's questions, or leave it out for a new one.",
            pattern=_ID.pattern,
            description="Leave out for a new question; send it back to keep the question's answers",
        ),
        "label": Text(MAX_LABEL, required="Give the question's text."),
        "kind": Choice(KINDS),
        "options": ListOf(
            _OPTION,
            max_items=MAX_OPTIONS,
            nullable=True,
            message="Give a list of options.",
            too_many=f"Give {MIN_OPTIONS} to {MAX_OPTIONS} different options.",
            duplicate="This option is listed twice.",
            identity=str.casefold,
        ),
        "required": Flag(),
        "ticket_ids": _OrNull(
            ListOf(
                _TICKET_ID,
                min_items=1,
                max_items=MAX_TICKETS_PER_QUESTION,
                message="Give a list of ticket ids, or null to ask this for every ticket.",
                duplicate="This ticket is listed twice.",
            )
        ),
    },
    required=("label", "kind"),
    defaults={"options": None, "required": False, "ticket_ids": None},
    rules=(Rule(("kind", "options"), _kind_takes_options),),
    message="Give an object {label, kind, options?, required?, ticket_ids?}.",
)
QUESTIONS_INPUT = Object(
    {
        "questions": ListOf(
            QUESTION_INPUT,
            max_items=MAX_QUESTIONS,
            message="Give a list of questions.",
            too_many=f"An event asks at most {MAX_QUESTIONS} questions.",
            duplicate="This id is listed twice.",
            identity=field_of("id"),
            duplicate_at="id",
        )
    },
    required=("questions",),
    unknown=lambda key: "Unknown field; send only questions.",
    examples=[
        {
            "questions": [
                {"label": "T-shirt size", "kind": "choice", "options": ["S", "M", "L"], "required": True},
                {"label": "Dietary needs", "kind": "text", "required": False},
            ]
        }
    ],
)

QUESTION = sent(
    "Question",
    {
        "id": Text(min_len=1),
        "label": Text(),
        "kind": Choice(KINDS),
        "options": ListOf(Text()),
        "required": Flag(),
        "ticket_ids": ListOf(Text(), nullable=True, description="null: asked for every ticket"),
    },
)
QUESTIONS = sent("Questions", {"questions": ListOf(QUESTION)})


def plan_questions(
    payload: Mapping[str, Any], stored: Sequence[Mapping[str, Any]], ticket_ids: Iterable[str]
) -> list[dict[str, Any]]:
    """The event's new question list from the organizer's: sent ids kept (they must be the
    event's), new questions given ids, ticket ids checked against the event's tickets."""
    errors: Errors = {}
    clean = QUESTIONS_INPUT.check(payload, "", errors)
    known = {question["id"] for question in stored}
    tickets = set(ticket_ids)
    planned: list[dict[str, Any]] = []
    for index, question in enumerate(clean.get("questions", [])):
        where = f"questions[{index}]"
        if "id" in question and question["id"] not in known:
            errors[f"{where}.id"] = "No such question in this event; leave id out for a new one."
        for position, ticket_id in enumerate(question.get("ticket_ids") or []):
            if ticket_id not in tickets:
                errors[f"{where}.ticket_ids[{position}]"] = "No such ticket in this event."
        planned.append(
            {
                "id": question.get("id") or uuid.uuid4().hex,
                "label": question.get("label"),
                "kind": question.get("kind"),
                "options": list(question.get("options") or []),
                "required": question.get("required", False),
                "ticket_ids": question.get("ticket_ids"),
            }
        )
    if not errors and _json_size(planned) > MAX_QUESTIONS_BYTES:
        errors["questions"] = (
            f"These questions take more than {MAX_QUESTIONS_BYTES // 1000} KB; use shorter texts."
        )
    if errors:
        raise ValidationError(errors)
    return planned


def asked_for(questions: Iterable[Mapping[str, Any]], ticket_id: str) -> list[Mapping[str, Any]]:
    """The questions a seat of this ticket is asked, in the event's order."""
    return [q for q in questions if q.get("ticket_ids") is None or ticket_id in q["ticket_ids"]]


def _value(question: Mapping[str, Any], value: Any) -> tuple[Any, str | None]:
    """(the clean answer or None for no answer, the problem or None)."""
    kind, options = question["kind"], question.get("options") or []
    if kind == TEXT:
        if not isinstance(value, str):
            return None, "Give text."
        text = value.strip()
        if len(text) > MAX_TEXT_ANSWER:
            return None, f"Use at most {MAX_TEXT_ANSWER} characters."
        return text or None, None
    if kind == CHOICE:
        if value in ("", None):
            return None, None
        if value not in options:
            return None, "Choose one of the options."
        return value, None
    if kind == MULTIPLE:
        if not isinstance(value, list) or any(choice not in options for choice in value):
            return None, "Choose among the options."
        if len(set(value)) != len(value):
            return None, "An option is chosen twice."
        return ([o for o in options if o in value] or None), None
    if not isinstance(value, bool):
        return None, "Give true or false."
    return value, None


def missing(question: Mapping[str, Any]) -> str:
    if question["kind"] == CHECKBOX:
        return "Tick this box to continue."
    if question["kind"] == MULTIPLE:
        return "Choose at least one option."
    if question["kind"] == CHOICE:
        return "Choose an option."
    return "Answer this question."


def check_answers(
    questions: Sequence[Mapping[str, Any]],
    ticket_id: str,
    answers: Mapping[str, Any],
    where: str,
    errors: Errors,
) -> dict[str, Any]:
    """One seat's answers, cleaned (unanswered optional questions left out); problems go to
    ``errors`` at ``<where>.<question_id>``."""
    asked = {q["id"]: q for q in asked_for(questions, ticket_id)}
    clean: dict[str, Any] = {}
    for question_id, value in answers.items():
        question = asked.get(question_id)
        if question is None:
            _report(errors, f"{where}.{question_id}", "No such question for this ticket.")
            continue
        answer, problem = _value(question, value)
        if problem:
            _report(errors, f"{where}.{question_id}", problem)
        elif answer is not None:
            clean[question_id] = answer
    for question_id, question in asked.items():
        answered = clean.get(question_id) not in (None, False)
        if question["required"] and not answered and f"{where}.{question_id}" not in errors:
            _report(errors, f"{where}.{question_id}", missing(question))
    return clean


def _report(errors: Errors, path: str, message: str) -> None:
    if len(errors) < MAX_REPORTED:
        errors[path] = message


def check_line_attendees(
    questions: Sequence[Mapping[str, Any]],
    ticket_id: str,
    quantity: int,
    attendees: Sequence[Mapping[str, Any]],
    where: str,
    errors: Errors,
) -> list[dict[str, Any]]:
    """An order line's attendees (at most one per seat), cleaned: each seat of a ticket that
    required questions apply to needs its entry with those answers."""
    if len(attendees) > quantity:
        errors[f"{where}.attendees"] = f"Give at most {quantity} attendees, one per seat of this line."
        return []
    clean = []
    for seat, person in enumerate(attendees):
        answers = check_answers(
            questions, ticket_id, person.get("answers") or {}, f"{where}.attendees[{seat}].answers", errors
        )
        clean.append(
            {"name": person.get("name") or "", "email": person.get("email") or "", "answers": answers}
        )
    required = [q for q in asked_for(questions, ticket_id) if q["required"]]
    if required and quantity > MAX_ORDER_ATTENDEES:
        errors[f"{where}.quantity"] = (
            f"Order at most {MAX_ORDER_ATTENDEES} of this ticket at a time: "
            "each seat's attendee is asked questions."
        )
        return clean
    for seat in range(len(attendees), quantity if required else 0):
        if len(errors) >= MAX_REPORTED:
            break
        for question in required:
            _report(errors, f"{where}.attendees[{seat}].answers.{question['id']}", missing(question))
    return clean


def check_order_size(attendees: Sequence[Sequence[Mapping[str, Any]]], errors: Errors) -> None:
    """What one order's attendees may hold in all (its item's 400 KB limit)."""
    count = sum(len(line) for line in attendees)
    if count > MAX_ORDER_ATTENDEES:
        errors["items"] = (
            f"An order names at most {MAX_ORDER_ATTENDEES} attendees; order fewer seats at a time."
        )
    elif _json_size(attendees) > MAX_ATTENDEE_BYTES:
        errors["items"] = (
            f"The attendees' details take more than {MAX_ATTENDEE_BYTES // 1000} KB; "
            "order fewer seats at a time."
        )


class Answers(Field):
    """``{question_id: value}`` as a client sends it: the shape here, the questions' rules in
    ``check_answers`` (they need the event's questions)."""

    _SCALAR: Schema = {
        "anyOf": [
            {"type": "string", "maxLength": MAX_TEXT_ANSWER * 2},
            {"type": "boolean"},
            {
                "type": "array",
                "maxItems": MAX_OPTIONS,
                "items": {"type": "string", "maxLength": MAX_OPTION * 2},
            },
        ]
    }

    def check(self, value: Any, path: str, errors: Errors) -> Any:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            errors[path] = "Give an object {question_id: answer}."
            return INVALID
        if len(value) > MAX_QUESTIONS:
            errors[path] = f"Give at most {MAX_QUESTIONS} answers."
            return INVALID
        clean: dict[str, Any] = {}
        for key, answer in value.items():
            if not _ID.fullmatch(key):
                errors[f"{path}.{key[:40]}"] = "No such question for this ticket."
            elif not _plausible(answer):
                errors[f"{path}.{key}"] = "Give text, true or false, or a list of options."
            else:
                clean[key] = answer
        return clean

    def base_schema(self) -> Schema:
        return {
            "type": "object",
            "maxProperties": MAX_QUESTIONS,
            "propertyNames": {"pattern": _ID.pattern},
            "additionalProperties": Answers._SCALAR,
        }


def _plausible(answer: Any) -> bool:
    if isinstance(answer, bool):
        return True
    if isinstance(answer, str):
        return len(answer) <= MAX_TEXT_ANSWER * 2
    return (
        isinstance(answer, list)
        and len(answer) <= MAX_OPTIONS
        and all(isinstance(item, str) and len(item) <= MAX_OPTION * 2 for item in answer)
    )


ATTENDEE_INPUT = Object(
    {
        "name": Text(MAX_NAME, nullable=True),
        "email": Clearable(email_field(MAX_EMAIL)),
        "answers": Answers(description="{question_id: answer}: text, true / false, or a list of options"),
    },
    message="Give an object {name?, email?, answers?}.",
    unknown=lambda key: "Unknown field; send name, email and answers.",
)
