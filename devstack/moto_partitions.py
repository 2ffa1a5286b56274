"""moto's Query of a table's own key reading one partition, not the whole table.

moto 5.2 answers a Query on a table's partition key by sorting every item of the table by its
keys (``Table.all_items``) and keeping those of the partition, on every Query: the fan-out's
read of an audience's 1,000 connection items sorted them and every other connection item once
a second, and each order's Queries sorted everything the orders table had ever stored.

``install()`` keeps moto's Query and changes only what ``all_items`` gives it while a Query on the
table's own key runs: that partition's items, sorted as moto sorts them. moto keeps a table's
items by partition key (``Table.items``), the key's type and value are its hash, and the same two
are what moto compares, so the partition holds exactly the items moto's filter would keep.
Queries of an index, and everything else that reads ``all_items``, get moto's own.
"""

import threading
from collections.abc import Callable
from typing import Any

from moto.dynamodb.models.table import Table

_moto_query = Table.query
_moto_all_items = Table.all_items
_partition = threading.local()


def _all_items(self: Table) -> list[Any]:
    read: tuple[Table, Callable[[], list[Any]]] | None = getattr(_partition, "read", None)
    if read is not None and read[0] is self:
        return read[1]()
    return _moto_all_items(self)


def _query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
    if index_name or hash_key is None:
        return _moto_query(self, hash_key, *args, **kwargs)

    def partition() -> list[Any]:
        stored = self.items.get(hash_key)  # .get: moto's items is a defaultdict
        if stored is None:
            return []
        if not self.range_key_attr:
            return [stored]
        return sorted(stored.values(), key=lambda item: item.range_key)

    _partition.read = (self, partition)
    try:
        return _moto_query(self, hash_key, *args, **kwargs)
    finally:
        _partition.read = None


def install() -> None:
    """Read one partition for every Query of a table's own key in this process's moto (idempotent)."""
    Table.query = _query  # type: ignore[method-assign]
    Table.all_items = _all_items  # type: ignore[method-assign]
