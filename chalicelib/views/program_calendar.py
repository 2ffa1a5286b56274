"""The program as an RFC 5545 calendar (``calendar.ics``), built with the ``icalendar`` library:
a VTIMEZONE of the event's zone, one VEVENT for the event and one per public session, or a single
session's ("add to calendar"). UIDs are derived from ids, so a calendar app that subscribed updates
its entries instead of duplicating them; DTSTAMP is the item's last change, so the same versions
give the same bytes."""

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain.program import Program
from chalicelib.store.models.events import EventModel

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

PRODID = "-//Marquee//Public program//EN"
UID_DOMAIN = "marquee"


def event_uid(event_id: str) -> str:
    return f"event-{event_id}@{UID_DOMAIN}"


def session_uid(session_id: str) -> str:
    return f"session-{session_id}@{UID_DOMAIN}"


def _stamp(*moments: Any) -> datetime:
    for moment in moments:
        if isinstance(moment, datetime):
            return moment.astimezone(UTC)
        if moment:
            return datetime.fromisoformat(moment).astimezone(UTC)
    return datetime(1970, 1, 1, tzinfo=UTC)


def _session_event(session: dict[str, Any], program: Program, zone: "ZoneInfo", page_url: str) -> Any:
    from icalendar import Event

    rooms, tracks, speakers = program.by_id("microlocation"), program.by_id("track"), program.by_id("speaker")
    room = rooms.get(session.get("microlocation_id") or "")
    track = tracks.get(session.get("track_id") or "")
    names = [speakers[ref]["name"] for ref in session.get("speaker_ids") or [] if ref in speakers]
    lines = [session.get("subtitle") or "", session.get("abstract") or ""]
    if names:
        lines.append("Speakers: " + ", ".join(names))
    vevent = Event()
    vevent.add("uid", session_uid(session["id"]))
    vevent.add("dtstamp", _stamp(session.get("updated_at"), session.get("created_at")))
    vevent.add("dtstart", datetime.fromisoformat(session["starts_at"]).astimezone(zone))
    vevent.add("dtend", datetime.fromisoformat(session["ends_at"]).astimezone(zone))
    vevent.add("summary", session["title"])
    vevent.add("description", "\n\n".join(line for line in lines if line))
    if room:
        vevent.add("location", ", ".join(part for part in (room["name"], room.get("room") or "") if part))
    if track:
        vevent.add("categories", [track["name"]])
    vevent.add("url", f"{page_url}?session={session['id']}")
    return vevent


def _event_event(event: EventModel, zone: "ZoneInfo", page_url: str) -> Any:
    from icalendar import Event

    vevent = Event()
    vevent.add("uid", event_uid(event.event_id))
    vevent.add("dtstamp", _stamp(event.updated_at, event.created_at))
    vevent.add("dtstart", datetime.fromisoformat(event.starts_at).astimezone(zone))
    vevent.add("dtend", datetime.fromisoformat(event.ends_at).astimezone(zone))
    vevent.add("summary", event.name)
    if event.description:
        vevent.add("description", event.description)
    if event.location_name:
        vevent.add("location", event.location_name)
    vevent.add("url", page_url)
    return vevent


def calendar_ics(
    event: EventModel, program: Program, page_url: str, session: dict[str, Any] | None = None
) -> str:
    """The whole program, or only ``session`` when one is given."""
    from zoneinfo import ZoneInfo  # on the first export, not at every cold start

    from icalendar import Calendar, Timezone

    zone = ZoneInfo(event.timezone)
    starts, ends = datetime.fromisoformat(event.starts_at), datetime.fromisoformat(event.ends_at)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", session["title"] if session else event.name)
    calendar.add("x-wr-timezone", event.timezone)
    # The zone's rules around the event only (its whole history would be kilobytes of transitions).
    calendar.add_component(
        Timezone.from_tzinfo(
            zone,
            tzid=event.timezone,
            first_date=date(starts.year - 1, 1, 1),
            last_date=date(ends.year + 1, 12, 31),
        )
    )
    if session is None:
        calendar.add_component(_event_event(event, zone, page_url))
    for item in [session] if session else program.sessions:
        calendar.add_component(_session_event(item, program, zone, page_url))
    return calendar.to_ical().decode()
