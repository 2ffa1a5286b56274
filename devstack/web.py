"""The local stack's HTTP server on 127.0.0.1:PORT.

    /api/...        the Chalice app through chalice.local.LocalGateway (API Gateway's part)
    /config.json    {"apiUrl", "wsUrl"} for the frontend
    /media/<key>    objects of the media bucket, from the embedded S3
    /mailbox        the emails SES was asked to send (HTML); /mailbox.json the same as JSON
    anything else   static files, resolved through STATIC_ROOTS

Every response leaves through ``Handler._send``, the one place where headers are set:
``Site.frontend_headers`` go on everything that is not the API: the frontend's security headers,
the same as CloudFront sends when deployed; the API's answers get API_HEADERS, also those this
gateway gives itself (unknown route, body too large), as API Gateway's gateway responses do.
"""

import base64
import collections
import email.utils
import json
import logging
import mimetypes
import os
import posixpath
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote, urlsplit

from botocore.exceptions import ClientError

from chalicelib.http.site_headers import API_HEADERS
from chalicelib.media.storage import is_rendition_key
from deploy.frontend import BROWSER_FILES, CONTENT_TYPES
from devstack.mailbox import Mailbox, render_html

logger = logging.getLogger("devstack.web")

REPO_ROOT = Path(__file__).resolve().parent.parent

# URL prefix -> directory. Longest prefix first; a path never leaves its directory.
STATIC_ROOTS: tuple[tuple[str, Path], ...] = (
    ("/vendor/", REPO_ROOT / "node_modules"),  # only BROWSER_FILES of package.json's libraries
    ("/", REPO_ROOT / "frontend"),
)
VENDOR_PREFIX = "/vendor/"

# Headers of every non-API response (frontend files, config.json, media, mailbox).

# The mailbox shows text written by users (escaped); it needs no script at all. Its messages'
# inline images are data: URLs (devstack.mailbox): nothing is fetched from anywhere.
MAILBOX_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
    ),
    "Cache-Control": "no-store",
}

# API Gateway's payload limit: bigger requests never reach the Lambda.
MAX_API_BODY = 10 * 1024 * 1024


@dataclass(frozen=True)
class ServerLimits:
    """``max_connections`` served at once, each by its own thread (the embedded moto serializes
    every request anyway, so more threads would only queue inside); up to ``max_waiting`` more
    accepted connections wait, threadless, for a free one, as API Gateway absorbs a burst; past
    that, or after waiting ``request_timeout`` seconds, a connection gets 503 with Retry-After.
    A request must arrive whole, headers and body, within ``request_timeout`` seconds. A kept-alive
    connection holds its worker while idle, so it is closed after ``keep_alive`` idle seconds, and
    at once (``Connection: close`` on the answer) while others wait in line."""

    max_connections: int = 64
    max_waiting: int = 1024
    request_timeout: float = 30.0
    keep_alive: float = 5.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "ServerLimits":
        return cls(
            max_connections=int(environ.get("DEVSTACK_MAX_CONNECTIONS") or cls.max_connections),
            max_waiting=int(environ.get("DEVSTACK_MAX_WAITING") or cls.max_waiting),
            request_timeout=float(environ.get("DEVSTACK_REQUEST_TIMEOUT") or cls.request_timeout),
            keep_alive=float(environ.get("DEVSTACK_KEEP_ALIVE") or cls.keep_alive),
        )


WRITE_TIMEOUT_SECONDS = 30.0


class BadRequest(Exception):
    """A request this gateway refuses itself (400), as API Gateway would, before any route runs."""


class IncompleteRequest(Exception):
    """The client went away before its request arrived whole: it is dropped, never run."""


