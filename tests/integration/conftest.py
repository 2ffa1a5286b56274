"""Integration fixtures: the real local stack (`python -m devstack`) in a subprocess, over HTTP.

Fixtures (use them from tests/integration and tests/e2e):

``local_stack_factory``
    ``start(data_dir=None, port=None, ws_port=None, env=None) -> LocalStack``: starts a stack on
    free ports (or the given ones) with its own DATA_DIR (a fresh temp dir unless given) and
    waits until ``/config.json`` answers (60 s). Every stack it started is stopped at teardown.
``local_stack``
    One fresh stack for one test (function scope): use it when the test stops, restarts or
    fills the stack with data other tests must not see.
``shared_local_stack``
    One stack for the whole session: faster, for tests that only talk to it. Never stop it;
    use unique e-mail addresses (``stack.unique_email()``).

``LocalStack`` (what the fixtures yield):
    ``base_url`` (frontend origin, ``http://127.0.0.1:PORT``), ``api_url`` (``base_url + "/api"``),
    ``ws_url``, ``aws_endpoint`` (the embedded moto), ``port``, ``ws_port``, ``data_dir``,
    ``superadmin_email`` / ``superadmin_password`` (as printed by the stack),
    ``output`` (everything it printed so far), ``process``;
    ``api(method, path, json=None, token=None, headers=None) -> requests.Response`` (path under /api),
    ``signup(email=None, password=..., name=...) -> token``, ``login(email, password) -> token``,
    ``superadmin_token()``, ``aws_client(service)`` (boto3 on the stack's moto),
    ``stop(sig=SIGTERM) -> exit code``, ``start()``, ``restart(sig=SIGTERM)`` (same ports and
    DATA_DIR), ``wait_for_output(regex)``.

The stack inherits this process's environment minus MARQUEE_* / AWS_* (it sets its own), except
the cheap argon2 costs of tests/conftest.py, which keep logins fast.
"""

import contextlib
import itertools
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0
STOP_TIMEOUT = 60.0
READY_LINE = "Marquee local stack ready"
_KEPT_VARIABLES = ("MARQUEE_ARGON2_TIME_COST", "MARQUEE_ARGON2_MEMORY_KIB")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def stack_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not (name.startswith(("MARQUEE_", "AWS_")) or name in ("SUPERADMIN_EMAIL", "SUPERADMIN_PASSWORD"))
        or name in _KEPT_VARIABLES
    }
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


class StackFailed(AssertionError):
    pass


