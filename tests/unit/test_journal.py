"""The local stack's journal file (devstack/journal.py): what a crash leaves is read back correctly."""

import os
import stat
import threading
import time
from pathlib import Path

import pytest

from devstack import journal as journal_module
from devstack.journal import BlobStore, Journal


def _started(directory: Path, after: int = 0) -> tuple[Journal, list]:
    journal = Journal(directory)
    records = [(record.seq, record.header, record.body) for record in journal.read()]
    journal.start(after=after)
    return journal, records


def test_records_come_back_in_order_after_a_restart(tmp_path: Path) -> None:
    first, _ = _started(tmp_path)
    assert first.append({"type": "aws", "n": 1}, b"\x00body one") == 1
    assert first.append({"type": "mail", "n": 2}) == 2
    first.wait_durable(2)
    second, records = _started(tmp_path)
    assert records == [(1, {"type": "aws", "n": 1}, b"\x00body one"), (2, {"type": "mail", "n": 2}, b"")]
    # The next run goes on with the next number, in a segment of its own.
    assert second.append({"n": 3}) == 3
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "00000000000000000001.log",
        "00000000000000000003.log",
    ]


@pytest.mark.parametrize("cut", [1, 5, 12, 30])
def test_a_record_torn_by_a_crash_is_ignored(tmp_path: Path, cut: int) -> None:
    first, _ = _started(tmp_path)
    first.append({"n": 1}, b"kept")
    first.append({"n": 2}, b"the last append, interrupted by the crash")
    first.wait_durable(2)
    (segment,) = tmp_path.iterdir()
    data = segment.read_bytes()
    segment.write_bytes(data[:-cut])
    second, records = _started(tmp_path)
    assert records == [(1, {"n": 1}, b"kept")]
    assert second.append({"n": 2}, b"again") == 2
    _, records = _started(tmp_path)
    assert records == [(1, {"n": 1}, b"kept"), (2, {"n": 2}, b"again")]


def test_a_damaged_record_is_not_replayed(tmp_path: Path) -> None:
    first, _ = _started(tmp_path)
    first.append({"n": 1}, b"kept")
    first.append({"n": 2}, b"zeroed by the crash")
    first.wait_durable(2)
    (segment,) = tmp_path.iterdir()
    data = bytearray(segment.read_bytes())
    data[-5:] = b"\x00" * 5
    segment.write_bytes(bytes(data))
    _, records = _started(tmp_path)
    assert [seq for seq, _, _ in records] == [1]


def test_a_failed_append_leaves_no_partial_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    journal, _ = _started(tmp_path)
    journal.append({"n": 1})
    real_write = os.write

    def half_then_full_disk(descriptor: int, data: bytes) -> int:
        real_write(descriptor, bytes(data[: len(data) // 2]))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(journal_module.os, "write", half_then_full_disk)
    with pytest.raises(OSError):
        journal.append({"n": "lost"}, b"x" * 100)
    monkeypatch.setattr(journal_module.os, "write", real_write)
    assert journal.append({"n": 2}) == 2
    _, records = _started(tmp_path)
    assert [header for _, header, _ in records] == [{"n": 1}, {"n": 2}]


def test_rotation_and_discard_keep_what_the_snapshot_does_not_hold(tmp_path: Path) -> None:
    journal, _ = _started(tmp_path)
    journal.append({"blob": "a"})
    journal.append({"blob": "b"})
    assert journal.rotate() == 2
    journal.append({"blob": "b"})  # b is named again after the snapshot
    journal.append({"n": 4})
    assert journal.discard_through(2) == {"a"}
    assert journal.referenced_blobs == {"b"}
    _, records = _started(tmp_path)
    assert [seq for seq, _, _ in records] == [3, 4]
    # A crash after the snapshot (up to 4) was written but before its segments were deleted:
    # start() drops them, nothing is read twice.
    restarted = Journal(tmp_path)
    assert [record.seq for record in restarted.read()] == [3, 4]
    restarted.start(after=4)
    assert [path.name for path in tmp_path.iterdir()] == ["00000000000000000005.log"]
    assert restarted.append({}) == 5


def test_one_fdatasync_serves_many_waiting_writers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    journal, _ = _started(tmp_path)
    syncs = []
    real_fdatasync = os.fdatasync

    def slow_fdatasync(descriptor: int) -> None:
        syncs.append(descriptor)
        time.sleep(0.05)
        real_fdatasync(descriptor)

    monkeypatch.setattr(journal_module.os, "fdatasync", slow_fdatasync)
    appending = threading.Lock()

    def write_and_wait() -> None:
        with appending:  # the moto lock
            seq = journal.append({"n": 1})
        journal.wait_durable(seq)

    writers = [threading.Thread(target=write_and_wait) for _ in range(20)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert journal.last_seq == 20
    assert 1 <= len(syncs) < 20


def test_files_are_private(tmp_path: Path) -> None:
    journal, _ = _started(tmp_path / "journal")
    journal.append({"n": 1})
    blobs = BlobStore(tmp_path / "blobs")
    name = blobs.put(b"object body")
    assert blobs.read(name) == b"object body"
    for path in [tmp_path / "journal", tmp_path / "blobs"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o700
    for path in [*(tmp_path / "journal").iterdir(), blobs.path(name)]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_rotation_waits_for_no_disk_and_the_next_commit_flushes_both_segments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal, _ = _started(tmp_path)
    synced: list[str] = []
    real_fdatasync = os.fdatasync

    def recording_fdatasync(descriptor: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{descriptor}").rsplit("/", 1)[-1])
        real_fdatasync(descriptor)

    monkeypatch.setattr(journal_module.os, "fdatasync", recording_fdatasync)
    journal.append({"n": 1})  # appended, not yet waited for
    assert journal.rotate() == 1
    assert synced == []  # the moto lock is held here: no fsync
    journal.wait_durable(journal.append({"n": 2}))
    assert synced == ["00000000000000000001.log", "00000000000000000002.log"]
