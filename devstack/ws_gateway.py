"""A local stand-in for API Gateway's WebSocket API (``chalice local`` has none).

- A real WebSocket server (the ``websockets`` library) on ``ws_port``. Each client gets a
  connection id minted here; its opening handshake, messages and close become API Gateway-shaped
  ``$connect`` / ``$default`` / ``$disconnect`` events handed to the app's websocket handlers,
  exactly as Lambda would call them. A ``$connect`` answered with a non-2xx status refuses the
  handshake with that HTTP status (401 for a missing or bad token).
- The management API on a free port: ``POST|GET|DELETE /@connections/{id}``, with 410
  ``GoneException`` for a connection that is not open. ``start`` points
  ``MARQUEE_WEBSOCKET_ENDPOINT`` at it, so the app's boto3 ``apigatewaymanagementapi`` client
  makes the same calls as in AWS, only against this endpoint.

Two ways in: ``GatewayProcess`` runs it in a process of its own (``make run``), ``start()`` on
threads of this process (the gateway's own tests).
"""

import asyncio
import base64
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from chalice.app import Chalice
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from devstack.processes import SPAWN, ChildProcess, begin_child, wait_for_stop

logger = logging.getLogger("devstack.ws")

API_ID = "local"
STAGE = "local"
ENDPOINT_VARIABLE = "MARQUEE_WEBSOCKET_ENDPOINT"
# How long a push may wait for a connection whose $connect has succeeded but whose handshake
# has not finished yet (API Gateway accepts pushes only once the connection is open, too).
OPEN_WAIT_SECONDS = 5.0
SEND_TIMEOUT_SECONDS = 10.0


class LambdaContext:
    """The few attributes of Lambda's context object handlers might read."""

    def __init__(self, function_name: str) -> None:
        self.function_name = function_name
        self.aws_request_id = uuid.uuid4().hex
        self.memory_limit_in_mb = 128

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@dataclass
class _Client:
    connection_id: str
    source_ip: str
    user_agent: str
    connected_at: float = field(default_factory=time.time)
    last_active_at: float = field(default_factory=time.time)
    socket: ServerConnection | None = None
    opened: asyncio.Event = field(default_factory=asyncio.Event)


def _mint_connection_id() -> str:
    # Shaped like API Gateway's: 12 random bytes in base64, ending with "=".
    return base64.b64encode(os.urandom(12)).decode().replace("/", "_").replace("+", "-")[:-1] + "="


