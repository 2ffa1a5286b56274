"""An attendee as its buyer and the event's organizers see it."""

from typing import Any

from chalicelib.domain.attendees import ATTENDEE
from chalicelib.store.models.attendees import AttendeeModel


def attendee_view(attendee: AttendeeModel) -> dict[str, Any]:
    return ATTENDEE.dump(attendee)
