"""Abuse limits: how many times something may happen per window before the caller must wait."""

from typing import NamedTuple


class Limit(NamedTuple):
    name: str
    max_count: int
    window_seconds: int
    message: str


class GrowingDelay(NamedTuple):
    """After ``free_failures`` failures each further attempt waits twice as long as the one before,
    from ``first_delay_seconds`` up to ``max_delay_seconds``; failures are forgotten once
    ``memory_seconds`` pass without one."""

    name: str
    free_failures: int
    first_delay_seconds: int
    max_delay_seconds: int
    memory_seconds: int
    message: str

    def delay_after(self, failures: int) -> int:
        """How long the next attempt must wait after the last of ``failures`` failures."""
        if failures < self.free_failures:
            return 0
        doublings = min(failures - self.free_failures, 32)
        return min(self.max_delay_seconds, self.first_delay_seconds * 2**doublings)


# Sign-in (store/login_limits.py). A password guess is a failed sign-in; a correct password gives
# its reservation back. The address-and-account limit stops one client guessing one account; the
# per-account delay slows guesses spread over many addresses, yet spares any address without a
# recent failure for that account, so strangers cannot lock the owner out; the per-address limit
# stops one client trying many accounts, set high because a NAT puts many people behind one address.
FAILED_LOGINS_PER_SOURCE_AND_ACCOUNT = Limit(
    "login-pair",
    10,
    15 * 60,
    "Too many failed sign-ins for this account from your network; try again later.",
)
FAILED_LOGINS_PER_ACCOUNT = GrowingDelay(
    "login-account",
    free_failures=5,
    first_delay_seconds=2,
    max_delay_seconds=15 * 60,
    memory_seconds=24 * 3600,
    message="Too many failed sign-ins for this account; please wait before trying again.",
)
FAILED_LOGINS_PER_SOURCE = Limit(
    "login-source", 300, 15 * 60, "Too many failed sign-ins from your network; try again later."
)
# Password reset (services/accounts.py), counted alike for addresses with and without an account:
# each request mails the address, so a few an hour per address; per network, requests and links
# that do not work (a token is 256 random bits: this only stops a flood).
PASSWORD_RESETS_PER_ADDRESS = Limit(
    "reset-address",
    5,
    3600,
    "Too many password reset e-mails for this address this hour; use the newest one or try later.",
)
PASSWORD_RESETS_PER_SOURCE = Limit(
    "reset-source", 100, 15 * 60, "Too many password resets from your network; try again later."
)
FAILED_RESETS_PER_SOURCE = Limit(
    "reset-failed-source",
    30,
    15 * 60,
    "Too many password reset links that do not work from your network; try again later.",
)
FAILED_VERIFICATIONS_PER_SOURCE = Limit(
    "verify-failed-source",
    30,
    15 * 60,
    "Too many verification links that do not work from your network; try again later.",
)
INVITES_PER_EVENT = Limit("invites-event", 50, 3600, "This event has sent too many invites this hour.")
VERIFICATION_EMAILS_PER_USER = Limit(
    "verify-email", 5, 3600, "Too many verification e-mails this hour; use the newest one or try later."
)
# Spam through the platform's own mail: caps no real organizer reaches in a day (deployments and
# tests may change them: chalicelib.config, MARQUEE_INVITES_PER_USER_PER_DAY and
# MARQUEE_EVENTS_PER_USER_PER_DAY).
INVITES_PER_USER = Limit(
    "invites-user", 200, 24 * 3600, "You have sent too many invites today; try again tomorrow."
)
EVENTS_PER_USER = Limit(
    "events-user", 20, 24 * 3600, "You have created too many events today; try again tomorrow."
)


# Codes (services/codes.py): a wrong code counts against whoever tried it (an address on the
# public page, an account when ordering) for that event; a code that works gives its count back.
# Buyers mistype a few times; guessing a hidden ticket's code by trial takes thousands.
CODE_GUESSES = Limit(
    "code-guesses", 20, 600, "Too many codes tried that do not work; wait a few minutes and try again."
)


# The waiting room (services/queue.py): numbers taken per event from one address. A browser keeps
# its number across reloads; the cap stops one client filling the line, and is set well above one
# household because a NAT puts many buyers behind one address.
QUEUE_JOINS_PER_SOURCE = Limit(
    "queue-joins", 30, 600, "Too many places in line taken from your network; wait a few minutes."
)
