"""What the Stripe stand-in knows (sessions, payment intents, refunds, idempotency keys, events) and
the changes a buyer or the app makes to it; every change is saved before it is answered."""

import json
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from devstack.persistence import write_atomic

SESSION_MIN_SECONDS = 30 * 60
SESSION_MAX_SECONDS = 24 * 60 * 60
KEPT_EVENTS = 500
API_VERSION = "2025-09-30.clover"


class StripeError(Exception):
    """An answer in Stripe's error shape."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        kind: str = "invalid_request_error",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"error": {"type": kind, "message": message}}
        if code:
            self.body["error"]["code"] = code
        if param:
            self.body["error"]["param"] = param


def _new_id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(12)}"


def _whole(value: Any, param: str, minimum: int = 0) -> int:
    if not isinstance(value, str) or not value.isdigit() or int(value) < minimum:
        raise StripeError(400, f"Invalid integer: {value!r}", param=param)
    return int(value)


def _text(value: Any, param: str, *, required: bool = False, max_length: int = 5000) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > max_length:
        raise StripeError(400, f"Missing or invalid {param}.", param=param)
    return value


def _metadata(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise StripeError(400, "Invalid metadata.", param="metadata")
    return dict(value)


class SandboxState:
    def __init__(self, path: Path, send_event: Callable[[dict[str, Any]], None]) -> None:
        self.path = path
        self._send_event = send_event
        self._lock = threading.RLock()
        data = json.loads(path.read_text()) if path.exists() else {}
        self.sessions: dict[str, dict[str, Any]] = data.get("sessions", {})
        self.line_items: dict[str, list[dict[str, Any]]] = data.get("line_items", {})
        self.payment_intents: dict[str, dict[str, Any]] = data.get("payment_intents", {})
        self.refunds: dict[str, dict[str, Any]] = data.get("refunds", {})
        self.idempotency: dict[str, dict[str, Any]] = data.get("idempotency", {})
        self.events: dict[str, dict[str, Any]] = data.get("events", {})
        self._outbox: list[dict[str, Any]] = []  # sent once saved

    # -- the API the app calls ----------------------------------------------------------------

    def idempotent(
        self, key: str | None, request: str, params: dict[str, Any], make: Callable[[], Any]
    ) -> Any:
        """``make()`` once per Idempotency-Key; the same key with other parameters is an error."""
        with self._lock:
            if key is None:
                return make()
            fingerprint = json.dumps([request, params], sort_keys=True)
            seen = self.idempotency.get(key)
            if seen is not None:
                if seen["fingerprint"] != fingerprint:
                    raise StripeError(
                        400,
                        "Keys for idempotent requests can only be used with the same parameters "
                        "they were first used with.",
                        kind="idempotency_error",
                    )
                return seen["answer"]
            answer = make()
            self.idempotency[key] = {"fingerprint": fingerprint, "answer": answer}
            self._save()
            return answer

    def create_session(self, params: dict[str, Any], base_url: str) -> dict[str, Any]:
        if params.get("mode") != "payment":
            raise StripeError(400, "Only mode=payment is supported by the local stand-in.", param="mode")
        items = params.get("line_items")
        if not isinstance(items, list) or not items:
            raise StripeError(400, "line_items must list at least one item.", param="line_items")
        lines = [self._line(item, f"line_items[{index}]") for index, item in enumerate(items)]
        currencies = {line["currency"] for line in lines}
        if len(currencies) != 1:
            raise StripeError(400, "All line items must be in one currency.", param="line_items")
        total = sum(line["amount_total"] for line in lines)
        if total <= 0:
            raise StripeError(400, "The total must be above zero.", param="line_items")
        now = int(time.time())
        expires_at = (
            _whole(params["expires_at"], "expires_at")
            if "expires_at" in params
            else now + SESSION_MAX_SECONDS
        )
        if not now + SESSION_MIN_SECONDS - 5 <= expires_at <= now + SESSION_MAX_SECONDS:
            raise StripeError(
                400,
                "The Checkout Session's expires_at must be between 30 minutes and 24 hours from now.",
                param="expires_at",
            )
        session_id = _new_id("cs")
        session = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": total,
            "amount_total": total,
            "currency": currencies.pop(),
            "client_reference_id": _text(
                params.get("client_reference_id"), "client_reference_id", max_length=200
            ),
            "customer_email": _text(params.get("customer_email"), "customer_email", max_length=512),
            "metadata": _metadata(params.get("metadata")),
            "mode": "payment",
            "payment_intent": None,
            "payment_status": "unpaid",
            "status": "open",
            "success_url": _text(params.get("success_url"), "success_url", required=True),
            "cancel_url": _text(params.get("cancel_url"), "cancel_url"),
            "url": f"{base_url}/checkout/{session_id}",
            "created": now,
            "expires_at": expires_at,
            "livemode": False,
        }
        with self._lock:
            self.sessions[session_id] = session
            self.line_items[session_id] = lines
            self._save()
        return session

    @staticmethod
    def _line(item: Any, param: str) -> dict[str, Any]:
        price = item.get("price_data") if isinstance(item, dict) else None
        if not isinstance(price, dict):
            raise StripeError(400, "Each line item needs price_data.", param=f"{param}[price_data]")
        currency = price.get("currency")
        if (
            not isinstance(currency, str)
            or len(currency) != 3
            or not currency.isalpha()
            or not currency.islower()
        ):
            raise StripeError(400, "Invalid currency.", param=f"{param}[price_data][currency]")
        product = price.get("product_data")
        name = _text(product.get("name") if isinstance(product, dict) else None, "name", required=True)
        unit_amount = _whole(price.get("unit_amount"), f"{param}[price_data][unit_amount]")
        quantity = _whole(item.get("quantity"), f"{param}[quantity]", minimum=1)
        return {
            "description": name,
            "currency": currency,
            "unit_amount": unit_amount,
            "quantity": quantity,
            "amount_total": unit_amount * quantity,
        }

    def session(self, session_id: str) -> dict[str, Any]:
        with self._lock:
            found = self.sessions.get(session_id)
            if found is None:
                raise StripeError(404, f"No such checkout.session: '{session_id}'", code="resource_missing")
            return dict(found)

    def expire_session(self, session_id: str) -> dict[str, Any]:
        with self._lock:
            session = self.session(session_id)
            if session["status"] != "open":
                raise StripeError(400, f"Only open sessions can be expired; this one is {session['status']}.")
            return self._change(session_id, "checkout.session.expired", status="expired")

    def create_refund(self, params: dict[str, Any]) -> dict[str, Any]:
        intent_id = _text(params.get("payment_intent"), "payment_intent", required=True)
        with self._lock:
            intent = self.payment_intents.get(intent_id or "")
            if intent is None or intent["status"] != "succeeded":
                raise StripeError(
                    400,
                    f"No succeeded payment_intent: '{intent_id}'",
                    code="resource_missing",
                    param="payment_intent",
                )
            remaining = intent["amount"] - intent["amount_refunded"]
            if remaining <= 0:
                raise StripeError(
                    400, "This payment has already been refunded.", code="charge_already_refunded"
                )
            amount = _whole(params["amount"], "amount", minimum=1) if "amount" in params else remaining
            if amount > remaining:
                raise StripeError(
                    400,
                    f"Refund amount ({amount}) is greater than the unrefunded amount ({remaining}).",
                    code="amount_too_large",
                    param="amount",
                )
            refund = {
                "id": _new_id("re"),
                "object": "refund",
                "amount": amount,
                "currency": intent["currency"],
                "payment_intent": intent_id,
                "reason": params.get("reason"),
                "metadata": _metadata(params.get("metadata")),
                "status": "succeeded",
                "created": int(time.time()),
            }
            intent["amount_refunded"] += amount
            self.refunds[refund["id"]] = refund
            self._emit("refund.created", refund)
            self._save()
            return refund

    def refund(self, refund_id: str) -> dict[str, Any]:
        with self._lock:
            found = self.refunds.get(refund_id)
            if found is None:
                raise StripeError(404, f"No such refund: '{refund_id}'", code="resource_missing")
            return dict(found)

    # -- what the buyer does on the hosted page -----------------------------------------------

    def pay(self, session_id: str, *, by_bank_transfer: bool = False) -> dict[str, Any]:
        """Card: paid at once. Bank transfer: complete but unpaid until ``settle``."""
        with self._lock:
            session = self._open(session_id)
            intent_id = _new_id("pi")
            self.payment_intents[intent_id] = {
                "id": intent_id,
                "amount": session["amount_total"],
                "currency": session["currency"],
                "amount_refunded": 0,
                "status": "processing" if by_bank_transfer else "succeeded",
            }
            return self._change(
                session_id,
                "checkout.session.completed",
                status="complete",
                payment_intent=intent_id,
                payment_status="unpaid" if by_bank_transfer else "paid",
            )

    def settle(self, session_id: str, *, succeeded: bool) -> dict[str, Any]:
        with self._lock:
            session = self.session(session_id)
            intent = self.payment_intents.get(session["payment_intent"] or "")
            if session["status"] != "complete" or intent is None or intent["status"] != "processing":
                raise StripeError(400, "This session has no bank transfer waiting.")
            intent["status"] = "succeeded" if succeeded else "canceled"
            if succeeded:
                return self._change(
                    session_id, "checkout.session.async_payment_succeeded", payment_status="paid"
                )
            return self._change(session_id, "checkout.session.async_payment_failed")

    def cancel(self, session_id: str) -> dict[str, Any]:
        """The buyer went back: as at Stripe, nothing happens; the session stays open (payable
        again from the same page) until its ``expires_at``."""
        with self._lock:
            return dict(self._open(session_id))

    def expire_due(self, now: int) -> None:
        with self._lock:
            due = [
                s["id"] for s in self.sessions.values() if s["status"] == "open" and s["expires_at"] <= now
            ]
            for session_id in due:
                self._change(session_id, "checkout.session.expired", status="expired")

    def lines(self, session_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(line) for line in self.line_items.get(session_id, [])]

    # -- events -------------------------------------------------------------------------------

    def undelivered(self) -> list[dict[str, Any]]:
        with self._lock:
            return [record["event"] for record in self.events.values() if not record["delivered"]]

    def mark_delivered(self, event_id: str) -> None:
        with self._lock:
            if event_id in self.events:
                self.events[event_id]["delivered"] = True
                self._save()

    def _open(self, session_id: str) -> dict[str, Any]:
        session = self.session(session_id)
        if session["status"] != "open":
            raise StripeError(400, f"This checkout session is {session['status']}.")
        if session["expires_at"] <= int(time.time()):
            raise StripeError(400, "This checkout session has expired.")
        return session

    def _change(self, session_id: str, event_type: str, **changes: Any) -> dict[str, Any]:
        session = self.sessions[session_id]
        session.update(changes)
        self._emit(event_type, session)
        self._save()
        return dict(session)

    def _emit(self, event_type: str, subject: dict[str, Any]) -> None:
        event = {
            "id": _new_id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": int(time.time()),
            "livemode": False,
            "pending_webhooks": 1,
            "type": event_type,
            "data": {"object": dict(subject)},
            "request": {"id": None, "idempotency_key": None},
        }
        self.events[event["id"]] = {"event": event, "delivered": False}
        delivered = [key for key, record in self.events.items() if record["delivered"]]
        for key in delivered[: max(0, len(self.events) - KEPT_EVENTS)]:
            del self.events[key]
        self._outbox.append(event)

    def _save(self) -> None:
        data = {
            "sessions": self.sessions,
            "line_items": self.line_items,
            "payment_intents": self.payment_intents,
            "refunds": self.refunds,
            "idempotency": self.idempotency,
            "events": self.events,
        }
        write_atomic(self.path, json.dumps(data).encode())
        outbox, self._outbox = self._outbox, []
        for event in outbox:
            self._send_event(event)
