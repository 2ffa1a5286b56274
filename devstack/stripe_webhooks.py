"""Webhook deliveries of the Stripe stand-in: signed as Stripe signs, retried until answered 2xx."""

import hashlib
import heapq
import hmac
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import requests

logger = logging.getLogger("devstack.stripe")

FIRST_RETRY_SECONDS = 0.5
LONGEST_RETRY_SECONDS = 30.0
DELIVERY_TIMEOUT_SECONDS = 10.0


def signature_header(payload: bytes, secret: str, timestamp: int) -> str:
    """The ``Stripe-Signature`` value Stripe sends: ``t=<unix time>,v1=<hex HMAC-SHA256>`` of
    ``"<t>.<raw body>"`` keyed with the endpoint's signing secret."""
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class WebhookSender:
    """One thread delivering events in order of when they are due; ``delivered(event_id)`` is
    called once the app answered 2xx."""

    def __init__(self, url: str, secret: str) -> None:
        self.url = url
        self.secret = secret
        self.delivered: Callable[[str], None] = lambda _event_id: None
        self._due: list[tuple[float, int, dict[str, Any], float]] = []
        self._sequence = 0
        self._wake = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="stripe-webhooks", daemon=True)
        self._session = requests.Session()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify_all()
        self._thread.join(timeout=DELIVERY_TIMEOUT_SECONDS + 1)
        self._session.close()

    def send(self, event: dict[str, Any]) -> None:
        self._schedule(event, time.monotonic(), FIRST_RETRY_SECONDS)

    def _schedule(self, event: dict[str, Any], due: float, next_backoff: float) -> None:
        with self._wake:
            self._sequence += 1
            heapq.heappush(self._due, (due, self._sequence, event, next_backoff))
            self._wake.notify_all()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._stopping and (not self._due or self._due[0][0] > time.monotonic()):
                    self._wake.wait(self._due[0][0] - time.monotonic() if self._due else None)
                if self._stopping:
                    return
                _, _, event, backoff = heapq.heappop(self._due)
            if self._deliver(event):
                self.delivered(event["id"])
            else:
                retry_in = min(backoff, LONGEST_RETRY_SECONDS)
                self._schedule(event, time.monotonic() + retry_in, backoff * 2)

    def _deliver(self, event: dict[str, Any]) -> bool:
        payload = json.dumps(event, indent=2).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": signature_header(payload, self.secret, int(time.time())),
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks) marquee-devstack",
        }
        try:
            answer = self._session.post(
                self.url, data=payload, headers=headers, timeout=DELIVERY_TIMEOUT_SECONDS
            )
        except requests.RequestException as error:
            logger.warning("webhook %s (%s) not delivered: %s", event["id"], event["type"], error)
            return False
        if 200 <= answer.status_code < 300:
            logger.info("webhook %s (%s) delivered: %s", event["id"], event["type"], answer.status_code)
            return True
        logger.warning(
            "webhook %s (%s) answered %s: %s",
            event["id"],
            event["type"],
            answer.status_code,
            answer.text[:200],
        )
        return False
