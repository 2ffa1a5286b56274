"""Stripe in test mode, for the local stack: the few API calls the app makes and the hosted pages.

The app talks to it with the official ``stripe`` library (its ``api`` base address pointed here, the
secret key MARQUEE_STRIPE_SECRET_KEY); the buyer's browser is sent to ``/checkout/<session id>``,
whose buttons do what Stripe does when a buyer pays, pays by bank transfer (settled or failed
later) or goes back (as at Stripe, the session then stays open until it expires). A payment
changes the session and the webhook Stripe would send is signed with the
webhook secret (``Stripe-Signature: t=<unix time>,v1=<HMAC-SHA256 of "t.body">``) and POSTed to
the app's webhook route, retried with backoff until it answers 2xx, as Stripe retries. Open
sessions past their ``expires_at`` expire on their own (``checkout.session.expired``).

API (form-encoded like Stripe's; errors as Stripe's ``{"error": {"type", "message", ...}}``):
  POST /v1/checkout/sessions                 create (mode=payment, line_items with price_data)
  GET  /v1/checkout/sessions/<id>            retrieve
  POST /v1/checkout/sessions/<id>/expire     expire an open session
  POST /v1/refunds                           refund a payment intent (amount defaults to the rest)
  GET  /v1/refunds/<id>                      retrieve
``Idempotency-Key`` on a POST returns the first answer again; reused with other parameters -> 400.
State lives in ``<data_dir>/stripe-sandbox.json`` so sessions survive a restart of ``make run``.
"""

import logging
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from devstack.stripe_state import SandboxState
from devstack.stripe_web import SandboxHandler
from devstack.stripe_webhooks import WebhookSender

logger = logging.getLogger("devstack.stripe")

EXPIRY_SWEEP_SECONDS = 1.0


class StripeSandbox:
    """The running stand-in: ``url`` is the base address the ``stripe`` library is given."""

    def __init__(self, data_dir: Path, secret_key: str, webhook_url: str, webhook_secret: str) -> None:
        self.webhooks = WebhookSender(webhook_url, webhook_secret)
        self.state = SandboxState(data_dir / "stripe-sandbox.json", self.webhooks.send)
        self.webhooks.delivered = self.state.mark_delivered
        handler = type(
            "BoundSandboxHandler", (SandboxHandler,), {"state": self.state, "secret_key": secret_key}
        )
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        handler.base_url = self.url
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> "StripeSandbox":
        self.webhooks.start()
        for pending in self.state.undelivered():
            self.webhooks.send(pending)
        for name, target in (("stripe-http", self._serve), ("stripe-expiry", self._sweep)):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        logger.info("Stripe test-mode stand-in on %s", self.url)
        return self

    def _serve(self) -> None:
        self.server.serve_forever(poll_interval=0.1)

    def _sweep(self) -> None:
        while not self._stopping.wait(EXPIRY_SWEEP_SECONDS):
            try:
                self.state.expire_due(int(time.time()))
            except Exception:  # the sweeper must outlive one bad pass
                logger.exception("expiring checkout sessions failed")

    def stop(self) -> None:
        self._stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.webhooks.stop()
        for thread in self._threads:
            thread.join(timeout=5)


def start(data_dir: Path, secret_key: str, webhook_url: str, webhook_secret: str) -> Any:
    return StripeSandbox(data_dir, secret_key, webhook_url, webhook_secret).start()
