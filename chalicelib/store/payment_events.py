"""The ledger of payment-provider events already applied: each event id at most once.

``add_to`` puts the record into the transaction that applies the event, on condition that it is
not there yet: a redelivery (or two deliveries racing) cancels that transaction with the tag
``PAYMENT_EVENT_TAG`` and changes nothing. ``record`` writes it alone for events that change
nothing, so a redelivery is recognised the same way.
"""

from datetime import UTC, datetime

from pynamodb.exceptions import PutError

from chalicelib.store.models.system import PaymentEventModel
from chalicelib.store.transactions import Transaction

PAYMENT_EVENT_TAG = "payment_event"
SORT_KEY = "EVENT"


def _record(
    provider: str, event_id: str, event_type: str, order_id: str | None, outcome: str
) -> PaymentEventModel:
    return PaymentEventModel(
        f"PAYMENT_EVENT#{provider}#{event_id}",
        SORT_KEY,
        event_type=event_type,
        order_id=order_id,
        outcome=outcome,
        received_at=datetime.now(UTC).isoformat(timespec="milliseconds"),
    )


def seen(provider: str, event_id: str) -> bool:
    """A cheap early answer for a redelivery; the conditional write is what guarantees once."""
    try:
        PaymentEventModel.get(f"PAYMENT_EVENT#{provider}#{event_id}", SORT_KEY, consistent_read=True)
    except PaymentEventModel.DoesNotExist:
        return False
    return True


def add_to(
    transaction: Transaction,
    provider: str,
    event_id: str,
    event_type: str,
    order_id: str | None,
    outcome: str,
) -> None:
    record = _record(provider, event_id, event_type, order_id, outcome)
    transaction.save(record, condition=PaymentEventModel.pk.does_not_exist(), tag=PAYMENT_EVENT_TAG)


def record(provider: str, event_id: str, event_type: str, order_id: str | None, outcome: str) -> bool:
    """Write the record alone; False when the event was recorded before."""
    try:
        _record(provider, event_id, event_type, order_id, outcome).save(
            condition=PaymentEventModel.pk.does_not_exist()
        )
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True
