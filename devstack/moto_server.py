"""The embedded moto server (DynamoDB, S3, SES) with one lock around every request.

moto's backends are plain Python objects without locking: two concurrent conditional writes
can both pass their condition. Holding one lock per request makes moto behave like the
serializable store the app is written against. The lock also tells the saver whether anything
changed since the last save, and lets a snapshot hold it across many requests so that what is
saved is one consistent state.
"""

import logging
import secrets
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

logger = logging.getLogger("devstack.moto")

SNAPSHOT_HEADER = "x-devstack-snapshot"
_SNAPSHOT_ENVIRON_KEY = "HTTP_X_DEVSTACK_SNAPSHOT"

# DynamoDB requests are all POSTs; these targets never change data.
_DYNAMODB_READS = frozenset(
    {
        "GetItem",
        "BatchGetItem",
        "Query",
        "Scan",
        "DescribeTable",
        "DescribeTimeToLive",
        "DescribeContinuousBackups",
        "ListTables",
        "ListTagsOfResource",
    }
)

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


class SerializedApp:
    """WSGI middleware: one request at a time into moto, and a counter of writes."""

    def __init__(self, app: WsgiApp, after_write: Callable[[dict], None] | None = None) -> None:
        self._app = app
        self._lock = threading.Lock()
        self._after_write = after_write
        self._snapshot_token: str | None = None
        self.generation = 0

    @staticmethod
    def _is_write(environ: dict) -> bool:
        if environ.get("REQUEST_METHOD", "GET") in ("GET", "HEAD", "OPTIONS"):
            return False
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target.startswith("DynamoDB_"):
            return target.partition(".")[2] not in _DYNAMODB_READS
        return True

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        token = environ.get(_SNAPSHOT_ENVIRON_KEY)
        if token is not None and token == self._snapshot_token:
            # The snapshot already holds the lock; its own requests go straight through.
            return list(self._app(environ, start_response))
        with self._lock:
            # moto builds the whole body in memory: draining it here keeps it inside the lock.
            body = list(self._app(environ, start_response))
            if self._is_write(environ):
                self.generation += 1
                if self._after_write is not None:
                    self._after_write(environ)
            return body

    @contextmanager
    def snapshot(self) -> Iterator[tuple[str, int]]:
        """Hold the lock; yield (token, generation). Requests carrying the token in
        ``SNAPSHOT_HEADER`` pass while everyone else waits."""
        with self._lock:
            self._snapshot_token = secrets.token_hex(16)
            try:
                yield self._snapshot_token, self.generation
            finally:
                self._snapshot_token = None

    def locked_call(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` holding the lock (to read moto's backends directly, not over HTTP)."""
        with self._lock:
            return fn()


class LockedMotoServer:
    """moto's server app behind SerializedApp, on 127.0.0.1 and a free port."""

    def __init__(self, after_write: Callable[[dict], None] | None = None) -> None:
        self.app = SerializedApp(DomainDispatcherApplication(create_backend_app), after_write)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._server = make_server(
            "127.0.0.1", 0, self.app, threaded=True, request_handler=MotoRequestHandler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.1,), name="moto", daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        assert self._server is not None, "start() first"
        return int(self._server.server_port)

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


def add_snapshot_header(client: Any, token_source: Callable[[], str | None]) -> None:
    """Make a boto3 client send the current snapshot token (when there is one)."""

    def add_header(request: Any, **_: Any) -> None:
        token = token_source()
        if token is not None:
            request.headers[SNAPSHOT_HEADER] = token

    client.meta.events.register("before-send.*.*", add_header)
