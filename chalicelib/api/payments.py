"""Card payments: the buyer's checkout for a pending order, and Stripe's webhook."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.api.lazy import lazy
from chalicelib.domain.order_definitions import CHECKOUT, WEBHOOK_RECEIVED
from chalicelib.http.access import current_order_access, order_party_required
from chalicelib.http.request import check_body_size, header, raw_body
from chalicelib.http.routing import ApiBlueprint

if TYPE_CHECKING:
    from chalicelib.services import payments
else:
    payments = lazy("chalicelib.services.payments")

bp = ApiBlueprint(__name__)

# Stripe's events are a few KB; anything far larger is not one.
MAX_WEBHOOK_BYTES = 256 * 1024


@bp.route("/orders/{order_id}/checkout", methods=["POST"], response=CHECKOUT)
@order_party_required(())
def checkout(order_id: str) -> dict:
    """The buyer's card checkout for a pending order of a `stripe` event (the same open one again)."""
    access = current_order_access()
    return payments.open_checkout(access.order, access.is_buyer)._asdict()


@bp.route("/payments/stripe/webhook", methods=["POST"], public=True, response=WEBHOOK_RECEIVED)
def stripe_webhook() -> dict:
    """Stripe's signed events (raw body verified against Stripe-Signature); each applied at most once."""
    check_body_size(MAX_WEBHOOK_BYTES)
    return {"received": True, "result": payments.receive_webhook(raw_body(), header("Stripe-Signature"))}