class DeadlineReader:
    """A connection's reader with one deadline per request: each read may wait only until it, so a
    client sending slowly (or not at all) is cut off; ``ended`` tells that the stream ended inside
    what was read (headers without their blank line, a body shorter than its Content-Length)."""

    def __init__(self, raw: BinaryIO, connection: socket.socket) -> None:
        self.raw = raw
        self.connection = connection
        self.deadline = float("inf")
        self.first_byte_deadline = float("inf")
        self.ended = False

    def start(self, seconds: float, first_byte_within: float | None = None) -> None:
        """The next request must arrive whole within ``seconds``, and begin within
        ``first_byte_within`` (the idle time allowed on a kept-alive connection)."""
        now = time.monotonic()
        self.deadline = now + seconds
        self.first_byte_deadline = self.deadline if first_byte_within is None else now + first_byte_within
        self.ended = False

    def _arm(self) -> None:
        remaining = min(self.deadline, self.first_byte_deadline) - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the request did not arrive in time")
        self.connection.settimeout(remaining)

    def _began(self) -> None:
        self.first_byte_deadline = float("inf")

    def readline(self, limit: int = -1) -> bytes:
        # Byte by byte from the buffer, one raw read at a time, each bounded by the deadline: a
        # client trickling one byte at a time cannot stretch a line past it.
        line = b""
        while not line.endswith(b"\n") and (limit < 0 or len(line) < limit):
            self._arm()
            buffered = self.raw.peek(1)  # type: ignore[attr-defined]
            if not buffered:
                self.ended = True
                break
            end = buffered.find(b"\n")
            take = len(buffered) if end < 0 else end + 1
            if limit >= 0:
                take = min(take, limit - len(line))
            line += self.raw.read(take)
            self._began()
        return line

    def read(self, size: int = -1) -> bytes:
        data = b""
        while size < 0 or len(data) < size:
            self._arm()
            chunk = self.raw.read1(65536 if size < 0 else min(65536, size - len(data)))  # type: ignore[attr-defined]
            if not chunk:
                self.ended = size >= 0
                break
            data += chunk
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


def _api_error(code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message, "details": {}}}).encode()


@dataclass
class Site:
    """What the handler needs; one per stack."""

    gateway: Any  # chalice.local.LocalGateway
    unknown_route_body: dict
    config: dict[str, str]
    s3: Any  # a boto3 S3 client on the embedded moto
    media_bucket: str
    mailbox: Mailbox
    sync_mailbox: Any  # () -> None, reads moto's SES records under the moto lock
    frontend_headers: dict[str, str]  # the site's security headers (chalicelib/http/site_headers.py)


