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
    ``superadmin_token()``, ``mailbox()`` (what /mailbox.json lists, oldest first),
    ``mails(wanted, timeout=10)`` (those ``wanted``, waiting for one: stream functions send mail a
    moment after the request), ``mailed_link(fragment, to=None)`` (waits alike),
    ``invite_token(invite_id)`` (from the invite e-mail's accept link),
    ``aws_client(service)`` (boto3 on the stack's moto),
    ``stop(sig=SIGTERM) -> exit code``, ``start()``, ``restart(sig=SIGTERM)`` (same ports and
    DATA_DIR), ``wait_for_output(regex)``.

The stack inherits this process's environment minus MARQUEE_* / AWS_* (it sets its own), except
the cheap argon2 costs of tests/conftest.py, which keep logins fast.
"""

import contextlib
import itertools
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from devstack.launcher import REPO_ROOT, LaunchedStack, StackFailed, two_free_ports
from devstack.stripe_sandbox import StripeSandbox
from tests.integration import stripe_support

__all__ = ["REPO_ROOT", "LocalStack", "StackFactory", "StackFailed"]

_KEPT_VARIABLES = ("MARQUEE_ARGON2_TIME_COST", "MARQUEE_ARGON2_MEMORY_KIB")


class LocalStack(LaunchedStack):
    """devstack.launcher's stack with the tests' HTTP shortcuts."""

    _emails = itertools.count()

    def __init__(self, port: int, ws_port: int, data_dir: Path, env: dict[str, str] | None = None) -> None:
        super().__init__(port, ws_port, data_dir, env, keep=_KEPT_VARIABLES)
        self.session = requests.Session()

    def stop(self, sig: int = signal.SIGTERM, timeout: float | None = None, group: bool = False) -> int:
        code = super().stop(sig, group=group) if timeout is None else super().stop(sig, timeout, group)
        self.session.close()
        self.session = requests.Session()
        return code

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

    def mailbox(self) -> list[dict[str, Any]]:
        """The e-mails the stack sent (/mailbox.json), oldest first, links unescaped."""
        response = self.session.get(f"{self.base_url}/mailbox.json", timeout=30)
        assert response.status_code == 200, response.text
        return list(reversed(response.json()))

    def mails(self, wanted: Callable[[dict[str, Any]], bool], timeout: float = 10.0) -> list[dict[str, Any]]:
        """The e-mails of ``mailbox()`` that are ``wanted``, oldest first, once there is one: mail
        sent from a stream function (password reset, orders) arrives a moment after the request
        that caused it, so this waits up to ``timeout`` seconds for it."""
        deadline = time.monotonic() + timeout
        while True:
            found = [message for message in self.mailbox() if wanted(message)]
            if found or time.monotonic() >= deadline:
                return found
            time.sleep(0.1)

    def mailed_link(self, fragment: str, to: str | None = None) -> str:
        """The newest link containing ``fragment`` (``#/verify-email?token=``...) in an e-mail the
        stack sent (to ``to`` only, if given), waiting for it as ``mails`` does."""

        def carries(message: dict[str, Any]) -> bool:
            return (to is None or to in message["to"]) and any(fragment in link for link in message["links"])

        for message in reversed(self.mails(carries)):
            return str(next(link for link in message["links"] if fragment in link))
        raise AssertionError(f"no e-mail carries a link with {fragment!r}")

    def invite_token(self, invite_id: str) -> str:
        """The token of an invite as its e-mail's accept link carries it."""
        link = self.mailed_link(f"#/invites?invite={invite_id}&token=")
        return link.split("&token=", 1)[1]

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
        picked_port, picked_ws_port = two_free_ports()
        stack = LocalStack(port or picked_port, ws_port or picked_ws_port, directory, env)
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


# -- the Stripe stand-in in this process (tests/integration/stripe_support.py) ----------------


@pytest.fixture
def receiver() -> Iterator[stripe_support.Receiver]:
    started = stripe_support.Receiver()
    yield started
    started.server.shutdown()


@pytest.fixture
def sandbox(tmp_path: Path, receiver: stripe_support.Receiver) -> Iterator[StripeSandbox]:
    started = StripeSandbox(
        tmp_path, stripe_support.SECRET_KEY, receiver.url, stripe_support.WEBHOOK_SECRET
    ).start()
    yield started
    started.stop()
