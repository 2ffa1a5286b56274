"""The public schedule's JSON: each session with its track, room and speakers embedded, each
speaker with their sessions; only the fields ``domain.program.PUBLIC_FIELDS`` names."""

from typing import Any

from chalicelib.domain.program import SCHEDULE, Program


def schedule_view(program: Program) -> dict[str, Any]:
    tracks, rooms, speakers = program.by_id("track"), program.by_id("microlocation"), program.by_id("speaker")
    sessions = [
        {
            **session,
            "track": tracks.get(session.get("track_id") or ""),
            "microlocation": rooms.get(session.get("microlocation_id") or ""),
            "speakers": [speakers[ref] for ref in session.get("speaker_ids") or [] if ref in speakers],
        }
        for session in program.sessions
    ]
    talks: dict[str, list[dict[str, str]]] = {speaker_id: [] for speaker_id in speakers}
    for session in program.sessions:
        for ref in session.get("speaker_ids") or []:
            talks[ref].append({"id": session["id"], "title": session["title"]})
    # Each definition keeps only its own fields: e-mails, states and timestamps fall away here.
    return SCHEDULE.dump(
        {
            "tracks": program.tracks,
            "sessions": sessions,
            "speakers": [{**speaker, "sessions": talks[speaker["id"]]} for speaker in program.speakers],
            "sponsors": program.sponsors,
            "microlocations": program.microlocations,
        }
    )
