"""The Stripe stand-in for API tests: the real ``stripe`` library talks to it over HTTP, and the
webhooks it signs are handed to the in-process app's webhook route as Stripe would send them."""

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from devstack.stripe_sandbox import StripeSandbox
from tests.integration.stripe_support import SECRET_KEY, WEBHOOK_SECRET, Receiver

WEBHOOK_PATH = "/payments/stripe/webhook"


@dataclass
class Stripe:
    sandbox: StripeSandbox
    receiver: Receiver
    delivered: int = 0
    answers: list[Any] = field(default_factory=list)

    @property
    def state(self) -> Any:
        return self.sandbox.state

    def deliver(self, api: Any, count: int = 1, timeout: float = 10.0) -> list[Any]:
        """Wait for ``count`` more webhooks from the stand-in and POST each, raw, to the app."""
        self.receiver.events(self.delivered + count, timeout)
        answers = []
        for body, signature in self.receiver.deliveries[self.delivered : self.delivered + count]:
            answers.append(
                api.request("POST", WEBHOOK_PATH, raw=body, headers={"Stripe-Signature": signature})
            )
        self.delivered += count
        self.answers.extend(answers)
        return answers


@pytest.fixture
def stripe_sandbox(tmp_path: Path, configured: Any) -> Iterator[Stripe]:
    """Card payments configured for the platform, against a running stand-in."""
    from chalicelib.payments import stripe_gateway

    receiver = Receiver()
    sandbox = StripeSandbox(tmp_path, SECRET_KEY, receiver.url, WEBHOOK_SECRET).start()
    variables = {
        "MARQUEE_STRIPE_SECRET_KEY": SECRET_KEY,
        "MARQUEE_STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "MARQUEE_STRIPE_API_BASE": sandbox.url,
    }
    before = {name: os.environ.get(name) for name in variables}
    configured(**variables)
    stripe_gateway.forget_client()
    yield Stripe(sandbox, receiver)
    sandbox.stop()
    receiver.server.shutdown()
    # Put back what was there even if another fixture (restore_environ) saved the environment
    # with these in it and restored it meanwhile.
    for name, value in before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    stripe_gateway.forget_client()
