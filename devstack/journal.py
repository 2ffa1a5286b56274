"""The local stack's write-ahead journal: every write moto applied, on disk before it is answered.

Records go to segment files ``journal/<first seq>.log``. Each record is framed (magic, length,
CRC-32 of the payload), so a record torn by a crash in the middle of its append is recognised and
ignored: it was never acknowledged, because a record is acknowledged only once fdatasync returned.
A payload is a JSON header (``seq`` and whatever the caller records) followed by raw body bytes.

Appends are serialized by the caller (the moto lock) and only write to the page cache; making them
durable is a group commit (``wait_durable``): one thread fdatasyncs for every record appended so
far while the others wait for it, outside the moto lock, so the next requests run meanwhile.

``rotate`` starts a new segment and returns the last sequence number of the old ones: a snapshot
taken at that moment covers them, and ``detach_through`` lets them go once the snapshot is saved.
Neither waits for the disk, so the moto lock is never held for an fsync.

Big bodies live in a ``BlobStore`` (content-addressed files) and records only name them.
"""

import hashlib
import json
import logging
import os
import struct
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger("devstack.journal")

FILE_MODE = 0o600
DIRECTORY_MODE = 0o700
_MAGIC = b"MQJ1"
_FRAME = struct.Struct(">4sII")  # magic, payload length, CRC-32 of the payload
_HEADER_LENGTH = struct.Struct(">I")
_SUFFIX = ".log"


def private_directory(path: Path) -> Path:
    path.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    os.chmod(path, DIRECTORY_MODE)
    return path


