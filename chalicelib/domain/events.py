"""Rules for an event's details: names, dates in a real time zone, ISO 4217 currency, states."""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from chalicelib.domain.errors import ValidationError

DRAFT, PUBLISHED = "draft", "published"
STATES = (DRAFT, PUBLISHED)
MAX_NAME = 150
MAX_DESCRIPTION = 10_000
MAX_LOCATION = 300
FIRST_YEAR, LAST_YEAR = 2000, 2100
# The widest offsets in use (Pacific/Kiritimati +14:00, Etc/GMT+12 -12:00), as ISO 8601 practice bounds them.
MAX_UTC_OFFSET = timedelta(hours=14)
# ISO 4217 currencies in circulation.
CURRENCIES = frozenset(
    [
        "AED",
        "AFN",
        "ALL",
        "AMD",
        "ANG",
        "AOA",
        "ARS",
        "AUD",
        "AWG",
        "AZN",
        "BAM",
        "BBD",
        "BDT",
        "BGN",
        "BHD",
        "BIF",
        "BMD",
        "BND",
        "BOB",
        "BRL",
        "BSD",
        "BTN",
        "BWP",
        "BYN",
        "BZD",
        "CAD",
        "CDF",
        "CHF",
        "CLP",
        "CNY",
        "COP",
        "CRC",
        "CUP",
        "CVE",
        "CZK",
        "DJF",
        "DKK",
        "DOP",
        "DZD",
        "EGP",
        "ERN",
        "ETB",
        "EUR",
        "FJD",
        "FKP",
        "GBP",
        "GEL",
        "GHS",
        "GIP",
        "GMD",
        "GNF",
        "GTQ",
        "GYD",
        "HKD",
        "HNL",
        "HTG",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "IQD",
        "IRR",
        "ISK",
        "JMD",
        "JOD",
        "JPY",
        "KES",
        "KGS",
        "KHR",
        "KMF",
        "KPW",
        "KRW",
        "KWD",
        "KYD",
        "KZT",
        "LAK",
        "LBP",
        "LKR",
        "LRD",
        "LSL",
        "LYD",
        "MAD",
        "MDL",
        "MGA",
        "MKD",
        "MMK",
        "MNT",
        "MOP",
        "MRU",
        "MUR",
        "MVR",
        "MWK",
        "MXN",
        "MYR",
        "MZN",
        "NAD",
        "NGN",
        "NIO",
        "NOK",
        "NPR",
        "NZD",
        "OMR",
        "PAB",
        "PEN",
        "PGK",
        "PHP",
        "PKR",
        "PLN",
        "PYG",
        "QAR",
        "RON",
        "RSD",
        "RUB",
        "RWF",
        "SAR",
        "SBD",
        "SCR",
        "SDG",
        "SEK",
        "SGD",
        "SHP",
        "SLE",
        "SOS",
        "SRD",
        "SSP",
        "STN",
        "SVC",
        "SYP",
        "SZL",
        "THB",
        "TJS",
        "TMT",
        "TND",
        "TOP",
        "TRY",
        "TTD",
        "TWD",
        "TZS",
        "UAH",
        "UGX",
        "USD",
        "UYU",
        "UZS",
        "VES",
        "VND",
        "VUV",
        "WST",
        "XAF",
        "XCD",
        "XOF",
        "XPF",
        "YER",
        "ZAR",
        "ZMW",
        "ZWL",
    ]
)
EDITABLE_FIELDS = (
    "name",
    "description",
    "location_name",
    "starts_at",
    "ends_at",
    "timezone",
    "currency",
    "state",
)


def parse_instant(value: Any, field: str, errors: dict[str, str]) -> datetime | None:
    """An ISO 8601 time with an offset (naive times are ambiguous across time zones), in the years
    FIRST_YEAR..LAST_YEAR, offset in whole minutes within MAX_UTC_OFFSET."""
    if not isinstance(value, str) or not value:
        errors[field] = "Give a date and time in ISO 8601 with an offset, e.g. 2026-05-01T09:00:00+02:00."
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        errors[field] = "Not an ISO 8601 date and time."
        return None
    offset = moment.utcoffset()
    if offset is None:
        errors[field] = "Include the UTC offset, e.g. +02:00."
        return None
    if abs(offset) > MAX_UTC_OFFSET or offset % timedelta(minutes=1):
        errors[field] = "Use a UTC offset in whole minutes from -14:00 to +14:00."
        return None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        errors[field] = f"Use a date in the years {FIRST_YEAR} to {LAST_YEAR}."
        return None
    return moment


def _valid_timezone(name: Any) -> bool:
    if not isinstance(name, str) or name not in available_timezones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def validate_event(payload: dict[str, Any], current: dict[str, Any] | None = None) -> dict[str, Any]:
    """Validate a create (``current`` None) or a partial update merged over ``current``.

    Returns the cleaned fields that were given.
    """
    unknown = [key for key in payload if key not in EDITABLE_FIELDS]
    errors: dict[str, str] = {key: "Unknown field." for key in unknown}
    merged = {**(current or {}), **{k: v for k, v in payload.items() if k in EDITABLE_FIELDS}}
    if current is None:
        merged.setdefault("currency", "USD")
        merged.setdefault("description", "")
        merged.setdefault("location_name", "")
        merged.setdefault("state", "draft")
    clean: dict[str, Any] = {}

    name = merged.get("name")
    if not isinstance(name, str) or not name.strip():
        errors["name"] = "A name is required."
    elif len(name.strip()) > MAX_NAME:
        errors["name"] = f"Use at most {MAX_NAME} characters."
    else:
        clean["name"] = name.strip()

    for field, limit in (("description", MAX_DESCRIPTION), ("location_name", MAX_LOCATION)):
        value = merged.get(field)
        if value is None:
            clean[field] = ""
        elif not isinstance(value, str):
            errors[field] = "Give text."
        elif len(value) > limit:
            errors[field] = f"Use at most {limit} characters."
        else:
            clean[field] = value.strip()

    starts = parse_instant(merged.get("starts_at"), "starts_at", errors)
    ends = parse_instant(merged.get("ends_at"), "ends_at", errors)
    if starts and ends:
        if ends <= starts:
            errors["ends_at"] = "The event must end after it starts."
        clean["starts_at"] = starts.isoformat()
        clean["ends_at"] = ends.isoformat()

    if not _valid_timezone(merged.get("timezone")):
        errors["timezone"] = "Use an IANA time zone such as Europe/Berlin."
    else:
        clean["timezone"] = merged["timezone"]

    currency = merged.get("currency")
    if not isinstance(currency, str) or currency.upper() not in CURRENCIES:
        errors["currency"] = "Use an ISO 4217 currency code such as USD or EUR."
    else:
        clean["currency"] = currency.upper()

    if merged.get("state") not in STATES:
        errors["state"] = f"Use one of {', '.join(STATES)}."
    else:
        clean["state"] = merged["state"]

    if errors:
        raise ValidationError(errors)
    return {key: clean[key] for key in clean if current is None or key in payload}
