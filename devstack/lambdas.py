"""A local stand-in for the Lambda service's Invoke API, running the app's ``@app.lambda_function``
functions (moto runs Lambda functions in Docker, which the local stack does without).

It serves ``POST /2015-03-31/functions/{FunctionName}/invocations`` as boto3's ``lambda`` client
sends it; the stack points ``AWS_ENDPOINT_URL_LAMBDA`` here, so the app makes the same calls as in
AWS. ``FunctionName`` is the deployed name (``marquee-<stage>-<function>``) or an ARN of it.

- ``X-Amz-Invocation-Type: Event``: 202 at once; the function runs on one of ``CONCURRENCY``
  workers. One that raises runs twice more, as Lambda retries an asynchronous invocation (after
  ``retry_delays`` seconds here, a minute or two there), then the event is logged and dropped.
- ``RequestResponse`` (the default): 200 with the function's JSON result; a function that raises
  answers 200 with ``X-Amz-Function-Error: Unhandled`` and ``{"errorMessage", "errorType"}``.
- ``DryRun``: 204.
- An unknown function: 404 ``ResourceNotFoundException``; a payload over Lambda's limits (1 MB
  asynchronous, 6 MB synchronous): 413 ``RequestTooLargeException``; a payload that is not
  JSON: 400 ``InvalidRequestContentException``.

Two ways in: ``LambdaProcess`` runs it in a process of its own (``make run``: deployed, each
invocation is a function of its own beside the stream function that made it), ``LambdaService``
on threads of this process (its own tests).
"""

import json
import logging
import time
import uuid
from collections.abc import Callable, MutableMapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread
from typing import Any
from urllib.parse import unquote, urlsplit

from chalice.app import Chalice
from chalice.local import LambdaContext

from chalicelib.config import function_name
from devstack.processes import SPAWN, ChildProcess, begin_child, wait_for_stop

logger = logging.getLogger("devstack.lambda")

ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_LAMBDA"
# Functions running at once: deployed, the account's concurrency (1,000 by default).
CONCURRENCY = 8
ASYNC_PAYLOAD_LIMIT = 1024 * 1024
SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024
RETRY_DELAYS = (1.0, 2.0)
MEMORY_MB = 256
TIMEOUT_MS = 30_000
_PATH_PREFIX = "/2015-03-31/functions/"
_PATH_SUFFIX = "/invocations"

Handler = Callable[[Any, Any], Any]


