"""The public program of a published event: which sessions and speakers the public sees, which
of their fields, and the response definition of ``GET /public/events/{id}/schedule``.

What is public, field by field (the organizer's view is ``domain.services.service_item``):
- sessions: only ``accepted`` and ``confirmed`` ones (draft, pending and rejected never), with
  title, subtitle, abstract, times and the ids of their track, room and speakers, each also
  embedded with what a page shows. Their ``state`` is the organizers' workflow and stays out.
- speakers: only those of public sessions, with name, bio, organisation and photo; the e-mail
  (the organizers' way to reach them) never.
- tracks, rooms (microlocations) and sponsors: every one, with all their fields; none is private.
- ``created_at`` / ``updated_at`` of the items are bookkeeping and stay out.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.domain.fields import Field, Text
from chalicelib.domain.objects import ListOf, Object, sent
from chalicelib.domain.services import SERVICE_INPUTS, session_order

PUBLIC_SESSION_STATES = frozenset({"accepted", "confirmed"})
PUBLIC_FIELDS: dict[str, tuple[str, ...]] = {
    "track": ("name", "description", "color", "location"),
    "session": (
        "title",
        "subtitle",
        "abstract",
        "starts_at",
        "ends_at",
        "track_id",
        "microlocation_id",
        "speaker_ids",
    ),
    "speaker": ("name", "bio", "organisation", "photo_url"),
    "sponsor": ("name", "url", "logo_url", "level"),
    "microlocation": ("name", "floor", "room", "latitude", "longitude"),
}
# What a session embeds of its track, room and speakers (the rest is in the top-level lists).
EMBEDDED: dict[str, tuple[str, ...]] = {
    "track": ("name", "color"),
    "microlocation": ("name", "room", "floor"),
    "speaker": ("name", "organisation", "photo_url"),
}
_ID = Text(min_len=1)


def _stored(service: str, names: Iterable[str]) -> dict[str, Field]:
    table = SERVICE_INPUTS[service].fields
    return {name: table[name].stored() for name in names}


def _embedded(service: str, title: str, nullable: bool = False) -> Object:
    fields = {"id": _ID, **_stored(service, EMBEDDED[service])}
    return Object(fields, title=title, required=tuple(fields), additional=True, nullable=nullable)


_SESSION_LINK = sent(None, {"id": _ID, "title": Text()})
PUBLIC_TRACK = sent("PublicTrack", {"id": _ID, **_stored("track", PUBLIC_FIELDS["track"])})
PUBLIC_MICROLOCATION = sent(
    "PublicMicrolocation", {"id": _ID, **_stored("microlocation", PUBLIC_FIELDS["microlocation"])}
)
PUBLIC_SPONSOR = sent("PublicSponsor", {"id": _ID, **_stored("sponsor", PUBLIC_FIELDS["sponsor"])})
PUBLIC_SPEAKER = sent(
    "PublicSpeaker",
    {"id": _ID, **_stored("speaker", PUBLIC_FIELDS["speaker"]), "sessions": ListOf(_SESSION_LINK)},
)
PUBLIC_SESSION = sent(
    "PublicSession",
    {
        "id": _ID,
        **_stored("session", PUBLIC_FIELDS["session"]),
        "track": _embedded("track", "SessionTrack", nullable=True),
        "microlocation": _embedded("microlocation", "SessionRoom", nullable=True),
        "speakers": ListOf(_embedded("speaker", "SessionSpeaker")),
    },
)
SCHEDULE = sent(
    "PublicSchedule",
    {
        "tracks": ListOf(PUBLIC_TRACK),
        "sessions": ListOf(PUBLIC_SESSION),
        "speakers": ListOf(PUBLIC_SPEAKER),
        "sponsors": ListOf(PUBLIC_SPONSOR),
        "microlocations": ListOf(PUBLIC_MICROLOCATION),
    },
)


@dataclass
class Program:
    """The public items of an event, each a record ``{"id", **fields}`` as stored (plus
    ``created_at`` / ``updated_at``), in display order: sessions chronologically, the rest by name."""

    tracks: list[dict[str, Any]] = field(default_factory=list)
    sessions: list[dict[str, Any]] = field(default_factory=list)
    speakers: list[dict[str, Any]] = field(default_factory=list)
    sponsors: list[dict[str, Any]] = field(default_factory=list)
    microlocations: list[dict[str, Any]] = field(default_factory=list)

    def by_id(self, service: str) -> dict[str, dict[str, Any]]:
        return {record["id"]: record for record in getattr(self, f"{service}s")}

    def session(self, session_id: str) -> dict[str, Any] | None:
        return self.by_id("session").get(session_id)


def _by_name(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(records, key=lambda r: (str(r.get("name") or "").lower(), r.get("created_at") or ""))


def public_program(items: dict[str, list[dict[str, Any]]]) -> Program:
    """From every item of the event's five services, what the public sees: sessions accepted or
    confirmed, and the speakers of those sessions only."""
    sessions = sorted(
        (s for s in items.get("session", []) if s.get("state") in PUBLIC_SESSION_STATES), key=session_order
    )
    speaking = {ref for s in sessions for ref in s.get("speaker_ids") or []}
    return Program(
        tracks=_by_name(items.get("track", [])),
        sessions=sessions,
        speakers=_by_name([s for s in items.get("speaker", []) if s["id"] in speaking]),
        sponsors=_by_name(items.get("sponsor", [])),
        microlocations=_by_name(items.get("microlocation", [])),
    )


def number_of(item_id: str) -> int:
    """A stable positive integer for an id (Pentabarf's ``event id`` and ``person id`` must be
    integers): 48 bits of its SHA-256, so it stays exact in JavaScript too."""
    return int(hashlib.sha256(item_id.encode()).hexdigest()[:12], 16) or 1


def duration_minutes(record: dict[str, Any]) -> int:
    starts, ends = (datetime.fromisoformat(record[name]) for name in ("starts_at", "ends_at"))
    return int((ends - starts).total_seconds() // 60)