class LocalStack:
    _emails = itertools.count()

    def __init__(self, port: int, ws_port: int, data_dir: Path, env: dict[str, str] | None = None) -> None:
        self.port = port
        self.ws_port = ws_port
        self.data_dir = data_dir
        self.base_url = f"http://127.0.0.1:{port}"
        self.api_url = f"{self.base_url}/api"
        self.ws_url = f"ws://127.0.0.1:{ws_port}"
        self.extra_env = dict(env or {})
        self.process: subprocess.Popen[str] | None = None
        self.aws_endpoint = ""
        self.superadmin_email = ""
        self.superadmin_password = ""
        self._lines: list[str] = []
        self._lines_lock = threading.Lock()
        self._reader: threading.Thread | None = None
        self.session = requests.Session()

    # -- process ---------------------------------------------------------------------------------

    @property
    def output(self) -> str:
        with self._lines_lock:
            return "".join(self._lines)

    def _read(self, stream: Any) -> None:
        for line in stream:
            with self._lines_lock:
                self._lines.append(line)

    def start(self) -> "LocalStack":
        assert self.process is None or self.process.poll() is not None, "already running"
        env = stack_env(
            {"PORT": str(self.port), "WS_PORT": str(self.ws_port), "DATA_DIR": str(self.data_dir)}
            | self.extra_env
        )
        with self._lines_lock:
            self._lines.append(
                f"--- start (PORT={self.port} WS_PORT={self.ws_port} DATA_DIR={self.data_dir})\n"
            )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "devstack"],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        self._reader = threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True)
        self._reader.start()
        try:
            self._wait_until_ready()
        except BaseException:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            raise
        return self

    def _wait_until_ready(self) -> None:
        """Until this process printed its banner and /config.json answers (never trusting another
        process that may hold the port)."""
        deadline = time.monotonic() + START_TIMEOUT
        assert self.process is not None
        start_of_run = self.output.rfind("--- start")
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._join_reader()
                raise StackFailed(f"the stack exited with {self.process.returncode}:\n{self.output}")
            if READY_LINE in self.output[start_of_run:]:
                try:
                    if requests.get(f"{self.base_url}/config.json", timeout=5).status_code == 200:
                        break
                except requests.RequestException:
                    pass
            time.sleep(0.05)
        else:
            raise StackFailed(f"the stack was not ready within {START_TIMEOUT}s:\n{self.output}")
        run = self.output[start_of_run:]
        self.superadmin_email = re.findall(r"super admin:\s+(\S+)", run)[-1]
        self.superadmin_password = re.findall(r"password:\s+(\S+)", run)[-1]
        self.aws_endpoint = re.findall(r"aws \(moto\):\s+(\S+)", run)[-1]

    def wait_for_output(self, pattern: str, timeout: float = 10.0, after: int = 0) -> re.Match[str]:
        """The last match of ``pattern`` in the output (from character ``after``), waiting for it."""
        deadline = time.monotonic() + timeout
        while True:
            matches = list(re.finditer(pattern, self.output[after:], re.MULTILINE))
            if matches:
                return matches[-1]
            if time.monotonic() > deadline:
                raise StackFailed(f"{pattern!r} not in the output:\n{self.output}")
            time.sleep(0.05)

    def _join_reader(self) -> None:
        if self._reader is not None:
            self._reader.join(timeout=10)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = STOP_TIMEOUT) -> int:
        """Signal the stack, wait for it to exit, return its exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                self._join_reader()
                raise StackFailed(
                    f"the stack did not stop within {timeout}s after {sig!r}:\n{self.output}"
                ) from None
        self._join_reader()
        self.session.close()
        self.session = requests.Session()
        return int(self.process.returncode)

    def restart(self, sig: int = signal.SIGTERM) -> "LocalStack":
        code = self.stop(sig)
        if code != 0:
            raise StackFailed(f"the stack exited with {code} on {sig!r}:\n{self.output}")
        return self.start()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    # -- HTTP helpers -----------------------------------------------------------------------------

    def api(
        self,
        method: str,
        path: str,
        json: Any = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        return self.session.request(
            method, f"{self.api_url}{path}", json=json, headers=all_headers, timeout=30
        )

    def unique_email(self, prefix: str = "user") -> str:
        return f"{prefix}-{next(self._emails)}-{uuid.uuid4().hex[:8]}@example.com"

    def signup(
        self, email: str | None = None, password: str = "correct horse", name: str = "Test User"
    ) -> str:
        response = self.api(
            "POST",
            "/auth/signup",
            {"email": email or self.unique_email(), "password": password, "name": name},
        )
        assert response.status_code == 201, response.text
        return str(response.json()["token"])

    def login(self, email: str, password: str) -> str:
        response = self.api("POST", "/auth/login", {"email": email, "password": password})
        assert response.status_code == 200, response.text
        return str(response.json()["token"])

    def superadmin_token(self) -> str:
        return self.login(self.superadmin_email, self.superadmin_password)

    def aws_client(self, service: str) -> Any:
        import boto3

        return boto3.session.Session().client(
            service,
            endpoint_url=self.aws_endpoint,
            region_name="us-east-1",
            aws_access_key_id="devstack",
            aws_secret_access_key="devstack",
        )


StackFactory = Callable[..., LocalStack]


def _make_factory(tmp_root: Path, started: list[LocalStack]) -> StackFactory:
    counter = itertools.count()

    def start(
        data_dir: Path | None = None,
        port: int | None = None,
        ws_port: int | None = None,
        env: dict[str, str] | None = None,
    ) -> LocalStack:
        directory = data_dir or tmp_root / f"stack-{next(counter)}"
        http_port = port or free_port()
        websocket_port = ws_port or free_port()
        while websocket_port == http_port:
            websocket_port = free_port()
        stack = LocalStack(http_port, websocket_port, directory, env)
        started.append(stack)
        return stack.start()

    return start


def _stop_all(stacks: list[LocalStack]) -> None:
    for stack in stacks:
        if stack.running:
            with contextlib.suppress(StackFailed):
                stack.stop()


@pytest.fixture
def local_stack_factory(tmp_path: Path) -> Iterator[StackFactory]:
    started: list[LocalStack] = []
    yield _make_factory(tmp_path, started)
    _stop_all(started)


@pytest.fixture
def local_stack(local_stack_factory: StackFactory) -> LocalStack:
    return local_stack_factory(
        env={"SUPERADMIN_EMAIL": "root@example.com", "SUPERADMIN_PASSWORD": "root-password-1"}
    )


@pytest.fixture(scope="session")
def shared_local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    started: list[LocalStack] = []
    factory = _make_factory(tmp_path_factory.mktemp("shared-stack"), started)
    yield factory(env={"SUPERADMIN_EMAIL": "root@example.com", "SUPERADMIN_PASSWORD": "root-password-1"})
    _stop_all(started)