def content_type_for(path: Path) -> str:
    known = CONTENT_TYPES.get(path.suffix.lower())
    if known:
        return known
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def resolve_static(url_path: str) -> Path | None:
    """The file a URL path names, or None (missing, a directory without index.html, or outside
    its root after resolving ``..`` and symlinks)."""
    decoded = unquote(url_path)
    if "\x00" in decoded or "\\" in decoded:
        return None
    if decoded.startswith(VENDOR_PREFIX) and decoded[len(VENDOR_PREFIX) :] not in BROWSER_FILES:
        return None
    for prefix, root in STATIC_ROOTS:
        if not decoded.startswith(prefix):
            continue
        relative = posixpath.normpath("/" + decoded[len(prefix) :]).lstrip("/")
        base = root.resolve()
        candidate = (base / relative).resolve() if relative not in ("", ".") else base
        if candidate != base and base not in candidate.parents:
            return None
        if candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "marquee-devstack"
    site: Site  # set on the subclass made by make_server

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s - %s", self.address_string(), format % args)

    def setup(self) -> None:
        super().setup()
        self.rfile: DeadlineReader = DeadlineReader(self.rfile, self.connection)  # type: ignore[assignment]
        self.kept_alive = False

    def handle_one_request(self) -> None:
        server: Server = self.server  # type: ignore[assignment]
        limits = server.limits
        self.rfile.start(limits.request_timeout, limits.keep_alive if self.kept_alive else None)
        self.kept_alive = True
        super().handle_one_request()

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if self.rfile.ended:
            # The headers ended at EOF, not with their blank line: a half-sent request, never run.
            self.close_connection = True
            return False
        return True

    # -- the one place where responses are written --------------------------------------------

    def _send(
        self,
        status: int,
        body: bytes = b"",
        headers: dict[str, Any] | None = None,
        frontend: bool = True,
    ) -> None:
        base = self.site.frontend_headers if frontend else API_HEADERS
        all_headers: dict[str, Any] = {**base, **(headers or {})}
        self.send_response(status)
        has_body = status not in (204, 304) and not (100 <= status < 200)
        for name, value in all_headers.items():
            if name.lower() == "content-length":
                continue
            for item in value if isinstance(value, list) else [value]:
                self.send_header(name, str(item))
        if has_body:
            self.send_header("Content-Length", str(len(body)))
        server: Server = self.server  # type: ignore[assignment]
        if server.someone_waits():
            self.send_header("Connection", "close")  # this worker is wanted: do not keep it idle
        # The read deadline is for the request; the answer gets its own time to leave.
        self.connection.settimeout(WRITE_TIMEOUT_SECONDS)
        self.end_headers()
        if has_body and self.command != "HEAD":
            self.wfile.write(body)

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(payload).encode()
        self._send(
            status, body, {"Content-Type": "application/json", "Cache-Control": "no-store", **(headers or {})}
        )

    def _content_length(self) -> int | None:
        values = self.headers.get_all("Content-Length") or []
        if not values:
            return None
        if len(set(values)) != 1 or not values[0].strip().isdigit() or not values[0].strip().isascii():
            raise BadRequest("Content-Length must be one non-negative whole number.")
        return int(values[0])

    def _read_body(self) -> bytes | None:
        length = self._content_length()
        if length is None:
            return b"" if "chunked" not in self.headers.get("Transfer-Encoding", "") else None
        body = self.rfile.read(length) if length > 0 else b""
        if self.rfile.ended:
            raise IncompleteRequest
        return body

    # -- dispatch -------------------------------------------------------------------------------

    def _dispatch(self) -> None:
        server: Server = self.server  # type: ignore[assignment]
        if server.closing:
            self.close_connection = True
            self._send(503, b"The local stack is stopping.", {"Content-Type": "text/plain; charset=utf-8"})
            return
        server.track(+1)
        try:
            self._route()
        finally:
            server.track(-1)

    def _route(self) -> None:
        path = urlsplit(self.path).path
        try:
            if path == "/api" or path.startswith("/api/"):
                self._api()
            elif self.command not in ("GET", "HEAD"):
                self._drain()
                self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"", {"Allow": "GET, HEAD"})
            elif path == "/config.json":
                self._send_json(200, self.site.config)
            elif path.startswith("/media/"):
                self._media(unquote(path[len("/media/") :]))
            elif path == "/mailbox":
                self._mailbox_page()
            elif path == "/mailbox.json":
                self.site.sync_mailbox()
                self._send_json(200, self.site.mailbox.newest_first())
            else:
                self._static(path)
        except (BrokenPipeError, ConnectionResetError, IncompleteRequest, TimeoutError):
            self.close_connection = True
        except BadRequest as error:
            self.close_connection = True
            if path.startswith("/api"):
                body = _api_error("bad_request", str(error))
                self._send(400, body, {"Content-Type": "application/json"}, frontend=False)
            else:
                self._send(400, str(error).encode(), {"Content-Type": "text/plain; charset=utf-8"})
        except Exception:
            logger.exception("error while serving %s %s", self.command, self.path)
            self.close_connection = True
            if path.startswith("/api"):
                self._send(
                    500,
                    _api_error("internal_error", "The local gateway failed."),
                    {"Content-Type": "application/json"},
                    frontend=False,
                )
            else:
                self._send(500, b"Internal error", {"Content-Type": "text/plain; charset=utf-8"})

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _dispatch

    def __getattr__(self, name: str) -> Any:
        # Any other method (TRACE, PROPFIND...) is routed too: 405 with our error body, never
        # http.server's HTML 501.
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    def _drain(self) -> None:
        length = self._content_length() or 0
        if length:
            self.rfile.read(length)

    # -- routes ---------------------------------------------------------------------------------

    def _api(self) -> None:
        from chalice.local import ForbiddenError, LocalGatewayException

        json_type = {"Content-Type": "application/json"}
        length = self._content_length() or 0
        if length > MAX_API_BODY:
            self.close_connection = True
            self._send(
                413, _api_error("payload_too_large", "The request body is too large."), json_type, False
            )
            return
        body = self._read_body()
        if body is None:
            self.close_connection = True
            self._send(411, _api_error("length_required", "Send a Content-Length."), json_type, False)
            return
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]},{value}" if key in headers else value
        api_path = self.path[len("/api") :] or "/"
        if not api_path.startswith("/"):
            api_path = "/" + api_path
        started = time.monotonic()
        try:
            response = self.site.gateway.handle_request(
                method=self.command, path=api_path, headers=headers, body=body or None
            )
        except ForbiddenError:
            # API Gateway answers unknown routes with 403 "Missing Authentication Token"; the
            # deployed stage maps that to this 404, and so do we.
            self._send(
                404,
                json.dumps(self.site.unknown_route_body, separators=(",", ":")).encode(),
                json_type,
                False,
            )
            return
        except LocalGatewayException as error:
            self._send(error.CODE, error.body or b"", {**json_type, **error.headers}, False)
            return
        out_headers: dict[str, Any] = dict(response.get("headers") or {})
        out_headers.update(response.get("multiValueHeaders") or {})
        payload = response.get("body")
        if payload is None:
            data = b""
        elif response.get("isBase64Encoded"):
            data = base64.b64decode(payload)
        else:
            data = payload.encode() if isinstance(payload, str) else payload
        status = int(response["statusCode"])
        self._send(status, data, out_headers, frontend=False)
        logger.info("%s %s %d %.0fms", self.command, self.path, status, (time.monotonic() - started) * 1000)

    def _media(self, key: str) -> None:
        # Only what the pipeline stores (the background's renditions): moto ignores a presigned
        # POST's policy, so anything else in the bucket may have been planted by a client.
        if not is_rendition_key(key):
            self._send(404, b"Not found", {"Content-Type": "text/plain; charset=utf-8"})
            return
        extra = {}
        if self.headers.get("If-None-Match"):
            extra["IfNoneMatch"] = self.headers["If-None-Match"]
        try:
            found = self.site.s3.get_object(Bucket=self.site.media_bucket, Key=key, **extra)
        except ClientError as error:
            status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 404))
            if status == 304:
                self._send(304, b"", {"ETag": self.headers["If-None-Match"]})
            else:
                self._send(404, b"Not found", {"Content-Type": "text/plain; charset=utf-8"})
            return
        headers = {
            "Content-Type": "image/jpeg",
            "ETag": found["ETag"],
            "Last-Modified": email.utils.format_datetime(found["LastModified"].astimezone(UTC), usegmt=True),
        }
        if found.get("CacheControl"):
            headers["Cache-Control"] = found["CacheControl"]
        self._send(200, found["Body"].read(), headers)

    def _mailbox_page(self) -> None:
        self.site.sync_mailbox()
        page = render_html(self.site.mailbox.newest_first()).encode()
        self._send(200, page, {"Content-Type": "text/html; charset=utf-8", **MAILBOX_HEADERS})

    def _static(self, path: str) -> None:
        file = resolve_static(path)
        if file is None:
            self._send(404, b"Not found", {"Content-Type": "text/plain; charset=utf-8"})
            return
        stat = file.stat()
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
        headers = {
            "Content-Type": content_type_for(file),
            "ETag": etag,
            "Last-Modified": email.utils.formatdate(stat.st_mtime, usegmt=True),
            # Revalidate every time: edits to the frontend show on the next reload.
            "Cache-Control": "no-cache",
        }
        if etag in [tag.strip() for tag in self.headers.get("If-None-Match", "").split(",")]:
            self._send(304, b"", headers)
            return
        self._send(200, file.read_bytes(), headers)


