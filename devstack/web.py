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
import email.utils
import json
import logging
import mimetypes
import posixpath
import threading
import time
from dataclasses import dataclass
from datetime import UTC
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from botocore.exceptions import ClientError

from chalicelib.http.site_headers import API_HEADERS
from deploy.frontend import CONTENT_TYPES
from devstack.mailbox import Mailbox, render_html

logger = logging.getLogger("devstack.web")

REPO_ROOT = Path(__file__).resolve().parent.parent

# URL prefix -> directory. Longest prefix first; a path never leaves its directory.
STATIC_ROOTS: tuple[tuple[str, Path], ...] = (
    ("/vendor/", REPO_ROOT / "node_modules"),  # browser libraries of package.json, no bundler
    ("/", REPO_ROOT / "frontend"),
)

# Headers of every non-API response (frontend files, config.json, media, mailbox).

# The mailbox shows text written by users (escaped); it needs no script at all.
MAILBOX_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
    ),
    "Cache-Control": "no-store",
}

# API Gateway's payload limit: bigger requests never reach the Lambda.
MAX_API_BODY = 10 * 1024 * 1024


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
        self.end_headers()
        if has_body and self.command != "HEAD":
            self.wfile.write(body)

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(payload).encode()
        self._send(
            status, body, {"Content-Type": "application/json", "Cache-Control": "no-store", **(headers or {})}
        )

    def _read_body(self) -> bytes | None:
        length = self.headers.get("Content-Length")
        if length is None:
            return b"" if "chunked" not in self.headers.get("Transfer-Encoding", "") else None
        return self.rfile.read(int(length)) if int(length) > 0 else b""

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
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
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
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)

    # -- routes ---------------------------------------------------------------------------------

    def _api(self) -> None:
        from chalice.local import ForbiddenError, LocalGatewayException

        json_type = {"Content-Type": "application/json"}
        length = int(self.headers.get("Content-Length") or 0)
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
        # Originals uploaded for processing stay private, as in the deployed bucket policy.
        if not key or key.startswith("uploads/"):
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
            "Content-Type": found.get("ContentType") or "application/octet-stream",
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


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a browser opens many connections at once

    def __init__(self, address: tuple[str, int], handler: type[Handler]) -> None:
        super().__init__(address, handler)
        self.closing = False
        self._in_flight = 0
        self._idle = threading.Condition()

    def track(self, delta: int) -> None:
        with self._idle:
            self._in_flight += delta
            self._idle.notify_all()

    def drain(self, timeout: float) -> bool:
        """Refuse new requests (also on open keep-alive connections); wait for running ones."""
        self.closing = True
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout)


def make_server(port: int) -> Server:
    """Bind 127.0.0.1:port now (so a taken port fails first); set ``RequestHandlerClass.site``
    before serving."""
    handler = type("SiteHandler", (Handler,), {})
    return Server(("127.0.0.1", port), handler)
