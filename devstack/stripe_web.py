"""HTTP side of the Stripe stand-in: Stripe's form-encoded API under /v1 and the hosted checkout page."""

import hmac
import html
import json
import logging
import re
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import parse_qsl

from chalicelib.domain.money import display
from devstack.stripe_state import SandboxState, StripeError

logger = logging.getLogger("devstack.stripe")

MAX_BODY = 256 * 1024
PAGE_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
BUYER_ACTIONS = ("pay", "pay-by-transfer", "cancel", "transfer-arrives", "transfer-fails")
SESSION_ID = r"cs_test_[0-9a-f]{24}"
_KEY_PART = re.compile(r"\[([^\[\]]*)\]")

# The hosted page: every value put in is escaped first.
PAGE = Template((Path(__file__).parent / "stripe_checkout.html").read_text())
ROW = Template("<tr><td>$item</td><td>$quantity</td><td class=n>$amount</td></tr>")
OPEN_CONTROLS = """
<form method=post action="$action/pay"><button autofocus>Pay $total by card</button></form>
<form method=post action="$action/pay-by-transfer"><button class=second>Pay by bank transfer</button></form>
<form method=post action="$action/cancel"><button class=second>Cancel and go back</button></form>"""
TRANSFER_CONTROLS = """
<p>The bank transfer is on its way. In test mode, decide how it ends:</p>
<form method=post action="$action/transfer-arrives"><button>The transfer arrives</button></form>
<form method=post action="$action/transfer-fails"><button class=second>The transfer fails</button></form>"""
ENDED_WORDS = {"complete": "This payment is complete.", "expired": "This checkout has ended without payment."}


def parse_form(body: str) -> dict[str, Any]:
    """Stripe's encoding of nested parameters: ``line_items[0][price_data][currency]=eur``."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        head, _, rest = key.partition("[")
        parts = [head, *_KEY_PART.findall("[" + rest)] if rest else [head]
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise StripeError(400, f"Invalid parameter: {key}", param=key)
        node[parts[-1]] = value
    return _lists(root)


def _lists(node: Any) -> Any:
    """Dicts keyed 0..n-1 become lists, as Stripe reads ``items[0]``, ``items[1]``."""
    if not isinstance(node, dict):
        return node
    converted = {key: _lists(value) for key, value in node.items()}
    if converted and all(key.isdigit() for key in converted):
        keys = sorted(converted, key=int)
        if [int(key) for key in keys] == list(range(len(keys))):
            return [converted[key] for key in keys]
    return converted


class SandboxHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "stripe-sandbox"
    state: SandboxState
    secret_key: str
    base_url: str

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s - %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        try:
            body = self._body()
            path = self.path.split("?", 1)[0]
            if path.startswith("/v1/"):
                self._api(method, path, body)
            else:
                self._page(method, path)
        except StripeError as error:
            self._send(error.status, json.dumps(error.body).encode(), {"Content-Type": "application/json"})

    def _body(self) -> str:
        length = self.headers.get("Content-Length", "0")
        if not length.isdigit() or int(length) > MAX_BODY:
            raise StripeError(400, "Invalid Content-Length.")
        return self.rfile.read(int(length)).decode("utf-8", "replace")

    # -- /v1: what the stripe library calls ---------------------------------------------------

    def _api(self, method: str, path: str, body: str) -> None:
        given = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), self.secret_key.encode()):
            raise StripeError(401, "Invalid API Key provided.", kind="authentication_error")
        params = parse_form(body) if method == "POST" else {}
        key = self.headers.get("Idempotency-Key") if method == "POST" else None
        state = self.state
        if method == "POST" and path == "/v1/checkout/sessions":
            answer = state.idempotent(key, path, params, lambda: state.create_session(params, self.base_url))
        elif method == "GET" and (found := re.fullmatch(rf"/v1/checkout/sessions/({SESSION_ID})", path)):
            answer = state.session(found[1])
        elif method == "POST" and (
            found := re.fullmatch(rf"/v1/checkout/sessions/({SESSION_ID})/expire", path)
        ):
            session_id = found[1]
            answer = state.idempotent(key, path, params, lambda: state.expire_session(session_id))
        elif method == "POST" and path == "/v1/refunds":
            answer = state.idempotent(key, path, params, lambda: state.create_refund(params))
        elif method == "GET" and (found := re.fullmatch(r"/v1/refunds/(re_test_[0-9a-f]{24})", path)):
            answer = state.refund(found[1])
        else:
            raise StripeError(404, f"Unrecognized request URL ({method}: {path}).")
        self._send(200, json.dumps(answer).encode(), {"Content-Type": "application/json"})

    # -- the hosted page the buyer is sent to ---------------------------------------------------

    def _page(self, method: str, path: str) -> None:
        found = re.fullmatch(rf"/checkout/({SESSION_ID})(?:/([a-z-]+))?", path)
        if found is None:
            raise StripeError(404, "Not found.")
        session_id, action = found[1], found[2]
        if method == "GET" and action is None:
            self._send(200, self._checkout_page(self.state.session(session_id)), PAGE_HEADERS)
            return
        if method != "POST" or action not in BUYER_ACTIONS:
            raise StripeError(404, "Not found.")
        state = self.state
        try:
            if action == "pay":
                session = state.pay(session_id)
            elif action == "pay-by-transfer":
                session = state.pay(session_id, by_bank_transfer=True)
            elif action == "cancel":
                session = state.cancel(session_id)
            else:
                session = state.settle(session_id, succeeded=action == "transfer-arrives")
        except StripeError:  # a second click, or a lapsed session: show where it stands
            self._redirect(f"/checkout/{session_id}")
            return
        if action == "cancel":
            self._redirect(session["cancel_url"] or f"/checkout/{session_id}")
        elif action in ("pay", "pay-by-transfer"):
            self._redirect(session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id))
        else:
            self._redirect(f"/checkout/{session_id}")

    def _checkout_page(self, session: dict[str, Any]) -> bytes:
        currency = session["currency"]
        rows = "".join(
            ROW.substitute(
                item=html.escape(line["description"]),
                quantity=line["quantity"],
                amount=html.escape(display(line["amount_total"], currency)),
            )
            for line in self.state.lines(session["id"])
        )
        status = session["status"]
        if status == "open":
            controls = OPEN_CONTROLS
        elif status == "complete" and session["payment_status"] == "unpaid":
            controls = TRANSFER_CONTROLS
        else:
            controls = Template("<p role=status>$words</p>").substitute(words=ENDED_WORDS.get(status, status))
        page = PAGE.substitute(
            rows=rows,
            controls=Template(controls).substitute(
                action=f"/checkout/{session['id']}",
                total=html.escape(display(session["amount_total"], currency)),
            ),
            total=html.escape(display(session["amount_total"], currency)),
        )
        return page.encode()

    def _redirect(self, location: str) -> None:
        self._send(303, b"", {"Location": location, "Cache-Control": "no-store"})

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