def _request_time(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000")


class Gateway:
    def __init__(self, app: Chalice, ws_port: int, host: str = "127.0.0.1") -> None:
        self.app = app
        self.host = host
        self.ws_port = ws_port
        self.clients: dict[str, _Client] = {}
        self.loop = asyncio.new_event_loop()
        # Handlers do blocking I/O (DynamoDB through boto3); the event loop never runs them.
        self.invoker = ThreadPoolExecutor(max_workers=16, thread_name_prefix="ws-lambda")
        self.server: Server | None = None
        self.watchers: set[asyncio.Task[None]] = set()
        self.management: ThreadingHTTPServer | None = None
        self._loop_thread = threading.Thread(target=self.loop.run_forever, name="ws-gateway", daemon=True)
        self._http_thread: threading.Thread | None = None

    # The app's handlers

    def _context(self, client: _Client, route_key: str, event_type: str) -> dict[str, Any]:
        now = time.time()
        return {
            "routeKey": route_key,
            "eventType": event_type,
            "messageDirection": "IN",
            "extendedRequestId": uuid.uuid4().hex,
            "requestTime": _request_time(now),
            "requestTimeEpoch": int(now * 1000),
            "connectedAt": int(client.connected_at * 1000),
            "identity": {"sourceIp": client.source_ip, "userAgent": client.user_agent},
            "requestId": uuid.uuid4().hex,
            "domainName": f"{self.host}:{self.ws_port}",
            "stage": STAGE,
            "apiId": API_ID,
            "connectionId": client.connection_id,
        }

    def _invoke(self, route_key: str, event: dict[str, Any]) -> dict[str, Any] | None:
        """Call the app's handler as Lambda would; None when the route has no handler."""
        config = self.app.websocket_handlers.get(route_key)
        if config is None:
            return None
        handler = self.app.handler_map[config.name]
        return handler(event, LambdaContext(config.name))

    async def _call(self, route_key: str, event: dict[str, Any]) -> dict[str, Any] | None:
        return await self.loop.run_in_executor(self.invoker, self._invoke, route_key, event)

    # WebSocket side

    async def _process_request(self, socket: ServerConnection, request: Request) -> Response | None:
        remote = socket.remote_address
        client = _Client(
            connection_id=_mint_connection_id(),
            source_ip=str(remote[0]) if remote else "127.0.0.1",
            user_agent=request.headers.get("User-Agent", ""),
        )
        query = parse_qs(urlsplit(request.path).query, keep_blank_values=True)
        headers = dict(request.headers.raw_items())
        event = {
            "headers": headers,
            "multiValueHeaders": {name: request.headers.get_all(name) for name in headers},
            "queryStringParameters": {name: values[-1] for name, values in query.items()} or None,
            "multiValueQueryStringParameters": query or None,
            "requestContext": self._context(client, "$connect", "CONNECT"),
            "isBase64Encoded": False,
        }
        try:
            result = await self._call("$connect", event)
        except Exception:
            logger.exception("$connect handler failed")
            return socket.respond(HTTPStatus.INTERNAL_SERVER_ERROR, '{"message": "Internal server error"}')
        status = int((result or {}).get("statusCode", 200))
        if not 200 <= status < 300:
            response = socket.respond(status, str((result or {}).get("body") or ""))
            for name, value in ((result or {}).get("headers") or {}).items():
                response.headers[name] = value
            return response
        client.socket = socket
        self.clients[client.connection_id] = client
        socket.connection_id = client.connection_id  # type: ignore[attr-defined]
        # Also covers a client that vanishes before the handshake completes: $connect succeeded,
        # so $disconnect is owed whatever happens next.
        watcher = self.loop.create_task(self._watch(client, socket))
        self.watchers.add(watcher)
        watcher.add_done_callback(self.watchers.discard)
        return None

    async def _handle(self, socket: ServerConnection) -> None:
        client = self.clients.get(getattr(socket, "connection_id", ""))
        if client is None:
            return
        client.opened.set()
        try:
            async for frame in socket:
                client.last_active_at = time.time()
                await self._message(client, frame)
        except ConnectionClosed:
            pass

    async def _watch(self, client: _Client, socket: ServerConnection) -> None:
        await socket.wait_closed()
        self.clients.pop(client.connection_id, None)
        client.opened.set()
        await self._disconnect(client, socket)

    async def _message(self, client: _Client, frame: str | bytes) -> None:
        is_binary = isinstance(frame, bytes)
        event = {
            "body": base64.b64encode(frame).decode() if is_binary else frame,
            "isBase64Encoded": is_binary,
            "requestContext": {**self._context(client, "$default", "MESSAGE"), "messageId": uuid.uuid4().hex},
        }
        try:
            await self._call("$default", event)
        except Exception:
            logger.exception("$default handler failed")
            error = {"message": "Internal server error", "connectionId": client.connection_id}
            await client.socket.send(json.dumps(error))  # type: ignore[union-attr]

    async def _disconnect(self, client: _Client, socket: ServerConnection) -> None:
        code = socket.close_code if socket.close_code is not None else 1006
        event = {
            "headers": {},
            "isBase64Encoded": False,
            "requestContext": {
                **self._context(client, "$disconnect", "DISCONNECT"),
                "disconnectStatusCode": code,
                "disconnectReason": socket.close_reason or "",
            },
        }
        try:
            await self._call("$disconnect", event)
        except Exception:
            logger.exception("$disconnect handler failed")

    # Management API side (called from the HTTP server's threads)

    def _open_client(self, connection_id: str) -> _Client | None:
        client = self.clients.get(connection_id)
        if client is None or client.socket is None:
            return None

        async def wait_open() -> bool:
            try:
                await asyncio.wait_for(client.opened.wait(), OPEN_WAIT_SECONDS)
            except TimeoutError:
                return False
            return connection_id in self.clients

        return client if asyncio.run_coroutine_threadsafe(wait_open(), self.loop).result() else None

    def post(self, connection_id: str, data: bytes) -> bool:
        client = self._open_client(connection_id)
        if client is None:
            return False
        try:
            message: str | bytes = data.decode()
        except UnicodeDecodeError:
            message = data
        future = asyncio.run_coroutine_threadsafe(client.socket.send(message), self.loop)  # type: ignore[union-attr]
        try:
            future.result(SEND_TIMEOUT_SECONDS)
        except ConnectionClosed:
            return False
        return True

    def info(self, connection_id: str) -> dict[str, Any] | None:
        client = self._open_client(connection_id)
        if client is None:
            return None
        return {
            "connectedAt": datetime.fromtimestamp(client.connected_at, UTC).isoformat(),
            "lastActiveAt": datetime.fromtimestamp(client.last_active_at, UTC).isoformat(),
            "identity": {"sourceIp": client.source_ip, "userAgent": client.user_agent},
        }

    def close(self, connection_id: str) -> bool:
        client = self._open_client(connection_id)
        if client is None:
            return False
        asyncio.run_coroutine_threadsafe(client.socket.close(1000), self.loop)  # type: ignore[union-attr]
        return True

    # Lifecycle

    async def _serve(self) -> None:
        self.server = await serve(
            self._handle,
            self.host,
            self.ws_port,
            process_request=self._process_request,
            compression=None,
        )

    def start(self) -> None:
        self._loop_thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self.loop).result(10)
        self.management = ThreadingHTTPServer((self.host, 0), _management_handler(self))
        self.management.daemon_threads = True
        self._http_thread = threading.Thread(
            target=self.management.serve_forever, args=(0.1,), name="ws-management", daemon=True
        )
        self._http_thread.start()

    @property
    def management_url(self) -> str:
        assert self.management is not None
        return f"http://{self.host}:{self.management.server_address[1]}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.ws_port}"

    def stop(self) -> None:
        """Close every connection (each gets its $disconnect, as on API Gateway), then stop."""
        if self.server is not None:

            async def shutdown() -> None:
                assert self.server is not None
                self.server.close()
                await self.server.wait_closed()
                if self.watchers:
                    await asyncio.wait(set(self.watchers))

            asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(30)
            self.server = None
        if self.management is not None:
            self.management.shutdown()
            self.management.server_close()
            self.management = None
        self.invoker.shutdown(wait=True)
        if self.loop.is_running():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._loop_thread.join(10)


