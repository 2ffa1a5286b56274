"""The program as Pentabarf / frab ``schedule.xml``, the format conference apps (Giggity,
ConfClerk, the FOSSASIA apps) import, shaped after the c3voc schedule.xml.xsd: ``<conference>``,
then one ``<day>`` per calendar day of the event (in its zone), one ``<room>`` per room used that
day, one ``<event>`` per public session with its local date, ``HH:MM`` start and duration,
an integer ``id`` and a ``guid`` (a UUID) both derived from the session's id, so they never change.
Built with xml.etree, which escapes every text and attribute."""

import math
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.domain.program import Program, duration_minutes, number_of
from chalicelib.store.models.events import EventModel

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

# Sessions without a room are listed in one named after the venue, or this.
NO_ROOM = "Venue"
TIMESLOT_CHOICES = (5, 10, 15, 30, 60)


def _text(parent: ET.Element, tag: str, value: Any = "", **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    element.text = "" if value is None else str(value)
    return element


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _timeslot(sessions: list[dict[str, Any]], zone: "ZoneInfo") -> int:
    """The largest grid step every start and duration falls on (15 minutes for an empty program)."""
    steps = [duration_minutes(s) for s in sessions]
    steps += [datetime.fromisoformat(s["starts_at"]).astimezone(zone).minute for s in sessions]
    divisor = math.gcd(*steps) if steps else 15
    fitting = [choice for choice in TIMESLOT_CHOICES if divisor and divisor % choice == 0]
    return max(fitting) if fitting else 5


def _event(
    room: ET.Element, session: dict[str, Any], program: Program, zone: "ZoneInfo", page_url: str
) -> None:
    tracks, speakers = program.by_id("track"), program.by_id("speaker")
    starts = datetime.fromisoformat(session["starts_at"]).astimezone(zone)
    guid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"marquee:session:{session['id']}"))
    element = ET.SubElement(room, "event", {"id": str(number_of(session["id"])), "guid": guid})
    _text(element, "date", starts.isoformat())
    _text(element, "start", starts.strftime("%H:%M"))
    _text(element, "duration", _hhmm(duration_minutes(session)))
    _text(element, "room", room.get("name"))
    _text(element, "slug", f"session-{session['id']}")
    _text(element, "url", f"{page_url}?session={session['id']}")
    _text(element, "title", session["title"])
    _text(element, "subtitle", session.get("subtitle"))
    track = tracks.get(session.get("track_id") or "")
    _text(element, "track", track["name"] if track else "")
    _text(element, "type", "talk")
    _text(element, "language", "")
    _text(element, "abstract", session.get("abstract"))
    _text(element, "description", "")  # sessions have one text, the abstract
    persons = ET.SubElement(element, "persons")
    for ref in session.get("speaker_ids") or []:
        if ref in speakers:
            _text(persons, "person", speakers[ref]["name"], id=str(number_of(ref)))
    links = ET.SubElement(element, "links")
    _text(links, "link", "Session page", href=f"{page_url}?session={session['id']}")


def schedule_xml(event: EventModel, program: Program, page_url: str) -> str:
    from zoneinfo import ZoneInfo  # on the first export, not at every cold start

    zone = ZoneInfo(event.timezone)
    starts = datetime.fromisoformat(event.starts_at).astimezone(zone)
    ends = datetime.fromisoformat(event.ends_at).astimezone(zone)
    first, last = starts.date(), max(starts.date(), (ends - timedelta(microseconds=1)).date())
    rooms = program.by_id("microlocation")
    venue = event.location_name or NO_ROOM

    root = ET.Element("schedule")
    _text(root, "version", f"{event.event_ver}.{event.sessions_ver}")
    conference = ET.SubElement(root, "conference")
    _text(conference, "acronym", f"marquee-{event.event_id}")
    _text(conference, "title", event.name)
    _text(conference, "start", first.isoformat())
    _text(conference, "end", last.isoformat())
    _text(conference, "days", (last - first).days + 1)
    _text(conference, "timeslot_duration", _hhmm(_timeslot(program.sessions, zone)))
    _text(conference, "time_zone_name", event.timezone)
    _text(conference, "base_url", page_url)

    for index in range((last - first).days + 1):
        day = first + timedelta(days=index)
        day_start = max(starts, datetime.combine(day, time(), zone))
        day_end = min(ends, datetime.combine(day + timedelta(days=1), time(), zone))
        element = ET.SubElement(
            root,
            "day",
            {
                "index": str(index + 1),
                "date": day.isoformat(),
                "start": day_start.isoformat(),
                "end": day_end.isoformat(),
            },
        )
        by_room: dict[str, list[dict[str, Any]]] = {}
        for session in program.sessions:
            if datetime.fromisoformat(session["starts_at"]).astimezone(zone).date() == day:
                room = rooms.get(session.get("microlocation_id") or "")
                by_room.setdefault(room["name"] if room else venue, []).append(session)
        for name, sessions in by_room.items():
            room_element = ET.SubElement(element, "room", {"name": name})
            for session in sessions:
                _event(room_element, session, program, zone, page_url)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)
