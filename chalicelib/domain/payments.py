"""Payment providers: how a pending order gets paid.

A provider tells the buyer what to do while the order is pending and turns a confirmation into
a record of who confirmed what. ``manual``: the buyer pays the organizer by whatever means the
organizer announces, and the organizer marks the order paid. ``stripe``: the buyer pays on
Stripe's checkout page and Stripe's signed webhook confirms it (``organizer_confirms = False``);
an event may choose it only while the platform has a Stripe key.
"""

from decimal import Decimal
from typing import NamedTuple, Protocol

from chalicelib.domain.errors import ConflictError, ValidationError

MAX_REFERENCE = 200


class PaymentConfirmation(NamedTuple):
    provider: str
    reference: str | None
    confirmed_by: str


class PaymentProvider(Protocol):
    name: str
    # True when the organizer's "mark paid" is how payments are confirmed.
    organizer_confirms: bool

    def instructions(self, total: Decimal, currency: str) -> str: ...

    def confirm(self, reference: object, confirmed_by: str) -> PaymentConfirmation: ...


class ManualPayment:
    name = "manual"
    organizer_confirms = True

    def instructions(self, total: Decimal, currency: str) -> str:
        return (
            f"Pay {total} {currency} to the organizer as they announce; they mark the order paid. "
            "Unpaid orders are released when they expire."
        )

    def confirm(self, reference: object, confirmed_by: str) -> PaymentConfirmation:
        if reference is not None and (not isinstance(reference, str) or len(reference) > MAX_REFERENCE):
            raise ValidationError({"reference": f"Optional text up to {MAX_REFERENCE} characters."})
        text = reference.strip() if isinstance(reference, str) else ""
        return PaymentConfirmation(self.name, text or None, confirmed_by)


class StripePayment:
    name = "stripe"
    organizer_confirms = False
    # Stripe keeps a Checkout Session open at least this long: an order paid by card is held as long.
    min_hold_seconds = 30 * 60

    def instructions(self, total: Decimal, currency: str) -> str:
        return (
            f"Pay {total} {currency} by card on the secure checkout page. "
            "Unpaid orders are released when they expire."
        )

    def confirm(self, reference: object, confirmed_by: str) -> PaymentConfirmation:
        if not isinstance(reference, str) or not reference:
            raise ValidationError({"reference": "The payment's reference at Stripe."})
        return PaymentConfirmation(self.name, reference, confirmed_by)


DEFAULT_PROVIDER = ManualPayment.name
_PROVIDERS: dict[str, PaymentProvider] = {
    ManualPayment.name: ManualPayment(),
    StripePayment.name: StripePayment(),
}
PROVIDER_NAMES = tuple(_PROVIDERS)


def chosen_provider(name: object, stripe_configured: bool) -> str:
    """What an event may set as ``payment_provider``."""
    if not isinstance(name, str) or name not in _PROVIDERS:
        raise ValidationError({"payment_provider": f"One of {', '.join(PROVIDER_NAMES)}."})
    if name == StripePayment.name and not stripe_configured:
        raise ValidationError(
            {"payment_provider": "Card payments are not set up on this platform (no Stripe key)."}
        )
    return str(name)


def provider(name: str = DEFAULT_PROVIDER) -> PaymentProvider:
    return _PROVIDERS[name]


def organizer_confirmation(provider_name: str, reference: object, confirmed_by: str) -> PaymentConfirmation:
    """The organizer's "mark paid", allowed only for providers confirmed that way."""
    chosen = provider(provider_name)
    if not chosen.organizer_confirms:
        raise ConflictError(
            f"Payments through {chosen.name} are confirmed by the provider, not by hand.",
            code="not_manual_payment",
        )
    return chosen.confirm(reference, confirmed_by)
