"""The embedded moto server (DynamoDB, S3, SES) with one lock around every request.

moto's backends are plain Python objects without locking: two concurrent conditional writes
can both pass their condition. Holding one lock per request makes moto behave like the
serializable store the app is written against.

A ``WriteRecorder`` (devstack.persistence) makes the answers durable: each write moto applied
successfully is handed to it inside the lock, in the order moto applied them, and no answer
(of a write or of a read that may have seen one) leaves before the recorder says what it
recorded so far is on disk.
"""

import io
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from moto.server import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

from devstack import moto_partitions, moto_serialize, moto_transactions

logger = logging.getLogger("devstack.moto")

# DynamoDB requests are all POSTs; these targets never change data.
_DYNAMODB_READS = frozenset(
    {
        "GetItem",
        "BatchGetItem",
        "TransactGetItems",
        "Query",
        "Scan",
        "DescribeTable",
        "DescribeTimeToLive",
        "DescribeContinuousBackups",
        "DescribeEndpoints",
        "DescribeLimits",
        "ListTables",
        "ListTagsOfResource",
    }
)
# Request headers a replay does not need (the body is replayed whole, with its length).
_UNRECORDED_HEADERS = frozenset(
    {
        "HTTP_CONNECTION",
        "HTTP_KEEP_ALIVE",
        "HTTP_ACCEPT_ENCODING",
        "HTTP_USER_AGENT",
        "HTTP_EXPECT",
        "HTTP_TRANSFER_ENCODING",
        "HTTP_CONTENT_LENGTH",
        "HTTP_AMZ_SDK_INVOCATION_ID",
        "HTTP_AMZ_SDK_REQUEST",
    }
)

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


@dataclass(frozen=True)
class WriteRequest:
    """A request that may change moto's data, as it can be recorded and replayed."""

    method: str
    path: str
    query: str
    headers: dict[str, str]  # WSGI names: HTTP_*, CONTENT_TYPE
    body: bytes

    @classmethod
    def take(cls, environ: dict) -> "WriteRequest":
        """Read the whole body out of ``environ`` and put it back for moto to read."""
        stream = environ["wsgi.input"]
        if environ.get("wsgi.input_terminated"):
            body = stream.read()
        else:
            remaining = int(environ.get("CONTENT_LENGTH") or 0)
            chunks = []
            while remaining > 0:
                chunk = stream.read(remaining)
                if not chunk:
                    break
                chunks.append(chunk)
                remaining -= len(chunk)
            body = b"".join(chunks)
        environ.pop("wsgi.input_terminated", None)
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        headers = {
            name: value
            for name, value in environ.items()
            if (name.startswith("HTTP_") or name == "CONTENT_TYPE") and name not in _UNRECORDED_HEADERS
        }
        return cls(
            method=environ.get("REQUEST_METHOD", "POST"),
            path=environ.get("PATH_INFO", "/"),
            query=environ.get("QUERY_STRING", ""),
            headers=headers,
            body=body,
        )

    def environ(self) -> dict:
        return {
            "REQUEST_METHOD": self.method,
            "SCRIPT_NAME": "",
            "PATH_INFO": self.path,
            "QUERY_STRING": self.query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "0",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(self.body),
            "wsgi.errors": io.StringIO(),
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(self.body)),
            **self.headers,
        }

    @property
    def dynamodb_action(self) -> str | None:
        """``PutItem`` for a DynamoDB PutItem, ..., None for any other service."""
        target = self.headers.get("HTTP_X_AMZ_TARGET", "")
        return target.partition(".")[2] if target.startswith("DynamoDB_") else None

    @property
    def is_ses(self) -> bool:
        return "/ses/aws4_request" in self.headers.get("HTTP_AUTHORIZATION", "")


class WriteRecorder(Protocol):
    def prepare(self, request: WriteRequest) -> Any:
        """Outside the lock, before moto sees the request (e.g. store a big body)."""

    def commit(self, prepared: Any) -> None:
        """Inside the lock, right after moto applied the request successfully."""

    def position(self) -> int:
        """Inside the lock: how far the record goes (what the answer may depend on)."""

    def wait_durable(self, position: int) -> None:
        """Outside the lock, before the answer leaves: everything up to ``position`` is on disk."""


def _status_code(status: str) -> int:
    return int(status.split(" ", 1)[0])


class SerializedApp:
    """WSGI middleware: one request at a time into moto, each successful write recorded."""

    def __init__(self, app: WsgiApp) -> None:
        self._app = app
        self._lock = threading.Lock()
        self.recorder: WriteRecorder | None = None

    @staticmethod
    def _is_write(environ: dict) -> bool:
        if environ.get("REQUEST_METHOD", "GET") in ("GET", "HEAD", "OPTIONS"):
            return False
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target.startswith("DynamoDBStreams_"):
            return False
        if target.startswith("DynamoDB_"):
            return target.partition(".")[2] not in _DYNAMODB_READS
        return True

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        recorder = self.recorder
        if recorder is None:
            with self._lock:
                # moto builds the whole body in memory: draining it here keeps it inside the lock.
                return list(self._app(environ, start_response))
        prepared = recorder.prepare(WriteRequest.take(environ)) if self._is_write(environ) else None
        statuses: list[str] = []

        def recording_start_response(status: str, headers: list, exc_info: Any = None) -> Callable:
            statuses.append(status)
            return start_response(status, headers, exc_info)

        with self._lock:
            body = list(self._app(environ, recording_start_response))
            # A refused write (failed condition, validation) changed nothing: it is not recorded.
            if prepared is not None and statuses and _status_code(statuses[-1]) < 400:
                recorder.commit(prepared)
            position = recorder.position()
        recorder.wait_durable(position)
        return body

    def replay(self, request: WriteRequest) -> int:
        """Apply a recorded write again (on start), unrecorded; returns moto's status code."""
        statuses: list[str] = []

        def keep_status(status: str, headers: list, exc_info: Any = None) -> Callable:
            statuses.append(status)
            return lambda data: None

        with self._lock:
            list(self._app(request.environ(), keep_status))
        return _status_code(statuses[-1])

    def locked_call(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` holding the lock (to read moto's backends directly, not over HTTP)."""
        with self._lock:
            return fn()


class _Dispatcher(DomainDispatcherApplication):
    """moto's dispatcher, remembering which backend serves each host: moto's own finds it by
    listing its package's folder (a listdir and a stat of each of ~150 entries) on every
    request, inside the lock every request waits for: 8% of the stack's CPU during a run of
    orders. The answer only depends on the host and moto's fixed URL patterns."""

    _REMEMBERED_HOSTS = 1024  # the Host header is the client's: past this, look up as moto does

    def __init__(self, create_app: Callable[[str], Any]) -> None:
        super().__init__(create_app)
        self._backends: dict[str | None, Any] = {}

    def get_backend_for_host(self, host: str | None) -> Any:
        if host in self._backends:
            return self._backends[host]
        backend = super().get_backend_for_host(host)
        if len(self._backends) < self._REMEMBERED_HOSTS:
            self._backends[host] = backend
        return backend


class LockedMotoServer:
    """moto's server app behind SerializedApp, on 127.0.0.1 and a free port."""

    def __init__(self) -> None:
        moto_transactions.install()
        moto_serialize.install()
        moto_partitions.install()
        self.app = SerializedApp(_Dispatcher(create_backend_app))
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
