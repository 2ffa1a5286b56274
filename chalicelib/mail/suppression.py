"""Who a mail must not reach. An address SES reported undeliverable (a permanent bounce, a
complaint) gets no mail at all but the ones its owner asks for at that moment, a password reset
or an e-mail verification: whoever asks is at that inbox now (a bounce of it is recorded again),
and refusing them would lock an account out for good. An organizer message also skips an address
unsubscribed from its event; receipts, refund notices and reminders still reach it."""

from chalicelib.domain.unsubscribe import unsubscribe_token
from chalicelib.store.mailing import suppressed
from chalicelib.store.secrets import jwt_secret

ASKED_FOR = frozenset({"password_reset", "email_verification"})


def why_not(to: str, template: str, unsubscribe_event: str | None) -> str | None:
    """Why this mail must not go (``undeliverable`` / ``unsubscribed``), or None."""
    if template in ASKED_FOR:
        return None
    return suppressed(to, unsubscribe_event)


def unsubscribe_token_for(to: str, event_id: str) -> str:
    return unsubscribe_token(jwt_secret(), event_id, to.strip().lower())
