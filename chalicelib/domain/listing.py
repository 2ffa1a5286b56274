"""The public list of events: which are upcoming or past, what a search matches, and the price
range a card shows ("from EUR 29.00", "Free"). Pure."""

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.events import PUBLIC_EVENT_SUMMARY
from chalicelib.domain.fields import Choice, Field, Text

UPCOMING, PAST = "upcoming", "past"
MAX_QUERY = 100
# The listing index is sorted by start: an event that started up to this long ago and has not ended
# is still upcoming (one that runs longer is listed under past once it is this old).
RUNNING_WINDOW = timedelta(days=31)

LISTING_QUERY: dict[str, Field] = {
    "when": Choice(
        (UPCOMING, PAST), description="upcoming (default: not ended, soonest first) or past (latest first)"
    ),
    "q": Text(MAX_QUERY, description="Only events whose name, place or description contain these words"),
}
PUBLIC_EVENT_LISTING = PUBLIC_EVENT_SUMMARY.extended(
    "PublicEventListing",
    {
        "price_from": Text(
            nullable=True, null_value=None, description="The lowest price of its visible tickets"
        ),
        "price_to": Text(
            nullable=True, null_value=None, description="The highest; both null without tickets"
        ),
    },
)


def parse_listing_query(when: str | None, q: str | None) -> tuple[str, list[str]]:
    """``?when=&q=`` -> (upcoming | past, the search's words casefolded); 422 with the field."""
    errors: dict[str, str] = {}
    chosen = UPCOMING if when is None else LISTING_QUERY["when"].check(when, "when", errors)
    text = "" if q is None else LISTING_QUERY["q"].check(q, "q", errors)
    if errors:
        raise ValidationError(errors)
    return chosen, text.casefold().split()


def in_listing(ends_at: str, when: str, moment: datetime) -> bool:
    ended = datetime.fromisoformat(ends_at) <= moment
    return ended if when == PAST else not ended


def matches(words: list[str], *texts: str) -> bool:
    """Every word of the search appears in one of ``texts`` (ignoring case)."""
    haystack = " ".join(texts).casefold()
    return all(word in haystack for word in words)


def price_range(prices: Iterable[Decimal]) -> dict[str, Any]:
    found = sorted(prices)
    if not found:
        return {"price_from": None, "price_to": None}
    return {"price_from": format(found[0], "f"), "price_to": format(found[-1], "f")}
