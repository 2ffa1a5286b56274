"""An event's definition: the field table its create and update bodies are checked against (and
documented from), the rule that it ends after it starts, and what the API sends back."""

from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.fields import Choice, Field, Integer, Matching, Parsed, Schemaless, Text
from chalicelib.domain.objects import Object, Report, Rule
from chalicelib.domain.payments import DEFAULT_PROVIDER, PROVIDER_NAMES
from chalicelib.domain.permissions import ALLOWED, EVENT_ROLES
from chalicelib.domain.waiting_room import SETTINGS as WAITING_ROOM
from chalicelib.domain.waiting_room import off as waiting_room_off

DRAFT, PUBLISHED = "draft", "published"
STATES = (DRAFT, PUBLISHED)
MAX_NAME = 150
MAX_DESCRIPTION = 10_000
MAX_LOCATION = 300
FIRST_YEAR, LAST_YEAR = 2000, 2100
# The widest offsets in use (Pacific/Kiritimati +14:00, Etc/GMT+12 -12:00), as ISO 8601 practice bounds them.
MAX_UTC_OFFSET = timedelta(hours=14)
# ISO 4217 currencies in circulation.
_ISO_4217 = """
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN
BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS
GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW
KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD
NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD
SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES
VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL
"""
CURRENCIES = frozenset(_ISO_4217.split())
# The event item's version counters: each one is bumped by a write to what it names, and the
# ETag of a representation is made of the counters it depends on.
VERSION_COUNTERS = (
    "event_ver",
    "tickets_ver",
    "tracks_ver",
    "sessions_ver",
    "speakers_ver",
    "sponsors_ver",
    "microlocations_ver",
)


def instant(value: Any) -> datetime:
    """An ISO 8601 time with an offset (naive times are ambiguous across time zones), in the years
    FIRST_YEAR..LAST_YEAR, offset in whole minutes within MAX_UTC_OFFSET; ValueError says why not."""
    if not isinstance(value, str) or not value:
        raise ValueError("Give a date and time in ISO 8601 with an offset, e.g. 2026-05-01T09:00:00+02:00.")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("Not an ISO 8601 date and time.") from None
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError("Include the UTC offset, e.g. +02:00.")
    if abs(offset) > MAX_UTC_OFFSET or offset % timedelta(minutes=1):
        raise ValueError("Use a UTC offset in whole minutes from -14:00 to +14:00.")
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise ValueError(f"Use a date in the years {FIRST_YEAR} to {LAST_YEAR}.")
    return moment


INSTANT = Text(fmt="date-time", description="ISO 8601 with offset")
MAYBE_INSTANT = Text(fmt="date-time", nullable=True, null_value=None)
ID = Text(min_len=1)


def instant_field(nullable: bool = False) -> Parsed:
    """A time a client sends, stored and sent back as its ISO 8601 text."""
    return Parsed(
        lambda value: instant(value).isoformat(),
        {
            "type": "string",
            "format": "date-time",
            "description": f"ISO 8601 with a UTC offset in whole minutes within ±14:00, in the years "
            f"{FIRST_YEAR} to {LAST_YEAR}",
        },
        nullable=nullable,
        stored=MAYBE_INSTANT if nullable else INSTANT,
    )


def _valid_timezone(name: str) -> bool:
    # zoneinfo is imported by the first check of a zone, not by every cold start.
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

    if name not in available_timezones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _ends_after_start(values: dict[str, Any], report: Report, context: Any) -> None:
    if datetime.fromisoformat(values["ends_at"]) <= datetime.fromisoformat(values["starts_at"]):
        report("ends_at", "The event must end after it starts.")


# What an organizer sets: POST /events checks it whole, PATCH the fields it sends (then the rules
# again over the stored event).
EVENT_INPUT = Object(
    {
        "name": Text(MAX_NAME, required="A name is required.", message="A name is required."),
        "description": Text(MAX_DESCRIPTION, nullable=True, measure_stripped=False),
        "location_name": Text(MAX_LOCATION, nullable=True, measure_stripped=False),
        "starts_at": instant_field(),
        "ends_at": instant_field(),
        "timezone": Matching(
            "Use an IANA time zone such as Europe/Berlin.",
            accepts=_valid_timezone,
            description="IANA time zone, e.g. Europe/Berlin",
            stored=Text(),
        ),
        "currency": Matching(
            "Use an ISO 4217 currency code such as USD or EUR.",
            pattern="^[A-Za-z]{3}$",
            accepts=lambda code: code.upper() in CURRENCIES,
            clean=str.upper,
            description="ISO 4217",
            stored=Text(pattern="^[A-Z]{3}$"),
        ),
        "state": Choice(STATES),
        "payment_provider": Choice(
            PROVIDER_NAMES,
            description="How buyers pay: manual (the organizer marks orders paid) or stripe (card "
            "checkout; only while the platform has a Stripe key)",
        ),
        "refund_deadline": instant_field(nullable=True),
        "waiting_room": WAITING_ROOM,
    },
    required=("name", "starts_at", "ends_at", "timezone"),
    defaults={
        "description": "",
        "location_name": "",
        "currency": "USD",
        "state": DRAFT,
        "payment_provider": DEFAULT_PROVIDER,
        "refund_deadline": None,
        "waiting_room": lambda _clean: waiting_room_off(),
    },
    rules=(Rule(("starts_at", "ends_at"), _ends_after_start),),
    examples=[
        {
            "name": "PyCon",
            "starts_at": "2027-05-01T09:00:00+02:00",
            "ends_at": "2027-05-03T18:00:00+02:00",
            "timezone": "Europe/Berlin",
            "currency": "EUR",
        }
    ],
)
EVENT_CHANGES = EVENT_INPUT.partial(examples=[{"state": "published"}, {"name": "PyCon 2027"}])

# What the API sends back: the input table as stored, and what the server sets.
_SERVER_FIELDS: dict[str, Field] = {
    "background_url": Text(nullable=True, null_value=None),
    "background_variants": Schemaless({"type": ["object", "null"]}),
    "created_by": ID,
    "created_at": INSTANT,
}
EVENT = EVENT_INPUT.response("Event", {"id": Text(min_len=1, source="event_id")}, after=_SERVER_FIELDS)
MY_EVENT = EVENT.extended("MyEvent", {"role": Choice(EVENT_ROLES)})
MEMBER_EVENT = EVENT.extended("MemberEvent", {"allowed": ALLOWED})
# Who created an event is not public.
PUBLIC_EVENT_SUMMARY = EVENT.extended("PublicEventSummary", drop=("created_by",))
VERSIONS = Object(
    {counter: Integer(minimum=0) for counter in VERSION_COUNTERS},
    title="Versions",
    required=VERSION_COUNTERS,
    additional=True,
)


def validate_event(payload: dict[str, Any], current: dict[str, Any] | None = None) -> dict[str, Any]:
    """The clean fields of a create (``current`` None), or of a change: the whole table checked
    over ``current``, the fields that were sent returned."""
    if current is None:
        return EVENT_INPUT.validate(payload)
    stored = {key: value for key, value in current.items() if key in EVENT_INPUT.fields}
    clean = EVENT_INPUT.validate({**stored, **payload})
    return {key: value for key, value in clean.items() if key in payload}
