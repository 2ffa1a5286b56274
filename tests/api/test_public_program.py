"""The public program: GET /public/events/{id}/schedule, calendar.ics and schedule.xml of a
published event. Only accepted / confirmed sessions and their speakers, never a private field,
ETags that move with every change, the calendar and the XML parsed back."""

import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

SPEAKER_EMAIL = "ada.private@example.com"


@dataclass
class Program:
    api: Any
    organizer: str
    event_id: str
    ids: dict[str, str]

    def add(self, service: str, body: dict) -> str:
        response = self.api.post(f"/events/{self.event_id}/{service}", body, token=self.organizer)
        assert response.status == 201, response.json
        return response.json["id"]

    def get(self, suffix: str = "schedule", headers: dict | None = None) -> Any:
        return self.api.get(f"/public/events/{self.event_id}/{suffix}", headers=headers)


@pytest.fixture
def program(api, signup, make_event) -> Program:
    organizer = signup("organizer@example.com")
    event_id = make_event(organizer, description="Three days of talks")["id"]
    made = Program(api, organizer, event_id, {})
    ids = made.ids
    ids["track"] = made.add("tracks", {"name": "Main stage", "color": "#336699"})
    ids["room"] = made.add("microlocations", {"name": "Hall A", "room": "A1", "floor": 1})
    ids["ada"] = made.add(
        "speakers",
        {"name": "Ada Lovelace", "email": SPEAKER_EMAIL, "bio": "Analyst", "organisation": "Engine"},
    )
    ids["grace"] = made.add("speakers", {"name": "Grace Hopper", "email": "grace@example.com"})
    ids["hidden_speaker"] = made.add("speakers", {"name": "Only Drafts", "email": "draft@example.com"})
    ids["sponsor"] = made.add(
        "sponsors", {"name": "ACME", "level": "gold", "logo_url": "https://acme.example/logo.png"}
    )

    def session(title: str, state: str, starts: str, ends: str, speakers: list[str], **more: Any) -> str:
        body = {"title": title, "state": state, "starts_at": starts, "ends_at": ends, "speaker_ids": speakers}
        return made.add("sessions", {**body, **more})

    ids["keynote"] = session(
        'Keynote <opening> & "welcome"',
        "confirmed",
        "2027-05-01T10:00:00+02:00",
        "2027-05-01T11:00:00+02:00",
        [ids["ada"], ids["grace"]],
        track_id=ids["track"],
        microlocation_id=ids["room"],
        abstract="Why we are here",
    )
    ids["workshop"] = session(
        "Workshop", "accepted", "2027-05-02T14:30:00+02:00", "2027-05-02T16:00:00+02:00", [ids["grace"]]
    )
    ids["draft"] = session(
        "Draft talk",
        "draft",
        "2027-05-01T12:00:00+02:00",
        "2027-05-01T13:00:00+02:00",
        [ids["hidden_speaker"]],
    )
    ids["rejected"] = session(
        "Rejected talk",
        "rejected",
        "2027-05-01T12:00:00+02:00",
        "2027-05-01T13:00:00+02:00",
        [ids["hidden_speaker"]],
    )
    ids["pending"] = session(
        "Pending talk",
        "pending",
        "2027-05-03T12:00:00+02:00",
        "2027-05-03T13:00:00+02:00",
        [ids["hidden_speaker"]],
    )
    published = api.patch(f"/events/{event_id}", {"state": "published"}, token=organizer)
    assert published.status == 200, published.json
    return made


def test_only_accepted_and_confirmed_sessions_and_their_speakers_are_public(program):
    response = program.get()
    assert response.status == 200, response.json
    body = response.json
    assert [s["title"] for s in body["sessions"]] == ['Keynote <opening> & "welcome"', "Workshop"]
    assert {s["name"] for s in body["speakers"]} == {"Ada Lovelace", "Grace Hopper"}
    keynote = body["sessions"][0]
    assert keynote["track"] == {"id": program.ids["track"], "name": "Main stage", "color": "#336699"}
    assert keynote["microlocation"] == {"id": program.ids["room"], "name": "Hall A", "room": "A1", "floor": 1}
    assert [s["name"] for s in keynote["speakers"]] == ["Ada Lovelace", "Grace Hopper"]
    assert body["sessions"][1]["track"] is None and body["sessions"][1]["microlocation"] is None
    grace = next(s for s in body["speakers"] if s["name"] == "Grace Hopper")
    assert [s["title"] for s in grace["sessions"]] == ['Keynote <opening> & "welcome"', "Workshop"]
    assert [(s["name"], s["level"], s["logo_url"]) for s in body["sponsors"]] == [
        ("ACME", "gold", "https://acme.example/logo.png")
    ]
    assert [t["name"] for t in body["tracks"]] == ["Main stage"]
    assert [m["name"] for m in body["microlocations"]] == ["Hall A"]


