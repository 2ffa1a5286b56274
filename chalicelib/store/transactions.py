"""TransactWriteItems whose operations carry tags, so a cancellation says which of them failed.

PynamoDB sends a transaction's condition checks first, then its deletes, puts and updates,
whatever order they were added in, and DynamoDB's cancellation reasons follow the order sent.
``Transaction`` remembers each operation's tag in that order, so a failure is read by tag
(``cancelled.failed("order")``), never by position: adding an operation cannot shift the others.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.config import settings
from chalicelib.store.aws import on_shared_client

CONDITION_FAILED = "ConditionalCheckFailed"
# TransactWriteItems takes at most this many operations.
MAX_ITEMS = 100
CONFLICT = "TransactionConflict"


@cache
def connection() -> Connection:
    """One connection for every transaction of the container (the tables are named per operation),
    on the client the models share (chalicelib.store.models.base)."""
    return on_shared_client(Connection(region=settings().region))


class Cancelled(Exception):
    """DynamoDB cancelled the transaction; ``reasons`` maps the tag of each failed operation to its
    code (``ConditionalCheckFailed``, ``TransactionConflict``, ...)."""

    def __init__(self, reasons: dict[str, str]) -> None:
        super().__init__(f"transaction cancelled: {reasons}")
        self.reasons = reasons

    def failed(self, *tags: str) -> bool:
        """Whether the condition of one of these operations failed."""
        return any(self.reasons.get(tag) == CONDITION_FAILED for tag in tags)

    @property
    def codes(self) -> set[str]:
        return set(self.reasons.values())

    @property
    def only_conflicts(self) -> bool:
        """Cancelled only because another transaction touched the same items: worth retrying."""
        return self.codes == {CONFLICT}


def cancellation_of(error: BaseException) -> Cancelled | None:
    """The cancellation behind a domain error raised for it (``raise ... from cancelled``)."""
    cause = error.__cause__
    return cause if isinstance(cause, Cancelled) else None


class Transaction:
    def __init__(self) -> None:
        self._write = TransactWrite(connection=connection())
        self._tags: dict[str, list[str]] = {"check": [], "delete": [], "put": [], "update": []}

    def _tag(self, kind: str, tag: str | None) -> None:
        self._tags[kind].append(tag or f"{kind}-{len(self._tags[kind])}")

    def condition_check(
        self,
        model: type[Model],
        hash_key: Any,
        range_key: Any = None,
        *,
        condition: Condition,
        tag: str | None = None,
    ) -> None:
        self._write.condition_check(model, hash_key, range_key, condition=condition)
        self._tag("check", tag)

    def delete(self, model: Model, condition: Condition | None = None, *, tag: str | None = None) -> None:
        self._write.delete(model, condition=condition)
        self._tag("delete", tag)

    def save(self, model: Model, condition: Condition | None = None, *, tag: str | None = None) -> None:
        self._write.save(model, condition=condition)
        self._tag("put", tag)

    def update(
        self,
        model: Model,
        actions: Sequence[Any],
        condition: Condition | None = None,
        *,
        tag: str | None = None,
    ) -> None:
        self._write.update(model, actions=list(actions), condition=condition)
        self._tag("update", tag)

    def __len__(self) -> int:
        return sum(len(tags) for tags in self._tags.values())

    def _sent_order(self) -> list[str]:
        return [*self._tags["check"], *self._tags["delete"], *self._tags["put"], *self._tags["update"]]

    def commit(self) -> None:
        """Send it (PynamoDB commits when its context ends without an error)."""
        try:
            with self._write:
                pass
        except TransactWriteError as error:
            if error.cause_response_code != "TransactionCanceledException":
                raise
            reasons = {
                tag: reason.code
                for tag, reason in zip(self._sent_order(), error.cancellation_reasons, strict=False)
                if reason is not None and reason.code not in (None, "None")
            }
            raise Cancelled(reasons) from error


@contextmanager
def transaction() -> Iterator[Transaction]:
    """Collect operations in the block, then commit them all or none (raises ``Cancelled``)."""
    pending = Transaction()
    yield pending
    pending.commit()
