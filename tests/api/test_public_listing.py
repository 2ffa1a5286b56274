"""The public list of events (the landing page's cards): upcoming soonest first or past latest
first, a search over name, place and description, each card's price range, bad queries as 422."""

from datetime import UTC, datetime, timedelta

import pytest


def _at(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0).isoformat()


@pytest.fixture
def published(api, signup, make_event):
    token = signup("lister@example.com")

    def make(name: str, start_days: float, end_days: float, tickets=(), **fields) -> str:
        event = make_event(token, name=name, starts_at=_at(start_days), ends_at=_at(end_days), **fields)
        for ticket in tickets:
            created = api.post(f"/events/{event['id']}/tickets", ticket, token=token)
            assert created.status == 201, created.json
        assert api.patch(f"/events/{event['id']}", {"state": "published"}, token=token).status == 200
        return event["id"]

    return make


def names(response) -> list[str]:
    assert response.status == 200, response.json
    return [event["name"] for event in response.json]


def test_upcoming_soonest_first_then_past_latest_first(api, published):
    published("Later", 30, 31)
    published("Ended last year", -400, -399)
    published("Running now", -2, 2)
    published("Soon", 3, 4)
    published("Ended yesterday", -3, -1)

    assert names(api.get("/public/events")) == ["Running now", "Soon", "Later"]
    assert names(api.get("/public/events?when=upcoming")) == ["Running now", "Soon", "Later"]
    assert names(api.get("/public/events?when=past")) == ["Ended yesterday", "Ended last year"]


def test_search_matches_every_word_in_name_place_or_description(api, published):
    published("PyCon Berlin", 10, 11, location_name="Berlin")
    published("JSConf", 12, 13, location_name="Lisbon", description="JavaScript in the sun")
    published("Rust Days", 14, 15, location_name="berlin, Kreuzberg")

    assert names(api.get("/public/events?q=berlin")) == ["PyCon Berlin", "Rust Days"]
    assert names(api.get("/public/events?q=SUN%20lisbon")) == ["JSConf"]
    assert names(api.get("/public/events?q=berlin%20sun")) == []


def test_search_pages_keep_their_cursor(api, published):
    for day in range(4):
        published(f"Meetup {day}", 5 + day, 5.5 + day, location_name="Oslo" if day % 2 else "Bergen")

    seen, cursor = [], None
    for _ in range(5):
        page = api.get("/public/events?q=oslo&limit=1" + (f"&cursor={cursor}" if cursor else ""))
        seen += names(page)
        cursor = page.headers.get("x-next-cursor")
        if not cursor:
            break

    assert seen == ["Meetup 1", "Meetup 3"]


def test_each_card_has_the_price_range_of_its_visible_tickets(api, published):
    paid = {"type": "paid", "quantity": 10}
    published(
        "Mixed",
        5,
        6,
        [
            {"name": "Free", "type": "free", "quantity": 10},
            {**paid, "name": "Standard", "price": "49.00"},
            {**paid, "name": "Secret", "price": "999.00", "hidden": True},
        ],
    )
    published("Paid", 7, 8, [{**paid, "name": "A", "price": "29.5"}, {**paid, "name": "B", "price": "12"}])
    published("No tickets", 9, 10)

    listed = {e["name"]: (e["price_from"], e["price_to"]) for e in api.get("/public/events").json}

    assert listed == {"Mixed": ("0.00", "49.00"), "Paid": ("12.00", "29.50"), "No tickets": (None, None)}


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("when=soon", "when", "Use one of upcoming, past."),
        ("q=" + "x" * 101, "q", "Use at most 100 characters."),
        ("limit=0", "limit", "Use a whole number from 1 to 100."),
    ],
)
def test_bad_queries_are_422_with_the_field(api, query, field, message):
    response = api.get(f"/public/events?{query}")

    assert response.status == 422
    assert response.json["error"]["details"] == {field: message}


def test_a_search_reads_on_through_events_that_do_not_match_to_fill_its_page(api, published):
    """Found on a busy platform: the soonest 3 events do not match, the 4th does. The search's first
    page must list it, not answer an empty page with a cursor (the landing page then said nothing
    matched)."""
    for day in range(3):
        published(f"Other meetup {day}", 5 + day, 6 + day)
    published("Landing Summit", 20, 21)

    response = api.get("/public/events?q=landing&limit=2")

    assert names(response) == ["Landing Summit"]
