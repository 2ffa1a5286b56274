"""Code use cases for an event's organizers: create (one or many random ones), change, delete,
and the CSV of codes with their uses."""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from chalicelib.domain import codes as rules
from chalicelib.domain.clock import now
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.limits import CODE_GUESSES
from chalicelib.services.exports import csv_text
from chalicelib.store import codes as store
from chalicelib.store import ratelimit
from chalicelib.store.models.codes import CodeModel
from chalicelib.store.models.events import EventModel
from chalicelib.store.tickets import list_tickets

# A random name taken already (one in 31^8 per code) is drawn again; this many times at most.
BULK_ATTEMPTS = 3


def usable_code(event_id: str, text: str, moment: datetime, guesser: str) -> tuple[rules.CodeTerms, int]:
    """The event's code ``text`` (its terms and ``terms_ver``) if an order may use it now, else
    422 ``invalid_code``. ``guesser`` (an address, an account) may try 20 codes that do not work
    per event in 10 minutes, then 429: hidden tickets' codes cannot be found by trial."""
    attempt = ratelimit.consume(CODE_GUESSES, f"{event_id}#{guesser}")
    try:
        found = store.find_code(event_id, rules.code_text(text))
    except ValueError:
        found = None
    if found is None:
        raise rules.invalid_code(rules.UNKNOWN_CODE)
    terms = rules.check_usable(store.terms_of(found), moment)
    ratelimit.give_back(attempt)
    return terms, int(found.terms_ver)


def _context(event: EventModel) -> rules.CodeContext:
    return rules.CodeContext(event.currency, frozenset(t.ticket_id for t in list_tickets(event.event_id)))


def create_code(event: EventModel, payload: Mapping[str, Any], actor_id: str) -> CodeModel:
    terms = rules.CODE_INPUT.validate(payload, _context(event))
    try:
        (made,) = store.create_codes(event.event_id, [terms], actor_id, now())
    except store.NameTaken as taken:
        raise ValidationError({"code": store.EXISTS}) from taken
    return made


def create_many(event: EventModel, payload: Mapping[str, Any], actor_id: str) -> list[CodeModel]:
    """``count`` codes named ``prefix`` + 8 random letters and digits, all with the same terms."""
    terms = rules.BULK_INPUT.validate(payload, _context(event))
    prefix, count = terms.pop("prefix"), terms.pop("count")
    made: list[CodeModel] = []
    for _ in range(BULK_ATTEMPTS):
        wanted = [{**terms, "code": rules.random_code(prefix)} for _ in range(count - len(made))]
        try:
            made += store.create_codes(event.event_id, wanted, actor_id, now())
            return made
        except store.NameTaken as taken:
            made += taken.made
    raise ValidationError({"prefix": "Could not find free codes with this prefix; try another."})


def _stored_terms(code: CodeModel) -> dict[str, Any]:
    return {
        "code": code.code,
        "ticket_ids": code.ticket_ids,
        "unlocks_hidden": bool(code.unlocks_hidden),
        "discount": code.discount,
        "max_uses": None if code.max_uses is None else int(code.max_uses),
        "valid_from": code.valid_from,
        "valid_until": code.valid_until,
    }


def update_code(event: EventModel, code: CodeModel, payload: Mapping[str, Any]) -> CodeModel:
    changes = rules.CODE_CHANGES.validate(payload)
    terms = rules.full_terms(_stored_terms(code), changes, _context(event))
    if terms["max_uses"] is not None and terms["max_uses"] < int(code.uses):
        raise ValidationError({"max_uses": store.used_already(int(code.uses))})
    return store.update_code(code, terms)


def codes_csv(event: EventModel) -> str:
    def rows(codes: Iterable[CodeModel]) -> Iterable[list[Any]]:
        for code in codes:
            discount = code.discount or {}
            yield [
                code.code,
                "yes" if code.unlocks_hidden else "no",
                f"{discount['percent']}%" if "percent" in discount else discount.get("amount", ""),
                "all" if code.ticket_ids is None else " ".join(code.ticket_ids),
                "" if code.max_uses is None else int(code.max_uses),
                int(code.uses),
                code.valid_from,
                code.valid_until,
            ]

    header = [
        "code",
        "unlocks_hidden",
        "discount",
        "tickets",
        "max_uses",
        "uses",
        "valid_from",
        "valid_until",
    ]
    return csv_text(header, rows(store.list_codes(event.event_id)))
