"""Modules an api module calls only inside its views (use cases, the store, representations),
imported on a view's first call: app.py builds the route table at cold start without them
(bench/import_bench.py). Each api module names them under ``TYPE_CHECKING`` for the type checker."""

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attribute)


def lazy(name: str) -> Any:
    return LazyModule(name)
