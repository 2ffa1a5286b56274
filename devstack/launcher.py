"""The local stack in a subprocess, for tests and benchmarks: the one launcher and free-port picker.

``launched(...)`` is a context manager that starts ``python -m devstack`` on free ports with its own
DATA_DIR, waits until it printed its banner and ``/config.json`` answers, and stops it on exit.
``LaunchedStack`` can also be stopped, killed and started again on the same ports and DATA_DIR.

The child inherits this process's environment minus MARQUEE_* / AWS_* and the super admin
variables (the stack sets its own), except the names in ``keep`` (e.g. cheap argon2 costs).
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO

REPO_ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 60.0
STOP_TIMEOUT = 60.0
READY_LINE = "Marquee local stack ready"
CHEAP_HASHING = {"MARQUEE_ARGON2_TIME_COST": "1", "MARQUEE_ARGON2_MEMORY_KIB": "1024"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def two_free_ports() -> tuple[int, int]:
    first, second = free_port(), free_port()
    while second == first:
        second = free_port()
    return first, second


def child_environment(extra: Mapping[str, str] | None = None, keep: Iterable[str] = ()) -> dict[str, str]:
    kept = set(keep)
    env = {
        name: value
        for name, value in os.environ.items()
        if not (name.startswith(("MARQUEE_", "AWS_")) or name in ("SUPERADMIN_EMAIL", "SUPERADMIN_PASSWORD"))
        or name in kept
    }
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


class StackFailed(AssertionError):
    """The stack did not start or stop as asked (an AssertionError so pytest reports it as a failure)."""


class LaunchedStack:
    def __init__(
        self,
        port: int,
        ws_port: int,
        data_dir: Path,
        env: Mapping[str, str] | None = None,
        keep: Iterable[str] = (),
    ) -> None:
        self.port = port
        self.ws_port = ws_port
        self.data_dir = data_dir
        self.base_url = f"http://127.0.0.1:{port}"
        self.api_url = f"{self.base_url}/api"
        self.ws_url = f"ws://127.0.0.1:{ws_port}"
        self.extra_env = dict(env or {})
        self.keep = tuple(keep)
        self.process: subprocess.Popen[str] | None = None
        self.aws_endpoint = ""
        self.management_url = ""
        self.superadmin_email = ""
        self.superadmin_password = ""
        self._lines: list[str] = []
        self._lines_lock = threading.Lock()
        self._reader: threading.Thread | None = None

    @property
    def output(self) -> str:
        with self._lines_lock:
            return "".join(self._lines)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            with self._lines_lock:
                self._lines.append(line)

    def start(self) -> "LaunchedStack":
        assert not self.running, "already running"
        env = child_environment(
            {"PORT": str(self.port), "WS_PORT": str(self.ws_port), "DATA_DIR": str(self.data_dir)}
            | self.extra_env,
            self.keep,
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
            start_new_session=True,  # its own process group: stop(group=True) is a terminal's Ctrl-C
        )
        assert self.process.stdout is not None
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

    def _config_answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base_url}/config.json", timeout=5) as response:
                return int(response.status) == 200
        except (urllib.error.URLError, OSError):
            return False

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
            if READY_LINE in self.output[start_of_run:] and self._config_answers():
                break
            time.sleep(0.05)
        else:
            raise StackFailed(f"the stack was not ready within {START_TIMEOUT}s:\n{self.output}")
        run = self.output[start_of_run:]
        self.superadmin_email = re.findall(r"super admin:\s+(\S+)", run)[-1]
        self.superadmin_password = re.findall(r"password:\s+(\S+)", run)[-1]
        self.aws_endpoint = re.findall(r"aws \(moto\):\s+(\S+)", run)[-1]
        management = re.findall(r"websocket management API on (\S+)", run)
        self.management_url = management[-1] if management else ""

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

    def stop(self, sig: int = signal.SIGTERM, timeout: float = STOP_TIMEOUT, group: bool = False) -> int:
        """Signal the stack (with ``group``, every process of it, as Ctrl-C in a terminal does),
        wait for it to exit, return its exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            if group:
                os.killpg(self.process.pid, sig)
            else:
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
        return int(self.process.returncode)

    def restart(self, sig: int = signal.SIGTERM) -> "LaunchedStack":
        code = self.stop(sig)
        if code != 0:
            raise StackFailed(f"the stack exited with {code} on {sig!r}:\n{self.output}")
        return self.start()


@contextlib.contextmanager
def launched(
    data_dir: Path | None = None,
    env: Mapping[str, str] | None = None,
    keep: Iterable[str] = (),
) -> Iterator[LaunchedStack]:
    """A started stack on free ports (DATA_DIR a temporary directory unless given), stopped on exit."""
    with contextlib.ExitStack() as cleanup:
        if data_dir is None:
            data_dir = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="devstack-")))
        stack = LaunchedStack(*two_free_ports(), data_dir, env, keep)
        stack.start()
        try:
            yield stack
        finally:
            if stack.running:
                stack.stop()