class InvocationError(Exception):
    def __init__(self, status: int, error_type: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message


def _function_part(name: str) -> str:
    """``my-fn``, ``123456789012:function:my-fn`` or ``arn:aws:lambda:r:a:function:my-fn[:q]``."""
    if ":function:" in name:
        name = name.split(":function:", 1)[1]
    return name.split(":", 1)[0]


class LambdaService:
    def __init__(
        self,
        app: Chalice,
        stage: str,
        port: int = 0,
        retry_delays: Sequence[float] = RETRY_DELAYS,
    ) -> None:
        self._functions: dict[str, Handler] = {
            function_name(stage, function.name): app.handler_map[function.name]
            for function in app.pure_lambda_functions
        }
        self._retry_delays = tuple(retry_delays)
        self._workers = ThreadPoolExecutor(max_workers=CONCURRENCY, thread_name_prefix="lambda")
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self._server.daemon_threads = True
        self._thread = Thread(target=self._server.serve_forever, args=(0.1,), name="lambda-api", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop taking invocations; those queued still run."""
        self._server.shutdown()
        self._server.server_close()
        self._workers.shutdown(wait=True)

    def _resolve(self, name: str) -> tuple[str, Handler]:
        deployed = _function_part(name)
        handler = self._functions.get(deployed)
        if handler is None:
            raise InvocationError(
                HTTPStatus.NOT_FOUND, "ResourceNotFoundException", f"Function not found: {deployed}"
            )
        return deployed, handler

    def invoke(self, name: str, invocation_type: str, payload: bytes) -> tuple[int, bytes, str]:
        """(status, body, function error) as Lambda's Invoke answers them."""
        deployed, handler = self._resolve(name)
        if invocation_type not in ("Event", "RequestResponse", "DryRun"):
            raise InvocationError(
                HTTPStatus.BAD_REQUEST, "InvalidParameterValueException", f"{invocation_type}: no such type"
            )
        limit = ASYNC_PAYLOAD_LIMIT if invocation_type == "Event" else SYNC_PAYLOAD_LIMIT
        if len(payload) > limit:
            raise InvocationError(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                "RequestTooLargeException",
                f"{len(payload)} bytes: more than the {limit} bytes an invocation may carry",
            )
        try:
            event = json.loads(payload) if payload.strip() else {}
        except ValueError:
            raise InvocationError(
                HTTPStatus.BAD_REQUEST,
                "InvalidRequestContentException",
                "Could not parse request body into json",
            ) from None
        if invocation_type == "DryRun":
            return HTTPStatus.NO_CONTENT, b"", ""
        if invocation_type == "Event":
            self._workers.submit(self._run_async, deployed, handler, event)
            return HTTPStatus.ACCEPTED, b"", ""
        try:
            result = self._call(deployed, handler, event)
        except Exception as error:
            failure = {"errorMessage": str(error), "errorType": type(error).__name__}
            return HTTPStatus.OK, json.dumps(failure).encode(), "Unhandled"
        return HTTPStatus.OK, json.dumps(result).encode(), ""

    @staticmethod
    def _call(deployed: str, handler: Handler, event: Any) -> Any:
        return handler(event, LambdaContext(deployed, MEMORY_MB, TIMEOUT_MS))

    def _run_async(self, deployed: str, handler: Handler, event: Any) -> None:
        for attempt, delay in enumerate((*self._retry_delays, None), start=1):
            started = time.monotonic()
            try:
                result = self._call(deployed, handler, event)
            except Exception:
                logger.exception("%s failed (attempt %d)", deployed, attempt)
                if delay is None:
                    logger.error("%s: event dropped after %d attempts", deployed, attempt)
                    return
                time.sleep(delay)
                continue
            logger.info("%s ran in %.0f ms: %s", deployed, (time.monotonic() - started) * 1000, result)
            return


def _handler(service: LambdaService) -> type[BaseHTTPRequestHandler]:
    class InvokeHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: boto3 reuses its connections

        def log_message(self, format: str, *args: Any) -> None:
            logger.debug("invoke: " + format, *args)

        def _reply(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            payload = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            path = urlsplit(self.path).path
            if not (path.startswith(_PATH_PREFIX) and path.endswith(_PATH_SUFFIX)):
                self._reply(HTTPStatus.NOT_FOUND, b'{"message": "no such route"}', {})
                return
            name = unquote(path[len(_PATH_PREFIX) : -len(_PATH_SUFFIX)])
            invocation_type = self.headers.get("X-Amz-Invocation-Type") or "RequestResponse"
            try:
                status, body, function_error = service.invoke(name, invocation_type, payload)
            except InvocationError as error:
                body = json.dumps({"Type": "User", "message": error.message}).encode()
                self._reply(error.status, body, {"x-amzn-ErrorType": error.error_type})
                return
            headers = {"X-Amz-Executed-Version": "$LATEST"}
            if function_error:
                headers["X-Amz-Function-Error"] = function_error
            self._reply(status, body, headers)

    return InvokeHandler


class LambdaProcess(ChildProcess):
    """The stand-in in a process of its own: an audience's fan-out pages post from it, beside the
    stream functions, as their invocations are functions of their own deployed. It inherits the
    stack's environment (moto's endpoint, the WebSocket management endpoint)."""

    def __init__(self, log_level: str) -> None:
        self._answers, child_end = SPAWN.Pipe(duplex=False)
        super().__init__("lambda", _serve, (log_level, child_end), grace=30)

    def start(self, environ: MutableMapping[str, str], timeout: float = 120) -> str:
        """Returns the Invoke API's URL once it listens, after pointing ``AWS_ENDPOINT_URL_LAMBDA``
        in ``environ`` at it (processes started from then on invoke it)."""
        self.process.start()
        if not self._answers.poll(timeout):
            self.process.terminate()
            raise RuntimeError("the Lambda stand-in's process did not start")
        url = str(self._answers.recv()["url"])
        environ[ENDPOINT_VARIABLE] = url
        return url


def _serve(log_level: str, answers: Any, stop: Any) -> None:
    begin_child(log_level)
    from app import app
    from chalicelib.config import settings
    from devstack.streams import warm_up

    warm_up()
    service = LambdaService(app, settings().stage)
    service.start()
    logger.info("Lambda Invoke API on %s (%s)", service.url, ENDPOINT_VARIABLE)
    answers.send({"url": service.url})
    wait_for_stop(stop)
    service.stop()
