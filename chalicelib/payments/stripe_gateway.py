"""Stripe through its official library: Checkout Sessions, signed webhooks, refunds.

``stripe`` takes 110-220 ms to import, so it is imported on the first call that needs it, never at
cold start. The secret key and the webhook signing secret come from the environment
(``MARQUEE_STRIPE_SECRET_KEY`` / ``MARQUEE_STRIPE_WEBHOOK_SECRET``: the local stack, the tests) or
from SSM SecureString parameters named by ``..._PARAMETER``, like the token secret. Under
``make run`` ``MARQUEE_STRIPE_API_BASE`` points the library at the local stand-in.
"""

from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

from chalicelib.config import settings
from chalicelib.domain.checkout import ChargeLine
from chalicelib.store.secrets import parameter_value

if TYPE_CHECKING:
    import stripe

WEBHOOK_TOLERANCE_SECONDS = 300  # Stripe's default: an older signature is a replay


class StripeNotConfigured(RuntimeError):
    """No secret key (or no webhook secret): the platform cannot take card payments."""


class StripeFailed(RuntimeError):
    """Stripe refused or could not be reached; ``message`` is safe to show an organizer."""


class BadSignature(ValueError):
    """A webhook whose ``Stripe-Signature`` is missing, wrong or too old."""


class CheckoutSession(NamedTuple):
    session_id: str
    url: str
    expires_at: int
    amount_total: int
    currency: str


class Refund(NamedTuple):
    refund_id: str
    amount: int
    status: str


def _secret(value: str, parameter: str) -> str:
    if value:
        return value
    return parameter_value(parameter) if parameter else ""


def configured() -> bool:
    """Whether events may choose ``stripe``: a secret key is set (the value is read only when used)."""
    return settings().stripe_configured


@cache
def _client() -> "stripe.StripeClient":
    import stripe

    config = settings()
    key = _secret(config.stripe_secret_key, config.stripe_secret_key_parameter)
    if not key:
        raise StripeNotConfigured("no Stripe secret key: set MARQUEE_STRIPE_SECRET_KEY(_PARAMETER)")
    base = config.stripe_api_base
    return stripe.StripeClient(key, base_addresses={"api": base} if base else None, max_network_retries=2)


def forget_client() -> None:
    """A new key or stand-in address is read on the next call (tests; a rotated key)."""
    settings.cache_clear()
    _client.cache_clear()


def create_checkout_session(
    *,
    order_id: str,
    lines: list[ChargeLine],
    currency: str,
    expires_at: int,
    success_url: str,
    cancel_url: str,
    customer_email: str | None,
    idempotency_key: str | None = None,
) -> CheckoutSession:
    """One Checkout Session per order: the order id is the idempotency key, so asking again (a
    double click, a retry after a timeout) returns the session made the first time."""
    import stripe

    params: dict[str, Any] = {
        "mode": "payment",
        "client_reference_id": order_id,
        "metadata": {"order_id": order_id},
        "expires_at": expires_at,
        "success_url": success_url,
        "cancel_url": cancel_url,
        "line_items": [
            {
                "quantity": line.quantity,
                "price_data": {
                    "currency": currency.lower(),
                    "unit_amount": line.unit_amount,
                    "product_data": {"name": line.name},
                },
            }
            for line in lines
        ],
    }
    if customer_email:
        params["customer_email"] = customer_email
    try:
        session = _client().v1.checkout.sessions.create(
            params=params,  # type: ignore[arg-type]  # a plain dict of the documented parameters
            options={"idempotency_key": idempotency_key or f"checkout-{order_id}"},
        )
    except stripe.StripeError as error:
        raise StripeFailed(error.user_message or "Stripe did not accept the checkout.") from error
    return CheckoutSession(
        session_id=session.id,
        url=session.url or "",
        expires_at=session.expires_at,
        amount_total=session.amount_total or 0,
        currency=(session.currency or currency).upper(),
    )


def expire_checkout_session(session_id: str) -> None:
    """Close a session nobody should pay any more (its order was cancelled)."""
    import stripe

    try:
        _client().v1.checkout.sessions.expire(session_id)
    except stripe.StripeError as error:
        raise StripeFailed(error.user_message or "Stripe did not expire the checkout.") from error


def verified_event(raw_body: bytes, signature_header: str | None) -> dict[str, Any]:
    """The webhook's event, as a plain dict, once its signature over the raw body checks out."""
    import stripe

    config = settings()
    secret = _secret(config.stripe_webhook_secret, config.stripe_webhook_secret_parameter)
    if not secret:
        raise StripeNotConfigured("no Stripe webhook secret: set MARQUEE_STRIPE_WEBHOOK_SECRET(_PARAMETER)")
    if not signature_header:
        raise BadSignature("The Stripe-Signature header is missing.")
    try:
        event = stripe.Webhook.construct_event(raw_body, signature_header, secret, WEBHOOK_TOLERANCE_SECONDS)
    except stripe.SignatureVerificationError as error:
        raise BadSignature("The Stripe-Signature does not match this body, or is too old.") from error
    except (ValueError, AttributeError, TypeError) as error:
        # stripe parses the body before it checks the signature: JSON that is not an object fails here.
        raise BadSignature("The body is not a Stripe event.") from error
    return event.to_dict()


def refund(*, payment_intent: str, amount: int, idempotency_key: str, metadata: dict[str, str]) -> Refund:
    """Refund ``amount`` (minor units) of a payment; the same key never refunds twice."""
    import stripe

    try:
        made = _client().v1.refunds.create(
            params={"payment_intent": payment_intent, "amount": amount, "metadata": metadata},
            options={"idempotency_key": idempotency_key},
        )
    except stripe.StripeError as error:
        raise StripeFailed(error.user_message or "Stripe did not accept the refund.") from error
    return Refund(refund_id=made.id, amount=made.amount, status=made.status or "pending")
