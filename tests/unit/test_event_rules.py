"""Pure rules of events and accounts (no AWS)."""

import pytest

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.events import validate_event
from chalicelib.domain.users import PasswordHashing, normalize_email, validate_signup

VALID = {
    "name": "  PyCon  ",
    "starts_at": "2027-05-01T09:00:00+02:00",
    "ends_at": "2027-05-01T18:00:00+02:00",
    "timezone": "Europe/Berlin",
}


def test_a_new_event_gets_defaults_and_clean_values():
    assert validate_event(VALID) == {
        "name": "PyCon",
        "description": "",
        "location_name": "",
        "starts_at": "2027-05-01T09:00:00+02:00",
        "ends_at": "2027-05-01T18:00:00+02:00",
        "timezone": "Europe/Berlin",
        "currency": "USD",
        "state": "draft",
        "payment_provider": "manual",
        "refund_deadline": None,
        "waiting_room": {"enabled": False, "admit_per_minute": 100},
    }


def test_currency_is_upper_cased():
    assert validate_event({**VALID, "currency": "eur"})["currency"] == "EUR"


def test_an_update_returns_only_the_given_fields_but_checks_them_against_the_rest():
    current = validate_event(VALID)
    assert validate_event({"name": "Renamed"}, current) == {"name": "Renamed"}
    with pytest.raises(ValidationError) as refused:
        validate_event({"ends_at": "2027-05-01T08:00:00+02:00"}, current)
    assert set(refused.value.details) == {"ends_at"}


def test_offsets_are_compared_as_instants():
    # 10:00+02:00 is 08:00 UTC, before 09:00+00:00: a valid order despite the smaller wall time.
    assert validate_event(
        {**VALID, "starts_at": "2027-05-01T10:00:00+02:00", "ends_at": "2027-05-01T09:00:00+00:00"}
    )


@pytest.mark.parametrize(
    ("starts_at", "message"),
    [
        ("0001-01-01T09:00:00+00:00", "Use a date in the years 2000 to 2100."),
        ("1999-12-31T23:59:00+00:00", "Use a date in the years 2000 to 2100."),
        ("2101-01-01T00:00:00+00:00", "Use a date in the years 2000 to 2100."),
        ("2027-05-01T09:00:00+23:59", "Use a UTC offset in whole minutes from -14:00 to +14:00."),
        ("2027-05-01T09:00:00+14:01", "Use a UTC offset in whole minutes from -14:00 to +14:00."),
        ("2027-05-01T09:00:00-14:30", "Use a UTC offset in whole minutes from -14:00 to +14:00."),
        ("2027-05-01T09:00:00+02:00:30", "Use a UTC offset in whole minutes from -14:00 to +14:00."),
    ],
)
def test_times_are_bounded_to_real_years_and_offsets(starts_at, message):
    with pytest.raises(ValidationError) as refused:
        validate_event({**VALID, "starts_at": starts_at, "ends_at": "2100-12-31T23:59:00-14:00"})
    assert refused.value.details == {"starts_at": message}


def test_the_bounds_themselves_are_accepted():
    widest = {**VALID, "starts_at": "2000-01-01T00:00:00+14:00", "ends_at": "2100-12-31T23:59:59-14:00"}
    assert validate_event(widest)["starts_at"] == "2000-01-01T00:00:00+14:00"
    assert validate_event({**VALID, "starts_at": "2027-05-01T09:00:00+05:45"})


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"name": None}, {"name"}),
        ({"description": 5}, {"description"}),
        ({"description": "x" * 10_001}, {"description"}),
        ({"location_name": "x" * 301}, {"location_name"}),
        ({"starts_at": "2027-13-01T09:00:00+02:00"}, {"starts_at"}),
        ({"timezone": "Europe/Atlantis"}, {"timezone"}),
        ({"timezone": "../../etc/passwd"}, {"timezone"}),
        ({"currency": "usd1"}, {"currency"}),
        ({"state": "live"}, {"state"}),
        ({"owner": "me"}, {"owner"}),
    ],
)
def test_each_rule_names_its_field(change, fields):
    with pytest.raises(ValidationError) as refused:
        validate_event({**VALID, **change})
    assert set(refused.value.details) == fields


def test_emails_compare_case_insensitively():
    assert normalize_email("  Ada@Example.COM ") == "ada@example.com"
    assert validate_signup({"email": "Ada@Example.com", "password": "12345678", "name": " Ada "}) == (
        "ada@example.com",
        "12345678",
        "Ada",
    )


def test_password_hashing_is_salted_and_verifies():
    hashing = PasswordHashing(time_cost=1, memory_kib=1024)
    first, second = hashing.hash("secret words"), hashing.hash("secret words")
    assert first != second and first.startswith("$argon2id$")
    assert hashing.verify(first, "secret words")
    assert not hashing.verify(first, "other words")
    assert not hashing.verify("not a hash", "secret words")
