"""Abuse limits: how many times something may happen per window before the caller must wait."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    name: str
    max_count: int
    window_seconds: int
    message: str


FAILED_LOGINS_PER_EMAIL = Limit(
    "login-email", 10, 15 * 60, "Too many failed sign-ins for this account; try again later."
)
FAILED_LOGINS_PER_SOURCE = Limit(
    "login-source", 50, 15 * 60, "Too many failed sign-ins from your network; try again later."
)
INVITES_PER_EVENT = Limit("invites-event", 50, 3600, "This event has sent too many invites this hour.")
