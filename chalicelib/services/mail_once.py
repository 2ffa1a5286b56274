"""Mail sent from a stream handler exactly once per change, however often the stream delivers
it: the send is claimed first (store.claims), and given back when SES did not take it, so the
stream's redelivery sends it then (a crash between the claim and SES's answer loses that one
mail: at most once there, rather than twice)."""

from collections.abc import Callable

from chalicelib.store import claims


class MailNotSent(RuntimeError):
    """SES did not take the message (logged by chalicelib.mail); the change is delivered again."""


def send_once(key: str, send: Callable[[], str | None]) -> bool:
    """Send unless it was sent for ``key`` before; True when it was sent now."""
    if not claims.claim(key):
        return False
    if send() is None:
        claims.give_back(key)
        raise MailNotSent(key)
    return True
