"""The Stripe stand-in in this process, with a receiver playing the app's webhook route."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import stripe

SECRET_KEY = "sk_test_sandbox"
WEBHOOK_SECRET = "whsec_sandbox"


class Receiver:
    """The app's webhook route, as Stripe reaches it: answers ``fail_first`` times with 500."""

    def __init__(self, fail_first: int = 0) -> None:
        self.deliveries: list[tuple[bytes, str]] = []
        self.fail_first = fail_first
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.deliveries.append((body, self.headers["Stripe-Signature"]))
                failing = len(receiver.deliveries) <= receiver.fail_first
                self.send_response(500 if failing else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/payments/stripe/webhook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self, count: int, timeout: float = 10.0) -> list[Any]:
        deadline = time.monotonic() + timeout
        while len(self.deliveries) < count:
            assert time.monotonic() < deadline, f"{len(self.deliveries)} of {count} webhooks arrived"
            time.sleep(0.05)
        return [
            stripe.Webhook.construct_event(body, header, WEBHOOK_SECRET) for body, header in self.deliveries
        ]