def test_no_private_field_is_ever_public(program):
    text = program.get().body.decode()
    for secret in (SPEAKER_EMAIL, "grace@example.com", "draft@example.com", "Draft talk", "Rejected talk"):
        assert secret not in text
    body = program.get().json
    for speaker in body["speakers"]:
        assert set(speaker) == {"id", "name", "bio", "organisation", "photo_url", "sessions"}
    for session in body["sessions"]:
        assert "state" not in session and "created_at" not in session
        for speaker in session["speakers"]:
            assert set(speaker) == {"id", "name", "organisation", "photo_url"}
    for suffix in ("calendar.ics", "schedule.xml"):
        feed = program.get(suffix).body.decode()
        assert SPEAKER_EMAIL not in feed and "Draft talk" not in feed and "Only Drafts" not in feed


@pytest.mark.parametrize("suffix", ["schedule", "calendar.ics", "schedule.xml"])
def test_unpublished_or_unknown_event_is_404(api, program, suffix):
    api.patch(f"/events/{program.event_id}", {"state": "draft"}, token=program.organizer)
    assert program.get(suffix).status == 404
    assert api.get(f"/public/events/nope/{suffix}").status == 404


@pytest.mark.parametrize("suffix", ["schedule", "calendar.ics", "schedule.xml"])
def test_etag_gives_304_and_moves_with_every_service(api, program, suffix):
    first = program.get(suffix)
    etag = first.headers["etag"]
    again = program.get(suffix, headers={"If-None-Match": etag})
    assert again.status == 304 and again.body == b""
    changes = [
        ("PATCH", f"sessions/{program.ids['workshop']}", {"title": "Hands-on workshop"}),
        ("PATCH", f"speakers/{program.ids['grace']}", {"bio": "Admiral"}),
        ("PATCH", f"tracks/{program.ids['track']}", {"color": "#ff0000"}),
        ("PATCH", f"microlocations/{program.ids['room']}", {"floor": 2}),
        ("PATCH", f"sponsors/{program.ids['sponsor']}", {"level": "silver"}),
        ("PATCH", "", {"name": "PyCon Renamed"}),
    ]
    seen = {etag}
    for method, path, body in changes:
        url = f"/events/{program.event_id}/{path}".rstrip("/")
        assert api.request(method, url, body, token=program.organizer).status == 200
        changed = program.get(suffix, headers={"If-None-Match": etag})
        assert changed.status == 200, path
        assert changed.headers["etag"] not in seen, path
        seen.add(changed.headers["etag"])
        etag = changed.headers["etag"]


def test_a_session_accepted_later_appears(api, program):
    etag = program.get().headers["etag"]
    api.patch(
        f"/events/{program.event_id}/sessions/{program.ids['pending']}",
        {"state": "accepted"},
        token=program.organizer,
    )
    after = program.get(headers={"If-None-Match": etag})
    assert after.status == 200
    assert "Pending talk" in [s["title"] for s in after.json["sessions"]]
    assert "Only Drafts" in [s["name"] for s in after.json["speakers"]]


def _calendar(response):
    from icalendar import Calendar

    assert response.status == 200, response.body
    assert response.headers["content-type"].startswith("text/calendar")
    return Calendar.from_ical(response.body)


