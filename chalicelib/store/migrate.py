"""Ordered data migrations (chalicelib/store/migrations/NNNN_*.py) with the current revision kept
in the system table, so every operator and every machine sees the same state.

State: one system item ``MIGRATIONS/STATE`` holding the revision and its history, written with a
version condition; a run holds ``MIGRATIONS/LOCK`` (expiring) so two runs cannot interleave.
"""

import importlib
import pkgutil
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from pynamodb.exceptions import DeleteError, DoesNotExist, PutError

from chalicelib.domain.clock import now_iso
from chalicelib.store.models.system import SystemItemModel

MIGRATIONS_PACKAGE = "chalicelib.store.migrations"
MIGRATIONS_PK = "MIGRATIONS"
STATE_SK = "STATE"
LOCK_SK = "LOCK"
BASE = "base"
LOCK_SECONDS = 15 * 60

_MODULE_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+$")

Report = Callable[[str], None]


class MigrationError(RuntimeError):
    pass


class Migration(NamedTuple):
    revision: str
    module: str
    description: str
    up: Callable[[], None]


@dataclass
class State:
    revision: str | None
    version: int = 0
    history: list[dict[str, str]] = field(default_factory=list)

    def applied_at(self, revision: str) -> str | None:
        times = [h["at"] for h in self.history if h["revision"] == revision and h["action"] == "up"]
        return times[-1] if times else None


def discover(package: str = MIGRATIONS_PACKAGE) -> list[Migration]:
    """Every migration of the package, in revision order."""
    root = importlib.import_module(package)
    found: dict[str, Migration] = {}
    for info in sorted(pkgutil.iter_modules(root.__path__), key=lambda i: i.name):
        match = _MODULE_NAME.match(info.name)
        if match is None:
            continue
        revision = match.group(1)
        if revision in found:
            raise MigrationError(
                f"two migrations share revision {revision}: {found[revision].module}, {info.name}"
            )
        module = importlib.import_module(f"{package}.{info.name}")
        up = getattr(module, "up", None)
        if not callable(up):
            raise MigrationError(f"migration {info.name} has no up() function")
        description = (module.__doc__ or info.name).strip().splitlines()[0]
        found[revision] = Migration(revision=revision, module=info.name, description=description, up=up)
    return list(found.values())


def read_state() -> State:
    try:
        item = SystemItemModel.get(MIGRATIONS_PK, STATE_SK, consistent_read=True)
    except DoesNotExist:
        return State(revision=None)
    data: dict[str, Any] = item.data or {}
    history = list(data.get("history", []))
    return State(revision=data.get("revision"), version=int(item.version), history=history)


def _record(state: State, revision: str | None, action: str) -> State:
    history = [*state.history, {"revision": revision or BASE, "action": action, "at": now_iso()}]
    item = SystemItemModel(
        MIGRATIONS_PK, STATE_SK, version=state.version + 1, data={"revision": revision, "history": history}
    )
    unchanged = (
        SystemItemModel.version == state.version if state.version else SystemItemModel.pk.does_not_exist()
    )
    try:
        item.save(condition=unchanged)
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise MigrationError(
                "the stored revision changed during this run (another migrate?); see `migrate status`"
            ) from error
        raise
    return State(revision=revision, version=state.version + 1, history=history)


@contextmanager
def _run_lock() -> Iterator[None]:
    now = int(time.time())
    owner = uuid.uuid4().hex
    lock = SystemItemModel(MIGRATIONS_PK, LOCK_SK, expires_at=now + LOCK_SECONDS, data={"owner": owner})
    try:
        lock.save(condition=SystemItemModel.pk.does_not_exist() | (SystemItemModel.expires_at < now))
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise MigrationError(
                f"another migrate run holds the lock (it expires within {LOCK_SECONDS // 60} minutes)"
            ) from error
        raise
    try:
        yield
    finally:
        # Conditioned on our expiry: if it expired and someone else holds it now, it is theirs.
        with suppress(DeleteError):
            lock.delete(condition=SystemItemModel.expires_at == now + LOCK_SECONDS)


def _position(revision: str | None, migrations: list[Migration]) -> int:
    """Index of the stored revision (-1 for none applied)."""
    if revision in (None, BASE):
        return -1
    for index, migration in enumerate(migrations):
        if migration.revision == revision:
            return index
    known = ", ".join(m.revision for m in migrations) or "none"
    raise MigrationError(
        f"the stored revision {revision} is not among the migrations ({known}); "
        "repair it with `migrate stamp REV`"
    )


def head(migrations: list[Migration]) -> str:
    return migrations[-1].revision if migrations else BASE


def status_lines(migrations: list[Migration], state: State) -> list[str]:
    """One line per migration, marking the current revision and the head."""
    try:
        current = _position(state.revision, migrations)
    except MigrationError as error:
        current = len(migrations)
        problem: str | None = str(error)
    else:
        problem = None
    lines = []
    for index, migration in enumerate(migrations):
        if index <= current:
            when = state.applied_at(migration.revision)
            done = f"applied {when}" if when else "applied (stamped)"
        else:
            done = "pending"
        marks = []
        if index == current:
            marks.append("current")
        if index == len(migrations) - 1:
            marks.append("head")
        mark = f"  <- {', '.join(marks)}" if marks else ""
        lines.append(f"{migration.revision}  {migration.description:<60}  {done}{mark}")
    summary = f"current: {state.revision or BASE}, head: {head(migrations)}"
    if current == -1:
        summary += " (nothing applied yet)"
    elif current == len(migrations) - 1:
        summary += " (up to date)"
    lines.append(summary if problem is None else f"{summary}\nproblem: {problem}")
    return lines


def up(report: Report = print, migrations: list[Migration] | None = None) -> list[str]:
    """Apply every pending migration in order; returns the revisions applied."""
    migrations = discover() if migrations is None else migrations
    applied: list[str] = []
    with _run_lock():
        state = read_state()
        pending = migrations[_position(state.revision, migrations) + 1 :]
        if not pending:
            report(f"already at head ({head(migrations)}): nothing to apply")
            return applied
        for migration in pending:
            report(f"applying {migration.revision}: {migration.description}")
            migration.up()
            state = _record(state, migration.revision, "up")
            applied.append(migration.revision)
    report(f"now at {state.revision}")
    return applied


def stamp(revision: str, migrations: list[Migration] | None = None) -> State:
    """Record ``revision`` (or ``base``) as current without running anything."""
    migrations = discover() if migrations is None else migrations
    known = [m.revision for m in migrations]
    if revision != BASE and revision not in known:
        raise MigrationError(f"unknown revision {revision!r}; known: {', '.join([BASE, *known])}")
    with _run_lock():
        return _record(read_state(), None if revision == BASE else revision, "stamp")
