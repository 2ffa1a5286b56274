"""The registry of stream handlers and the dispatcher the stream functions call (see the package's
docstring for how to register one and what a handler may expect)."""

import logging
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import Any

from chalicelib.streams.records import Change

logger = logging.getLogger("marquee.streams")

Handler = Callable[[list[Change]], None]
# Handlers of one batch run side by side: one waiting for its coalescing window (availability)
# does not hold up the others.
_PARALLEL_HANDLERS = 4


@dataclass(frozen=True)
class Registration:
    prefix: str
    table_name: str | None
    handler: Handler

    def wants(self, change: Change) -> bool:
        # A short name ("events") matches the table of any stage: tables are named <prefix>-<short>.
        table = self.table_name
        if table is not None and change.table != table and not change.table.endswith(f"-{table}"):
            return False
        return change.kind_key.startswith(self.prefix)


_registry: list[Registration] = []
_loaded = False


def on_items(prefix: str, table: str | None = None) -> Callable[[Handler], Handler]:
    """Register ``handler(changes)`` for the items whose kind key starts with ``prefix`` (of the
    table of that name, a model's ``Meta.table_name`` such as ``EVENTS_TABLE`` or its short name
    ``"events"``, or of any streamed table)."""

    def register(handler: Handler) -> Handler:
        _registry.append(Registration(prefix, table, handler))
        return handler

    return register


def remove_handler(handler: Handler) -> None:
    _registry[:] = [r for r in _registry if r.handler is not handler]


def _load_handlers() -> None:
    global _loaded
    if not _loaded:
        from chalicelib.streams import handlers  # noqa: F401 - registers them

        _loaded = True


@cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=_PARALLEL_HANDLERS, thread_name_prefix="stream-handler")


def _raw_records(event: Any) -> list[dict[str, Any]]:
    """A Chalice DynamoDBEvent (its records' dicts) or a Lambda event dict."""
    if isinstance(event, dict):
        return list(event.get("Records", []))
    return [record.to_dict() if hasattr(record, "to_dict") else record for record in event]


def _run(registration: Registration, changes: list[Change]) -> str | None:
    """Run one handler; the sequence number to retry from when it failed."""
    try:
        registration.handler(changes)
        return None
    except Exception:
        logger.exception(
            "stream handler %s failed on %d change(s); they are delivered again",
            registration.handler.__name__,
            len(changes),
        )
        return changes[0].sequence_number


def dispatch(event: Any) -> dict[str, list[dict[str, str]]]:
    """Decode the batch, give each handler its changes (in stream order, all at once), and answer
    Lambda's partial-batch response: the earliest record a failed handler was given."""
    _load_handlers()
    changes = [Change.from_record(record) for record in _raw_records(event)]
    work: list[tuple[Registration, list[Change]]] = []
    for registration in list(_registry):
        wanted = [change for change in changes if registration.wants(change)]
        if wanted:
            work.append((registration, wanted))
    failed = _run_all(work)
    if not failed:
        return {"batchItemFailures": []}
    return {"batchItemFailures": [{"itemIdentifier": min(failed, key=int)}]}


def _run_all(work: list[tuple[Registration, list[Change]]]) -> list[str]:
    if len(work) <= 1:
        results: Iterable[str | None] = [_run(registration, changes) for registration, changes in work]
    else:
        results = _pool().map(lambda item: _run(*item), work)
    return [sequence for sequence in results if sequence is not None]