# Connections being told 503 at once (each a short thread); past this they are just closed.
MAX_REFUSALS = 256
BUSY_RESPONSE = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
    b"Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n"
)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a browser opens many connections at once

    def __init__(self, address: tuple[str, int], handler: type[Handler], limits: ServerLimits) -> None:
        super().__init__(address, handler)
        self.limits = limits
        self.closing = False
        self._in_flight = 0
        self._idle = threading.Condition()
        # Guards both, so a worker that finds no waiting connection and a connection that finds no
        # free worker cannot miss each other.
        self._workers_lock = threading.Lock()
        self._workers = 0
        self._waiting: collections.deque[tuple[socket.socket, Any, float]] = collections.deque()
        self._refusals = threading.BoundedSemaphore(MAX_REFUSALS)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Serve on a new worker thread if fewer than ``max_connections`` run, else wait in line
        (at most ``max_waiting``), else 503."""
        accepted = (request, client_address, time.monotonic())
        with self._workers_lock:
            if self._workers >= self.limits.max_connections:
                if len(self._waiting) < self.limits.max_waiting:
                    self._waiting.append(accepted)
                else:
                    self._refuse(request)
                return
            self._workers += 1
        try:
            threading.Thread(target=self._work, args=(accepted,), daemon=True).start()
        except BaseException:
            with self._workers_lock:
                self._workers -= 1
            self._refuse(request)
            raise

    def someone_waits(self) -> bool:
        return bool(self._waiting)

    def _work(self, accepted: tuple[socket.socket, Any, float]) -> None:
        """Serve a connection, then the longest-waiting ones, until none waits."""
        while True:
            request, client_address, accepted_at = accepted
            if time.monotonic() - accepted_at > self.limits.request_timeout:
                self._refuse(request)
            else:
                self.process_request_thread(request, client_address)
            with self._workers_lock:
                if not self._waiting:
                    self._workers -= 1
                    return
                accepted = self._waiting.popleft()

    def _refuse(self, request: socket.socket) -> None:
        if not self._refusals.acquire(blocking=False):
            self.shutdown_request(request)  # refusing is bounded too: past it, just close
            return
        threading.Thread(target=self._send_busy, args=(request,), daemon=True).start()

    def _send_busy(self, request: socket.socket) -> None:
        body = _api_error("busy", "The local stack is serving too many connections; try again in a moment.")
        try:
            request.settimeout(2)
            request.sendall(BUSY_RESPONSE + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
            request.shutdown(socket.SHUT_WR)
            # Read what the client sent, so closing does not reset the connection before it read the answer.
            while request.recv(65536):
                pass
        except OSError:
            pass
        finally:
            request.close()
            self._refusals.release()

    def track(self, delta: int) -> None:
        with self._idle:
            self._in_flight += delta
            self._idle.notify_all()

    def drain(self, timeout: float) -> bool:
        """Refuse new requests (also on open keep-alive connections); wait for running ones."""
        self.closing = True
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout)


def make_server(port: int, limits: ServerLimits | None = None) -> Server:
    """Bind 127.0.0.1:port now (so a taken port fails first); set ``RequestHandlerClass.site``
    before serving. The limits come from DEVSTACK_MAX_CONNECTIONS / DEVSTACK_REQUEST_TIMEOUT."""
    handler = type("SiteHandler", (Handler,), {})
    return Server(("127.0.0.1", port), handler, limits or ServerLimits.from_env(os.environ))
