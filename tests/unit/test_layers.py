"""Layers point down: each package of chalicelib/ imports only the packages below it.

api and streams (entry points) -> http, services -> views -> store; adapters (media, realtime) sit on store;
domain is the bottom and imports nothing of ours but config. A new arrow up a layer fails here."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "chalicelib"

# What each package may import (besides itself).
MAY_IMPORT: dict[str, set[str]] = {
    "domain": set(),
    "config": {"domain"},
    "log": set(),
    "encoding": set(),
    "store": {"config", "domain", "log"},
    "media": {"config", "domain", "store"},
    "realtime": {"config", "domain", "encoding", "store"},
    "payments": {"config", "domain", "store"},
    "mail": {"config", "domain", "store"},
    "views": {"domain", "store"},
    "http": {"config", "domain", "encoding", "log", "store"},
    "services": {"config", "domain", "log", "media", "payments", "mail", "realtime", "store", "views"},
    # The stream functions' entry point, beside api: what follows a change, from the tables' streams.
    "streams": {"config", "domain", "log", "realtime", "services", "store"},
    "api": {
        "config", "domain", "encoding", "http", "log", "media", "payments", "mail",
        "realtime", "services", "store", "views",
    },
}  # fmt: skip


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("chalicelib"):
            parts = node.module.split(".")
            found.update(alias.name for alias in node.names) if len(parts) == 1 else found.add(parts[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("chalicelib."))
    return found


def _package(path: Path) -> str:
    relative = path.relative_to(ROOT)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def test_every_package_is_placed_in_a_layer():
    packages = {_package(path) for path in ROOT.rglob("*.py")} - {"__init__"}
    assert packages <= set(MAY_IMPORT), f"place {packages - set(MAY_IMPORT)} in MAY_IMPORT"


def test_no_import_points_up_a_layer():
    upward = {
        f"{path.relative_to(ROOT.parent)} imports chalicelib.{target}"
        for path in ROOT.rglob("*.py")
        if _package(path) != "__init__"
        for target in _imports(path)
        if target != _package(path) and target not in MAY_IMPORT[_package(path)]
    }
    assert not upward, sorted(upward)