def _management_handler(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class ManagementHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: boto3 reuses its connections

        def log_message(self, format: str, *args: Any) -> None:
            logger.debug("management: " + format, *args)

        def _connection_id(self) -> str | None:
            path = urlsplit(self.path).path
            _, marker, rest = path.rpartition("/@connections/")
            if not marker or not rest or "/" in rest:
                return None
            return unquote(rest)

        def _reply(self, status: int, body: dict[str, Any] | None = None, error_type: str = "") -> None:
            data = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Date", format_datetime(datetime.now(UTC), usegmt=True))
            self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
            if error_type:
                self.send_header("x-amzn-ErrorType", error_type)
            self.end_headers()
            self.wfile.write(data)

        def _gone(self) -> None:
            self._reply(HTTPStatus.GONE, {"message": None, "__type": "GoneException"}, "GoneException")

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _route(self) -> str | None:
            connection_id = self._connection_id()
            if connection_id is None:
                self._body()
                self._reply(HTTPStatus.FORBIDDEN, {"message": "Forbidden"}, "ForbiddenException")
            return connection_id

        def do_POST(self) -> None:
            connection_id = self._route()
            if connection_id is None:
                return
            data = self._body()
            if gateway.post(connection_id, data):
                self._reply(HTTPStatus.OK)
            else:
                self._gone()

        def do_GET(self) -> None:
            connection_id = self._route()
            if connection_id is None:
                return
            info = gateway.info(connection_id)
            if info is None:
                self._gone()
            else:
                self._reply(HTTPStatus.OK, info)

        def do_DELETE(self) -> None:
            connection_id = self._route()
            if connection_id is None:
                return
            if gateway.close(connection_id):
                self._reply(HTTPStatus.NO_CONTENT)
            else:
                self._gone()

    return ManagementHandler


def start(app: Chalice, ws_port: int, environ: MutableMapping[str, str]) -> Gateway:
    """Serve ``app``'s websocket handlers on ``ws_port`` and point the app's management client at
    this gateway by setting ``MARQUEE_WEBSOCKET_ENDPOINT`` in ``environ`` (the app's environment).
    Returns the running gateway; ``stop()`` closes every connection and both servers."""
    from chalicelib.config import settings

    gateway = Gateway(app, ws_port)
    gateway.start()
    logger.info("websocket management API on %s (%s)", gateway.management_url, ENDPOINT_VARIABLE)
    environ[ENDPOINT_VARIABLE] = gateway.management_url
    settings.cache_clear()
    return gateway


class GatewayProcess(ChildProcess):
    """The gateway in a process of its own, as API Gateway is a service of its own deployed: the
    pushes to an audience (a thousand posts a second from the stream functions, each a socket
    write here) do not take the interpreter lock from the stack's requests. The process
    inherits the stack's environment and reaches moto over HTTP, as the request handlers do.
    Its ``stop()`` gives every connection its $disconnect (as on API Gateway) before it ends."""

    def __init__(self, ws_port: int, log_level: str) -> None:
        self._answers, child_end = SPAWN.Pipe(duplex=False)
        super().__init__("websocket", _serve_in_process, (ws_port, log_level, child_end), grace=45)

    def start(self, environ: MutableMapping[str, str], timeout: float = 120) -> str:
        """Returns the management URL once the gateway listens, after pointing
        ``MARQUEE_WEBSOCKET_ENDPOINT`` in ``environ`` at it; raises OSError when it cannot listen."""
        self.process.start()
        deadline = time.monotonic() + timeout
        while not self._answers.poll(0.2):
            if not self.process.is_alive():
                code = self.process.exitcode
                raise RuntimeError(f"the WebSocket gateway's process ended ({code}); its error is above")
            if time.monotonic() > deadline:
                self.process.terminate()
                raise RuntimeError("the WebSocket gateway's process did not start")
        answer = self._answers.recv()
        if "error" in answer:
            self.process.join(10)
            raise OSError(answer["error"])
        environ[ENDPOINT_VARIABLE] = answer["management_url"]
        return answer["management_url"]


def _serve_in_process(ws_port: int, log_level: str, answers: Any, stop: Any) -> None:
    begin_child(log_level)
    from app import app

    try:
        gateway = start(app, ws_port, os.environ)
    except OSError as error:
        answers.send({"error": f"cannot listen on 127.0.0.1:{ws_port} ({error.strerror or error})"})
        return
    answers.send({"management_url": gateway.management_url})
    wait_for_stop(stop)
    gateway.stop()
