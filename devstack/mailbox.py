"""The emails SES was asked to send, kept for the /mailbox page (nothing leaves the machine).

moto records each send in its SES backend (``sent_messages``, shared by SES v1 and v2). The
mailbox copies new records into plain dicts after every SES write and keeps the ones of earlier
runs, restored from DATA_DIR, in front of them.
"""

import base64
import email
import email.policy
import html
import re
import threading
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from moto.backends import get_backend
from moto.core import DEFAULT_ACCOUNT_ID

_URL = re.compile(r"https?://[^\s\"'<>]+")
_LOOKS_LIKE_HTML = re.compile(r"<[a-zA-Z][^>]*>")
_CID = re.compile(r"cid:([^\s\"'<>]+)")


def _links(*texts: str) -> list[str]:
    found: list[str] = []
    for text in texts:
        for match in _URL.findall(html.unescape(text)):
            url = match.rstrip(").,;:!?]")
            if url not in found:
                found.append(url)
    return found


def _from_raw(raw: str) -> dict[str, Any]:
    message = email.message_from_string(raw, policy=email.policy.default)
    parts = {"text/plain": "", "text/html": ""}
    inline: dict[str, str] = {}
    for part in message.walk():
        kind = part.get_content_type()
        if kind in parts and not parts[kind] and not part.is_multipart():
            parts[kind] = str(part.get_content())
        elif part.get_content_maintype() == "image" and part.get("Content-ID"):
            # What the HTML part shows as cid:<id>, kept as a data: URL to show it without a fetch.
            data = base64.b64encode(part.get_payload(decode=True)).decode()
            inline[str(part["Content-ID"]).strip().strip("<>")] = f"data:{kind};base64,{data}"
    return {
        "subject": str(message.get("subject", "")),
        "text": parts["text/plain"],
        "html": parts["text/html"],
        "inline": inline,
    }


def _flatten(destinations: Any) -> list[str]:
    if isinstance(destinations, str):
        return [destinations]
    if isinstance(destinations, dict):
        values = [value for key, value in destinations.items() if not key.startswith("Replacement")]
        return _flatten(values)
    if isinstance(destinations, list):
        return [address for item in destinations for address in _flatten(item)]
    return []


def describe(message: Any, sent_at: str) -> dict[str, Any]:
    """A moto SES record as a plain, JSON-ready dict."""
    record: dict[str, Any] = {
        "id": getattr(message, "id", None) or ",".join(getattr(message, "ids", [])),
        "sent_at": sent_at,
        "from": str(getattr(message, "source", "") or ""),
        # moto adds the raw message's To: header to the destinations SES was given: one each.
        "to": list(dict.fromkeys(_flatten(getattr(message, "destinations", [])))),
        "subject": "",
        "text": "",
        "html": "",
        "inline": {},
    }
    if hasattr(message, "raw_data"):
        record.update(_from_raw(message.raw_data))
    elif hasattr(message, "template"):
        record["subject"] = f"(template {message.template})"
        record["text"] = str(message.template_data)
    else:
        body = str(getattr(message, "body", "") or "")
        record["subject"] = str(getattr(message, "subject", "") or "")
        record["html" if _LOOKS_LIKE_HTML.search(body) else "text"] = body
    record["links"] = _links(record["text"], record["html"])
    return record


class Mailbox:
    def __init__(self, region: str, account_id: str = DEFAULT_ACCOUNT_ID) -> None:
        self._region = region
        self._account_id = account_id
        self._earlier: list[dict[str, Any]] = []
        self._current: list[dict[str, Any]] = []
        self._synced = 0
        self._guard = threading.Lock()

    def _backend_messages(self) -> list[Any]:
        return get_backend("ses")[self._account_id][self._region].sent_messages

    def sync(self) -> list[dict[str, Any]]:
        """Copy new moto records and return them; call with the moto lock held (moto is not
        thread-safe)."""
        sent = self._backend_messages()
        with self._guard:
            if len(sent) < self._synced:
                self._synced = 0
                self._current = []
            now = datetime.now(UTC).isoformat(timespec="seconds")
            new = [describe(message, now) for message in sent[self._synced :]]
            self._current.extend(new)
            self._synced = len(sent)
            return new

    def load(self, earlier: list[dict[str, Any]]) -> None:
        with self._guard:
            self._earlier = list(earlier)

    def export(self) -> list[dict[str, Any]]:
        """Every message, oldest first (the order they are saved in)."""
        with self._guard:
            return [*self._earlier, *self._current]

    def newest_first(self) -> list[dict[str, Any]]:
        return list(reversed(self.export()))


def _with_inline_images(body: str, inline: dict[str, str]) -> str:
    """``body`` with each ``cid:`` reference to one of the message's parts made that part's data:
    URL, as a mail program resolves it (unknown ones are left as they are, and show nothing)."""
    return _CID.sub(lambda match: inline.get(unquote(match.group(1)), match.group(0)), body)


def _shown(message: dict[str, Any]) -> str:
    """The message as its recipient's mail program shows it: the HTML part in a sandboxed frame
    (no script, no same-origin access; links open in a new tab; its inline images drawn from
    their parts), the text part below it."""
    esc = html.escape
    text, body = message.get("text") or "", message.get("html") or ""
    shown = ""
    if body:
        document = f'<base target="_blank">{_with_inline_images(body, message.get("inline") or {})}'
        shown += (
            f'<iframe title="{esc(message.get("subject") or "(no subject)", quote=True)}" '
            'sandbox="allow-popups allow-popups-to-escape-sandbox" referrerpolicy="no-referrer" '
            f'srcdoc="{esc(document, quote=True)}"></iframe>'
        )
    if text:
        shown += (
            f"<details{'' if body else ' open'}><summary>Plain text</summary><pre>{esc(text)}</pre></details>"
        )
    return shown


def render_html(messages: list[dict[str, Any]]) -> str:
    """The /mailbox page. Every piece of message text goes through html.escape; only http(s)
    links become anchors, and a message's HTML only appears inside a sandboxed frame."""
    esc = html.escape
    rows = []
    for message in messages:
        links = "".join(
            f'<li><a href="{esc(url, quote=True)}" rel="noreferrer noopener">{esc(url)}</a></li>'
            for url in message.get("links", [])
        )
        rows.append(
            "<article>"
            f"<h2>{esc(message.get('subject') or '(no subject)')}</h2>"
            f"<p><b>To:</b> {esc(', '.join(message.get('to', [])))}<br>"
            f"<b>From:</b> {esc(message.get('from', ''))}<br>"
            f"<b>Sent:</b> {esc(message.get('sent_at', ''))}</p>"
            + _shown(message)
            + (f"<details><summary>Links</summary><ul>{links}</ul></details>" if links else "")
            + "</article>"
        )
    content = "".join(rows) or "<p>No emails sent yet.</p>"
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>Mailbox - Marquee local</title>"
        "<style>body{font:15px system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem}"
        "article{border:1px solid #ccc;border-radius:6px;padding:0 1rem 1rem;margin:1rem 0}"
        "iframe{display:block;width:100%;height:26rem;border:1px solid #ddd;border-radius:4px}"
        "details{margin-top:.5rem}pre{white-space:pre-wrap;word-break:break-word}</style></head>"
        f"<body><h1>Mailbox ({len(messages)})</h1>"
        "<p>Emails the local stack's SES was asked to send, newest first, as their recipients see them. "
        "<a href='/mailbox.json'>JSON</a></p>"
        f"{content}</body></html>"
    )
