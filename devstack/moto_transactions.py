"""moto's TransactWriteItems without copying whole tables.

moto 5.2 backs a transaction up by deep-copying every table it names, once per action
(``DynamoDBBackend.transact_write_items``), to put the copies back if it is cancelled. A local
order (a five-action transaction on the events and orders tables) therefore cost time in
proportion to everything ever stored in them: 14 ms on empty tables, 284 ms beside 1,000 items,
1.4 s beside 5,000 (``bench/transaction_bench.py``), so a local stack got slower with use.

``install()`` keeps moto's code for the transaction itself and changes only the backup: the items
the actions name (no two actions may name the same item) and the length of each table's stream
are kept before it runs, and put back if it raises. The state after a cancelled transaction is
the one before, as with moto's copies: the same items, no stream record of it. Actions whose key
cannot be read are left to moto's own validation, with its whole-table backup.
"""

import copy
import threading
from types import SimpleNamespace
from typing import Any

import moto.dynamodb.models as backend_module
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table

_moto_transact = DynamoDBBackend.transact_write_items
_state = threading.local()


def _deepcopy(value: Any, memo: dict | None = None) -> Any:
    if isinstance(value, Table) and getattr(_state, "items_kept", False):
        return value  # the items it touches are kept instead (see _Backup)
    return copy.deepcopy(value, memo)


# moto's transaction module reaches copy.deepcopy through this name only.
_COPY = SimpleNamespace(deepcopy=_deepcopy)


class _Backup:
    """The items a transaction names, as they were, and where each table's stream ended."""

    def __init__(self, backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
        self.items: list[tuple[Table, DynamoType, DynamoType | None, Item | None]] = []
        self.streams: dict[int, tuple[Table, int]] = {}
        for action in transact_items:
            op_type, op = next(iter(action.items()))
            table = backend.tables[op["TableName"]]
            attributes = op["Item"] if op_type == "Put" else op["Key"]
            hash_value = DynamoType(attributes[table.hash_key_attr])
            range_value = DynamoType(attributes[table.range_key_attr]) if table.range_key_attr else None
            current = table.get_item(hash_value, range_value)
            # moto updates an Item in place: the copy is what the item was.
            self.items.append((table, hash_value, range_value, copy.deepcopy(current)))
            if table.stream_shard is not None:
                self.streams[id(table)] = (table, len(table.stream_shard.items))

    def restore(self) -> None:
        for table, hash_value, range_value, before in self.items:
            if range_value is None:
                if before is None:
                    table.items.pop(hash_value, None)
                else:
                    table.items[hash_value] = before
            elif before is None:
                table.items[hash_value].pop(range_value, None)
            else:
                table.items[hash_value][range_value] = before
        for table, length in self.streams.values():
            assert table.stream_shard is not None
            del table.stream_shard.items[length:]


def _transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    try:
        backup = _Backup(self, transact_items)
    except (KeyError, TypeError, AttributeError, StopIteration):
        return _moto_transact(self, transact_items)
    _state.items_kept = True
    try:
        return _moto_transact(self, transact_items)
    except BaseException:
        backup.restore()
        raise
    finally:
        _state.items_kept = False


def install() -> None:
    """Use the item backup for every TransactWriteItems of this process's moto (idempotent)."""
    backend_module.copy = _COPY  # type: ignore[assignment]
    DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]
