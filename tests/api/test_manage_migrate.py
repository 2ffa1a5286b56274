"""`manage.py migrate status|up|stamp`: ordered migrations, the revision stored in DynamoDB,
migration 0001 seeding the permission matrix."""

import time
from pathlib import Path

import pytest

from chalicelib.domain.permissions import DEFAULT_MATRIX
from chalicelib.store import migrate
from chalicelib.store.models.system import SystemItemModel
from chalicelib.store.permissions import current_matrix, replace_matrix
from manage import main


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str]:
    status = main(["migrate", *args])
    captured = capsys.readouterr()
    return status, captured.out.splitlines(), captured.err


def _line(lines: list[str], revision: str) -> str:
    return next(line for line in lines if line.startswith(f"{revision}  "))


def test_status_before_anything_ran_shows_the_head_pending(
    aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    status, lines, _ = _run(capsys, "status")

    assert status == 0
    first = _line(lines, "0001")
    assert "Seed the default permission matrix" in first and "pending" in first
    head = migrate.head(migrate.discover())
    assert _line(lines, head).endswith("head")
    assert lines[-1] == f"current: base, head: {head} (nothing applied yet)"


def test_up_applies_in_order_seeds_the_matrix_and_marks_current(
    aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    status, lines, _ = _run(capsys, "up")

    assert status == 0
    head = migrate.head(migrate.discover())
    assert lines[0] == "applying 0001: Seed the default permission matrix (left alone if one is stored)."
    assert lines[-1] == f"now at {head}"
    stored = current_matrix()
    assert stored.version == 1 and stored.matrix == DEFAULT_MATRIX

    _, lines, _ = _run(capsys, "status")
    assert "applied 20" in _line(lines, "0001")
    assert _line(lines, head).endswith("<- current, head")
    assert lines[-1] == f"current: {head}, head: {head} (up to date)"

    status, lines, _ = _run(capsys, "up")
    assert status == 0
    assert lines == [f"already at head ({head}): nothing to apply"]


def test_rerunning_the_seed_never_overwrites_a_matrix_a_super_admin_changed(
    aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    custom = {
        role: {s: dict.fromkeys(ops, False) for s, ops in row.items()} for role, row in DEFAULT_MATRIX.items()
    }
    replace_matrix(custom, expected=None)

    assert _run(capsys, "up")[0] == 0
    assert _run(capsys, "stamp", "base")[0] == 0
    assert _run(capsys, "up")[0] == 0

    assert current_matrix().matrix == custom


def test_stamp_repairs_the_stored_revision_without_running_anything(
    aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    status, lines, _ = _run(capsys, "stamp", "0001")

    assert status == 0
    assert lines == ["stamped: current revision is now 0001"]
    _, lines, _ = _run(capsys, "status")
    assert "applied (stamped)" in _line(lines, "0001")

    status, _, err = _run(capsys, "stamp", "9999")
    assert status == 1
    assert "unknown revision '9999'" in err
    assert migrate.read_state().revision == "0001"


def test_an_unknown_stored_revision_is_reported_and_blocks_up(
    aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    SystemItemModel(
        migrate.MIGRATIONS_PK, migrate.STATE_SK, version=1, data={"revision": "0042", "history": []}
    ).save()

    status, lines, _ = _run(capsys, "status")
    assert status == 0
    assert "problem: the stored revision 0042 is not among the migrations" in "\n".join(lines)

    status, _, err = _run(capsys, "up")
    assert status == 1
    assert "migrate stamp REV" in err


def test_a_second_run_is_refused_while_the_lock_is_held_and_an_expired_lock_is_taken_over(
    aws: None, capsys: pytest.CaptureFixture[str]
) -> None:
    lock = SystemItemModel(migrate.MIGRATIONS_PK, migrate.LOCK_SK, expires_at=int(time.time()) + 600)
    lock.save()

    status, _, err = _run(capsys, "up")
    assert status == 1
    assert "another migrate run holds the lock" in err
    assert migrate.read_state().revision is None

    lock.update(actions=[SystemItemModel.expires_at.set(int(time.time()) - 1)])
    assert _run(capsys, "up")[0] == 0
    assert migrate.read_state().revision == migrate.head(migrate.discover())


@pytest.fixture
def migrations_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A migrations folder written out of order, with a module that is not a migration."""
    package = tmp_path / "sample_migrations"
    package.mkdir()
    (package / "__init__.py").write_text("RAN = []\n")
    (package / "helpers.py").write_text("VALUE = 1\n")
    for name, text in {
        "0010_third": "Third.",
        "0001_first": "First.",
        "0002_second": "Second.",
    }.items():
        body = f'import sample_migrations\n\n\ndef up():\n    sample_migrations.RAN.append("{name}")\n'
        (package / f"{name}.py").write_text(f'"""{text}"""\n{body}')
    (package / "0003_broken.py").write_text('"""Broken."""\n\n\ndef up():\n    raise RuntimeError("boom")\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    return "sample_migrations"


def test_migrations_run_in_revision_order_and_a_failure_keeps_the_last_good_revision(
    aws: None, migrations_package: str
) -> None:
    import sample_migrations

    migrations = migrate.discover(migrations_package)
    assert [m.revision for m in migrations] == ["0001", "0002", "0003", "0010"]

    with pytest.raises(RuntimeError, match="boom"):
        migrate.up(report=lambda _line: None, migrations=migrations)

    assert sample_migrations.RAN == ["0001_first", "0002_second"]
    assert migrate.read_state().revision == "0002"

    migrate.stamp("0003", migrations)
    applied = migrate.up(report=lambda _line: None, migrations=migrations)
    assert applied == ["0010"]
    assert sample_migrations.RAN == ["0001_first", "0002_second", "0010_third"]
    history = [(h["revision"], h["action"]) for h in migrate.read_state().history]
    assert history == [("0001", "up"), ("0002", "up"), ("0003", "stamp"), ("0010", "up")]
