"""After-commit signals: every subscriber of the event's type runs; one that fails is logged and
neither fails the emitter nor keeps the others from running."""

import logging
from dataclasses import dataclass

import pytest

from chalicelib.services import signals


@dataclass(frozen=True)
class Happened:
    what: str


@dataclass(frozen=True)
class SomethingElse:
    what: str


@pytest.fixture
def subscribed():
    added = []

    def add(handler):
        signals.subscribe(Happened)(handler)
        added.append(handler)

    yield add
    for handler in added:
        signals.unsubscribe(Happened, handler)


def test_a_failing_subscriber_is_logged_and_the_others_still_run(subscribed, caplog):
    heard = []

    def broken(event):
        raise RuntimeError("the push endpoint is down")

    subscribed(broken)
    subscribed(heard.append)

    with caplog.at_level(logging.ERROR, logger="marquee.signals"):
        signals.emit(Happened("order placed"))

    assert heard == [Happened("order placed")]
    (record,) = caplog.records
    assert "broken" in record.getMessage() and record.exc_info[0] is RuntimeError


def test_only_the_subscribers_of_the_events_type_hear_it(subscribed):
    heard = []
    subscribed(heard.append)

    signals.emit(SomethingElse("nobody listens"))

    assert heard == []
