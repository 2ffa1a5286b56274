"""The reminder a day before an event: which events are due, and the event's time as its
attendees read it (in the event's own zone, named)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

REMINDER_LEAD = timedelta(hours=24)
# How far before the lead an event is still picked up: every run of the hourly-or-more-often job
# sees an event at least once (its claims keep later runs from mailing anyone twice).
REMINDER_WINDOW = timedelta(hours=1)
# Any offset an event's ISO start may carry (domain/events.py allows ±14:00).
MAX_OFFSET = timedelta(hours=14)


def due_window(moment: datetime) -> tuple[datetime, datetime]:
    """Events whose start lies in (start, end] get their reminder now."""
    end = moment + REMINDER_LEAD
    return end - REMINDER_WINDOW, end


def local_text_bounds(start: datetime, end: datetime) -> tuple[str, str]:
    """Bounds on the stored ``starts_at`` text (ISO with the event's own offset, so it sorts by
    local wall time) that hold every event starting in [start, end] whatever its offset: the
    index is read between them, then each start is compared as an instant."""
    fmt = "%Y-%m-%dT%H:%M:%S"
    low = (start.astimezone(UTC) - MAX_OFFSET).strftime(fmt)
    high = (end.astimezone(UTC) + MAX_OFFSET).strftime(fmt) + "~"
    return low, high


def is_due(starts_at: str, start: datetime, end: datetime) -> bool:
    return start < datetime.fromisoformat(starts_at) <= end


def event_time_text(starts_at: str, timezone: str) -> str:
    """'Saturday 1 May 2027, 09:00 CEST (Europe/Berlin)'."""
    local = datetime.fromisoformat(starts_at).astimezone(ZoneInfo(timezone))
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M} {local.tzname()} ({timezone})"
