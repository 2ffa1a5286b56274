"""Validation of the five services, session references, and unlinking."""

import pytest

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.services import references, session_order, unlink, uses, validate_service

WINDOW = ("2027-05-01T09:00:00+02:00", "2027-05-03T18:00:00+02:00")
SESSION = {
    "title": "Keynote",
    "starts_at": "2027-05-01T10:00:00+02:00",
    "ends_at": "2027-05-01T11:00:00+02:00",
}


def _errors(service, payload, current=None, window=WINDOW):
    with pytest.raises(ValidationError) as caught:
        validate_service(service, payload, current, window)
    return caught.value.details


def test_a_minimal_item_of_each_service_gets_its_defaults():
    assert validate_service("track", {"name": " Main "}) == {
        "name": "Main",
        "description": "",
        "color": None,
        "location": "",
    }
    assert validate_service("session", SESSION, event_window=WINDOW) == {
        "title": "Keynote",
        "subtitle": "",
        "abstract": "",
        "starts_at": "2027-05-01T10:00:00+02:00",
        "ends_at": "2027-05-01T11:00:00+02:00",
        "track_id": None,
        "microlocation_id": None,
        "speaker_ids": [],
        "state": "pending",
    }
    assert (
        validate_service("speaker", {"name": "Ada", "email": " Ada@Example.com "})["email"]
        == "ada@example.com"
    )
    assert validate_service("sponsor", {"name": "ACME", "url": "https://acme.example"})["url"] == (
        "https://acme.example"
    )
    assert validate_service("microlocation", {"name": "Hall", "floor": 2.0, "latitude": 52.5})["floor"] == 2


@pytest.mark.parametrize("service", ["track", "speaker", "sponsor", "microlocation"])
def test_name_is_required_and_bounded(service):
    assert "name" in _errors(service, {})
    assert "name" in _errors(service, {"name": "   "})
    assert "name" in _errors(service, {"name": "x" * 151})
    assert "name" in _errors(service, {"name": 42})


def test_every_bad_field_is_reported_at_once():
    details = _errors(
        "microlocation",
        {"name": "", "floor": 1.5, "room": ["a"], "latitude": 91, "longitude": float("nan"), "colour": "red"},
    )
    assert set(details) == {"name", "floor", "room", "latitude", "longitude", "colour"}
    assert details["colour"] == "Unknown field."


@pytest.mark.parametrize(
    ("service", "payload", "field"),
    [
        ("track", {"name": "T", "color": "red"}, "color"),
        ("track", {"name": "T", "color": "#12345"}, "color"),
        ("track", {"name": "T", "description": "x" * 10_001}, "description"),
        ("speaker", {"name": "S", "email": "nope"}, "email"),
        ("speaker", {"name": "S", "photo_url": "javascript:alert(1)"}, "photo_url"),
        ("sponsor", {"name": "S", "logo_url": "ftp://logo"}, "logo_url"),
        ("sponsor", {"name": "S", "url": 'https://acme.example/"onmouseover="x'}, "url"),
        ("speaker", {"name": "S", "photo_url": "https://acme.example/a\x00b"}, "photo_url"),
        ("speaker", {"name": "S", "photo_url": "https://acme.example/<script>"}, "photo_url"),
        ("sponsor", {"name": "S", "level": 3}, "level"),
        ("microlocation", {"name": "M", "latitude": True}, "latitude"),
        ("microlocation", {"name": "M", "longitude": "12"}, "longitude"),
        ("microlocation", {"name": "M", "longitude": float("inf")}, "longitude"),
    ],
)
def test_field_rules(service, payload, field):
    assert field in _errors(service, payload)


def test_addresses_may_have_non_ascii_letters():
    assert validate_service("sponsor", {"name": "S", "url": "https://münchen.example/ä"})["url"] == (
        "https://münchen.example/ä"
    )


def test_session_times_must_be_ordered_and_inside_the_event():
    assert "ends_at" in _errors("session", {**SESSION, "ends_at": SESSION["starts_at"]})
    assert "starts_at" in _errors("session", {**SESSION, "starts_at": "2027-05-01T10:00:00"})
    assert "starts_at" in _errors("session", {**SESSION, "starts_at": "2027-05-01T08:59:00+02:00"})
    assert "ends_at" in _errors("session", {**SESSION, "ends_at": "2027-05-03T18:01:00+02:00"})
    # The same instant written in another offset is inside.
    inside = {**SESSION, "starts_at": "2027-05-01T07:00:00+00:00"}
    assert (
        validate_service("session", inside, event_window=WINDOW)["starts_at"] == "2027-05-01T07:00:00+00:00"
    )


def test_session_references_and_state():
    details = _errors(
        "session",
        {**SESSION, "track_id": 5, "speaker_ids": ["a", "a", ""], "state": "done"},
    )
    assert set(details) == {"track_id", "speaker_ids[1]", "speaker_ids[2]", "state"}
    assert "speaker_ids" in _errors("session", {**SESSION, "speaker_ids": "a"})
    assert "speaker_ids" in _errors("session", {**SESSION, "speaker_ids": [str(i) for i in range(51)]})


def test_a_partial_update_merges_over_the_stored_fields():
    stored = validate_service("session", SESSION, event_window=WINDOW)

    changed = validate_service("session", {"state": "accepted"}, stored, WINDOW)
    assert changed == {**stored, "state": "accepted"}
    # Clearing an optional field with null; a required one cannot be cleared.
    assert (
        validate_service("session", {"track_id": None}, {**stored, "track_id": "t1"}, WINDOW)["track_id"]
        is None
    )
    assert "title" in _errors("session", {"title": None}, stored)
    # A change that contradicts a stored field is caught.
    assert "ends_at" in _errors("session", {"starts_at": "2027-05-01T12:00:00+02:00"}, stored)


def test_references_uses_and_unlink():
    fields = validate_service(
        "session",
        {**SESSION, "track_id": "t1", "microlocation_id": "m1", "speaker_ids": ["s1", "s2"]},
        None,
        WINDOW,
    )
    assert references("session", fields) == [
        ("track_id", "track", "t1"),
        ("microlocation_id", "microlocation", "m1"),
        ("speaker_ids[0]", "speaker", "s1"),
        ("speaker_ids[1]", "speaker", "s2"),
    ]
    assert references("track", {"name": "x"}) == []
    assert uses(fields, "track", "t1") and uses(fields, "speaker", "s2")
    assert not uses(fields, "track", "m1")
    assert unlink(fields, "track", "t1")["track_id"] is None
    assert unlink(fields, "speaker", "s1")["speaker_ids"] == ["s2"]
    assert unlink(fields, "microlocation", "other") == fields


def test_sessions_are_ordered_by_instant_not_by_text():
    early_in_utc = {"title": "b", "starts_at": "2027-05-01T09:30:00+02:00"}  # 07:30Z
    later = {"title": "a", "starts_at": "2027-05-01T08:00:00+00:00"}  # 08:00Z
    assert sorted([later, early_in_utc], key=session_order) == [early_in_utc, later]
