"""The ledger of applied payment events: an event applied with its change once, a redelivery
cancelled by the ledger's own condition, and nothing of the change written the second time."""

import pytest

from chalicelib.store import payment_events
from chalicelib.store.models.system import SystemItemModel
from chalicelib.store.transactions import Cancelled, transaction


def _apply(event_id: str) -> None:
    """An event's change (a counter here) and its ledger record, in one transaction."""
    counter = SystemItemModel("TEST", "paid-orders", version=0)
    with transaction() as pending:
        pending.update(counter, actions=[SystemItemModel.version.add(1)], tag="order")
        payment_events.add_to(pending, "stripe", event_id, "checkout.session.completed", "o1", "paid")


def test_an_event_is_applied_with_its_change_once_and_a_redelivery_changes_nothing(aws: None) -> None:
    _apply("evt_1")
    with pytest.raises(Cancelled) as redelivered:
        _apply("evt_1")
    _apply("evt_2")

    assert redelivered.value.failed(payment_events.PAYMENT_EVENT_TAG)
    assert not redelivered.value.failed("order")
    assert int(SystemItemModel.get("TEST", "paid-orders").version) == 2
    assert payment_events.seen("stripe", "evt_1") and not payment_events.seen("stripe", "evt_3")


def test_an_event_that_changes_nothing_is_recorded_once(aws: None) -> None:
    assert payment_events.record("stripe", "evt_9", "customer.created", None, "ignored") is True
    assert payment_events.record("stripe", "evt_9", "customer.created", None, "ignored") is False
    assert payment_events.seen("stripe", "evt_9")


def test_the_same_event_id_of_another_provider_is_another_event(aws: None) -> None:
    assert payment_events.record("stripe", "evt_1", "x", None, "ignored")
    assert payment_events.record("other", "evt_1", "x", None, "ignored")