def test_calendar_has_the_event_and_each_public_session_in_the_event_zone(program):
    calendar = _calendar(program.get("calendar.ics"))
    assert calendar["VERSION"] == "2.0" and "Marquee" in str(calendar["PRODID"])
    zones = calendar.walk("VTIMEZONE")
    assert [str(z["TZID"]) for z in zones] == ["Europe/Berlin"]
    events = calendar.walk("VEVENT")
    uids = [str(e["UID"]) for e in events]
    assert uids == [
        f"event-{program.event_id}@marquee",
        f"session-{program.ids['keynote']}@marquee",
        f"session-{program.ids['workshop']}@marquee",
    ]
    keynote = events[1]
    assert keynote["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert keynote["DTEND"].params["TZID"] == "Europe/Berlin"
    assert keynote.decoded("DTSTART") == datetime(2027, 5, 1, 10, tzinfo=ZoneInfo("Europe/Berlin"))
    assert str(keynote["SUMMARY"]) == 'Keynote <opening> & "welcome"'
    assert str(keynote["LOCATION"]) == "Hall A, A1"
    assert "Ada Lovelace" in str(keynote["DESCRIPTION"])
    assert str(keynote["URL"]).endswith(f"/#/e/{program.event_id}?session={program.ids['keynote']}")
    assert str(events[0]["URL"]).endswith(f"/#/e/{program.event_id}")
    assert uids == [str(e["UID"]) for e in _calendar(program.get("calendar.ics")).walk("VEVENT")]


def test_one_sessions_calendar(program):
    calendar = _calendar(program.get(f"calendar.ics?session_id={program.ids['workshop']}"))
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Workshop"]
    assert calendar.walk("VTIMEZONE")
    assert program.get(f"calendar.ics?session_id={program.ids['draft']}").status == 404
    assert program.get("calendar.ics?session_id=nope").status == 404


def test_schedule_xml_has_the_pentabarf_shape(program):
    response = program.get("schedule.xml")
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(response.body)
    assert root.tag == "schedule"
    conference = root.find("conference")
    assert conference.findtext("title") == "PyCon Test"
    assert conference.findtext("acronym")
    assert (conference.findtext("start"), conference.findtext("end"), conference.findtext("days")) == (
        "2027-05-01",
        "2027-05-03",
        "3",
    )
    assert conference.findtext("timeslot_duration") == "00:30"
    days = root.findall("day")
    assert [(d.get("index"), d.get("date")) for d in days] == [
        ("1", "2027-05-01"),
        ("2", "2027-05-02"),
        ("3", "2027-05-03"),
    ]
    assert days[0].get("start") == "2027-05-01T09:00:00+02:00"
    rooms = [[r.get("name") for r in d.findall("room")] for d in days]
    assert rooms == [["Hall A"], ["Berlin"], []]
    keynote = days[0].find("room/event")
    assert keynote.get("id").isdigit() and int(keynote.get("id")) > 0
    assert uuid.UUID(keynote.get("guid"))
    assert keynote.get("guid") == ET.fromstring(program.get("schedule.xml").body).find("day/room/event").get(
        "guid"
    )
    assert keynote.findtext("title") == 'Keynote <opening> & "welcome"'
    assert (keynote.findtext("start"), keynote.findtext("duration")) == ("10:00", "01:00")
    assert keynote.findtext("date") == "2027-05-01T10:00:00+02:00"
    assert keynote.findtext("room") == "Hall A" and keynote.findtext("track") == "Main stage"
    assert [p.text for p in keynote.findall("persons/person")] == ["Ada Lovelace", "Grace Hopper"]
    assert all(p.get("id").isdigit() for p in keynote.findall("persons/person"))
    for tag in ("slug", "subtitle", "type", "language", "abstract", "description", "links"):
        assert keynote.find(tag) is not None, tag
    workshop = days[1].find("room/event")
    assert (workshop.findtext("start"), workshop.findtext("duration")) == ("14:30", "01:30")
    ids = [e.get("id") for e in root.iter("event")]
    assert len(ids) == len(set(ids)) == 2


def test_one_request_reads_each_service_once_however_many_items(program, monkeypatch):
    from chalicelib.store.models.services import ServiceItemModel

    calls: list[str] = []
    for name in ("query", "get", "batch_get", "scan"):
        original = getattr(ServiceItemModel, name)

        def counted(*args, _name=name, _original=original, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(ServiceItemModel, name, counted)
    program.get()
    few = list(calls)
    for n in range(6):
        speaker = program.add("speakers", {"name": f"Speaker {n}"})
        program.add(
            "sessions",
            {
                "title": f"Talk {n}",
                "state": "accepted",
                "starts_at": "2027-05-02T10:00:00+02:00",
                "ends_at": "2027-05-02T10:30:00+02:00",
                "speaker_ids": [speaker],
                "track_id": program.ids["track"],
            },
        )
    calls.clear()
    assert len(program.get().json["sessions"]) == 8
    assert calls == few == ["query"] * 5