def fsync_directory(path: Path) -> None:
    """Make the creation, rename or removal of an entry of ``path`` survive a crash."""
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_file_durably(path: Path, data: bytes) -> None:
    """Write ``path`` (0600) through a temp file and a rename, both on disk when this returns."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        _write_all(descriptor, data)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    os.replace(temporary, path)
    fsync_directory(path.parent)


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]


class BlobStore:
    """Files named by the SHA-256 of their content: written once, never changed."""

    def __init__(self, directory: Path) -> None:
        self.directory = private_directory(directory)

    @staticmethod
    def name_for(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()

    def path(self, name: str) -> Path:
        return self.directory / name

    def put(self, data: bytes) -> str:
        name = self.name_for(data)
        if not self.path(name).exists():
            write_file_durably(self.path(name), data)
        return name

    def read(self, name: str) -> bytes:
        return self.path(name).read_bytes()

    def delete(self, names: set[str]) -> None:
        for name in names:
            self.path(name).unlink(missing_ok=True)

    def sweep(self, keep: set[str]) -> int:
        """Delete every file but ``keep`` (left by a crash or a refused write); returns how many."""
        removed = 0
        for path in self.directory.iterdir():
            if path.name not in keep:
                path.unlink(missing_ok=True)
                removed += 1
        return removed


@dataclass(frozen=True)
class Record:
    seq: int
    header: dict[str, Any]
    body: bytes = b""

    @property
    def blob(self) -> str | None:
        return self.header.get("blob")


@dataclass
class _Segment:
    path: Path
    first_seq: int
    last_seq: int | None  # None: no valid record in it


def _encode(seq: int, header: dict[str, Any], body: bytes) -> bytes:
    encoded = json.dumps({**header, "seq": seq}, separators=(",", ":")).encode()
    payload = _HEADER_LENGTH.pack(len(encoded)) + encoded + body
    return _FRAME.pack(_MAGIC, len(payload), zlib.crc32(payload)) + payload


def _decode(data: bytes, offset: int) -> tuple[Record, int] | None:
    """The record at ``offset`` and the offset after it, or None when it is torn or damaged."""
    end_of_frame = offset + _FRAME.size
    if end_of_frame > len(data):
        return None
    magic, length, checksum = _FRAME.unpack_from(data, offset)
    payload = data[end_of_frame : end_of_frame + length]
    if magic != _MAGIC or len(payload) != length or zlib.crc32(payload) != checksum:
        return None
    (header_length,) = _HEADER_LENGTH.unpack_from(payload)
    header = json.loads(payload[_HEADER_LENGTH.size : _HEADER_LENGTH.size + header_length])
    body = payload[_HEADER_LENGTH.size + header_length :]
    return Record(int(header.pop("seq")), header, body), end_of_frame + length


class Journal:
    """Use: ``read()`` what earlier runs left (replay it), ``start(after)``, then ``append`` /
    ``wait_durable`` / ``rotate`` / ``discard_through``. Call ``append`` and ``rotate`` one at a
    time (under the moto lock); ``wait_durable`` from any thread."""

    def __init__(self, directory: Path) -> None:
        self.directory = private_directory(directory)
        self._segments: list[_Segment] = []
        self._descriptor: int | None = None
        self._current: _Segment | None = None
        self._size = 0
        self._last_seq = 0
        self._durable_seq = 0
        self._blob_refs: dict[str, int] = {}  # blob -> the last seq that names it
        self._sync = threading.Condition()
        self._syncing = False
        self._rotated: list[int] = []  # descriptors of segments rotated away, not yet flushed
        self._new_entries = False
        self._damaged = False

    # -- reading what earlier runs wrote -------------------------------------------------------

    def read(self) -> Iterator[Record]:
        """Every intact record of every segment, oldest first. A segment's reading stops at its
        first torn or damaged record (only the last append before a crash can be torn)."""
        self._segments = []
        paths = sorted(self.directory.glob(f"*{_SUFFIX}"), key=lambda path: int(path.stem))
        for path in paths:
            segment = _Segment(path, int(path.stem), None)
            self._segments.append(segment)
            data = path.read_bytes()
            offset = 0
            while offset < len(data):
                decoded = _decode(data, offset)
                if decoded is None:
                    logger.warning(
                        "journal %s: ignoring %d bytes from offset %d: a record torn by a crash "
                        "during its write (never acknowledged)",
                        path.name,
                        len(data) - offset,
                        offset,
                    )
                    break
                record, offset = decoded
                segment.last_seq = record.seq
                if record.blob:
                    self._blob_refs[record.blob] = record.seq
                yield record

    def start(self, after: int) -> None:
        """Open a new segment for appends. ``after``: the last seq the snapshot already holds;
        segments holding nothing newer are deleted."""
        last = max([after] + [s.last_seq for s in self._segments if s.last_seq is not None])
        self._last_seq = self._durable_seq = last
        self.discard_through(after)
        path = self.directory / f"{last + 1:020d}{_SUFFIX}"
        # A segment of that name can only hold a torn record (else ``last`` would be higher).
        self._segments = [segment for segment in self._segments if segment.path != path]
        self._open(path, last + 1)

    def _open(self, path: Path, first_seq: int) -> None:
        self._descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, FILE_MODE)
        self._new_entries = True  # the next group commit makes the file's name durable too
        self._current = _Segment(path, first_seq, None)
        self._segments.append(self._current)
        self._size = 0

    # -- appending ---------------------------------------------------------------------------

    @property
    def last_seq(self) -> int:
        return self._last_seq

    @property
    def referenced_blobs(self) -> set[str]:
        return set(self._blob_refs)

    def names_blob(self, blob: str) -> bool:
        return blob in self._blob_refs

    def append(self, header: dict[str, Any], body: bytes = b"") -> int:
        assert self._descriptor is not None and self._current is not None, "start() first"
        if self._damaged:
            raise OSError("the journal could not cut off a partly written record; restart the stack")
        seq = self._last_seq + 1
        frame = _encode(seq, header, body)
        try:
            _write_all(self._descriptor, frame)
        except OSError:
            # A partly written frame would hide every later record from read(): cut it off.
            try:
                os.ftruncate(self._descriptor, self._size)
            except OSError:
                self._damaged = True
            raise
        self._size += len(frame)
        self._last_seq = self._current.last_seq = seq
        if header.get("blob"):
            self._blob_refs[header["blob"]] = seq
        return seq

    def wait_durable(self, seq: int) -> None:
        """Return once every record up to ``seq`` is on disk (one fdatasync serves all waiters)."""
        with self._sync:
            while self._durable_seq < seq:
                if self._syncing:
                    self._sync.wait()
                    continue
                self._syncing = True
                target, descriptor = self._last_seq, self._descriptor
                rotated, self._rotated = self._rotated, []
                new_entries, self._new_entries = self._new_entries, False
                self._sync.release()
                synced = False
                try:
                    assert descriptor is not None
                    self._flush(rotated, new_entries, descriptor)
                    synced = True
                finally:
                    self._sync.acquire()
                    self._syncing = False
                    if synced:
                        self._durable_seq = max(self._durable_seq, target)
                    else:
                        self._rotated = rotated + self._rotated
                        self._new_entries = self._new_entries or new_entries
                    self._sync.notify_all()

    def _flush(self, rotated: list[int], new_entries: bool, descriptor: int) -> None:
        for old in rotated:
            os.fdatasync(old)
        for old in rotated:
            os.close(old)
        rotated.clear()
        if new_entries:
            fsync_directory(self.directory)
        os.fdatasync(descriptor)

    # -- compaction --------------------------------------------------------------------------

    def rotate(self) -> int:
        """Continue in a new segment and return the last seq of the segments before it (what a
        snapshot taken now holds). Nothing waits for the disk here: the next group commit
        flushes the old segment with the new one."""
        assert self._descriptor is not None and self._current is not None, "start() first"
        if self._current.last_seq is None:
            return self._last_seq
        with self._sync:
            self._rotated.append(self._descriptor)
            self._open(self.directory / f"{self._last_seq + 1:020d}{_SUFFIX}", self._last_seq + 1)
        return self._last_seq

    def detach_through(self, seq: int) -> tuple[list[Path], set[str]]:
        """Forget the segments holding nothing after ``seq``. Returns their files (for the caller
        to delete, e.g. outside the moto lock) and the blobs no record names any more."""
        covered = [
            segment
            for segment in self._segments
            if segment is not self._current and (segment.last_seq is None or segment.last_seq <= seq)
        ]
        self._segments = [segment for segment in self._segments if segment not in covered]
        released = {blob for blob, last in self._blob_refs.items() if last <= seq}
        for blob in released:
            del self._blob_refs[blob]
        return [segment.path for segment in covered], released

    def discard_through(self, seq: int) -> set[str]:
        """``detach_through`` and delete the segment files."""
        paths, released = self.detach_through(seq)
        for path in paths:
            path.unlink(missing_ok=True)
        return released

    def close(self) -> None:
        with self._sync:
            while self._syncing:
                self._sync.wait()
            if self._descriptor is not None:
                self._flush(self._rotated, self._new_entries, self._descriptor)
                os.close(self._descriptor)
                self._descriptor = None
                self._durable_seq = self._last_seq
