"""Versions of a DuckDB store file: writers build the next version beside the current one
and switch atomically; readers keep the version they opened (issue 15, point 1).

A published version is never written again. A writer (an import, the dashboard saving its
results) takes ``<store>.lock`` (``fcntl.flock``: one writer at a time, released by the
kernel when a process dies; the file is removed when the writer is done), copies the
current version to ``.<name>.covermap-next-<pid>`` in the same folder, writes there,
checkpoints and closes it (so no write-ahead log is left beside it), then ``os.replace``s
it over the store. A reader that opened the store before
goes on reading the old file (its inode) until it reopens (in one process, DuckDB hands a
new connection to a path the database already open there: a process sees the new version
once its connections to the store are all closed); a process killed at any moment
leaves either the old version or the new one, never a mix, and the next writer removes
what it left. POSIX only: Windows can neither replace a file that is open nor ``flock``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from covermap.errors import StoreBusy, StoreError

#: seconds a writer waits for another one before giving up (``--wait`` overrides it)
WAIT = float(os.environ.get("COVERMAP_WRITE_WAIT", "600"))
_NEXT = ".covermap-next-"
_OLD_WAL = ".covermap-wal-of-"

#: (point, path of the version being written): tests pause a writer here
Hook = Callable[[str, Path], None]
hooks: list[Hook] = []


@dataclass(frozen=True)
class Version:
    """What tells one version of the store file from another."""

    dev: int
    ino: int
    mtime_ns: int
    size: int

    @classmethod
    def of(cls, st: os.stat_result) -> Version:
        return cls(st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


def current(path: str | Path) -> Version | None:
    """The version the store at ``path`` is now (None when there is no file)."""
    try:
        return Version.of(os.stat(path))
    except FileNotFoundError:
        return None


def lock_path(path: str | Path) -> Path:
    return Path(f"{path}.lock")


def _wal(path: str | Path) -> Path:
    return Path(f"{path}.wal")


def holder(path: str | Path) -> str:
    """Who holds the store's write lock, as the lock file says (or "another process")."""
    try:
        info = json.loads(lock_path(path).read_text("utf-8"))
        return f"process {info['pid']} ({info['command']}, since {info['since']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"


def _command() -> str:
    words = ["covermap", *sys.argv[1:]]
    text = " ".join(words)
    return text if len(text) <= 80 else text[:79] + "…"


@contextlib.contextmanager
def write_lock(path: str | Path, *, wait: float | None = None,
               on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold ``<store>.lock`` while the block runs; if another process holds it, call
    ``on_wait`` once with who it is and wait up to ``wait`` seconds (StoreBusy after).
    The holder removes the file before it lets go, so none is left beside the store; a
    process that got the lock of a file removed meanwhile takes the new file's."""
    wait = WAIT if wait is None else wait
    deadline = time.monotonic() + wait
    told = False
    while True:
        fd = os.open(lock_path(path), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            who = holder(path)
            if time.monotonic() >= deadline:
                raise StoreBusy(
                    f"{path}: {who} is writing the store, and it did not finish in "
                    f"{wait:g} s; nothing was written. Run again once it has finished, "
                    f"or pass --wait with more seconds") from None
            if not told:
                _run_hooks("waiting", Path(path))
                if on_wait is not None:
                    on_wait(who)
            told = True
            time.sleep(0.05)
            continue
        if _same_file(fd, lock_path(path)):
            break
        os.close(fd)  # the file was removed by the holder that just let go: take the new one
    try:
        info = {"pid": os.getpid(), "command": _command(),
                "since": dt.datetime.now(dt.UTC).strftime("%H:%M:%S UTC")}
        os.ftruncate(fd, 0)  # a killed holder's line may be longer
        os.pwrite(fd, json.dumps(info).encode(), 0)
        yield
    finally:
        lock_path(path).unlink(missing_ok=True)
        os.close(fd)  # lets go of the lock


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except FileNotFoundError:
        return False


def _remove_stale(path: Path) -> None:
    """Under the lock: remove the next versions a killed writer left, and put back (or
    remove) the write-ahead log a killed writer had moved aside."""
    live = current(path)
    for f in path.parent.glob(f".{path.name}{_NEXT}*"):
        f.unlink(missing_ok=True)
    for f in path.parent.glob(f".{path.name}{_OLD_WAL}*"):
        # the log belongs to the file whose inode its name carries: still the store's
        # when the writer was killed before its switch, someone else's after it
        if live is not None and f.name.endswith(f"{_OLD_WAL}{live.ino}") \
                and not _wal(path).exists():
            os.replace(f, _wal(path))
        else:
            f.unlink(missing_ok=True)


def copy_current(path: str | Path, target: str | Path) -> Version | None:
    """Copy the store's current version (file and write-ahead log) to ``target``, a private
    file to write; returns the version copied (None when there is no store)."""
    with contextlib.ExitStack() as stack:
        try:
            src = stack.enter_context(open(path, "rb"))  # this version, whatever replaces it
        except FileNotFoundError:
            return None
        version = Version.of(os.fstat(src.fileno()))
        with open(target, "wb") as dst:
            _copy(src, dst, version.size)
    wal = _wal(path)
    with contextlib.suppress(FileNotFoundError):
        shutil.copyfile(wal, _wal(target))
    return version


def _copy(src, dst, size: int) -> None:
    """Copy in the kernel (``copy_file_range``: a third of the time of a read-write loop on
    a 170 MB store), else through Python."""
    done = 0
    with contextlib.suppress(AttributeError, OSError):  # not Linux, or across file systems
        while done < size:
            n = os.copy_file_range(src.fileno(), dst.fileno(), size - done, done, done)
            if n == 0:
                break
            done += n
    src.seek(done)
    dst.seek(done)
    shutil.copyfileobj(src, dst, 16 << 20)


def snapshot(path: str | Path, target: str | Path) -> Version:
    """The current version at ``target`` to open READ-ONLY: a hard link when the folder is
    on the store's file system and no write-ahead log is pending (free), a copy otherwise."""
    if not _wal(path).exists():
        with contextlib.suppress(OSError):
            os.link(path, target)
            return Version.of(os.stat(target))
    version = copy_current(path, target)
    if version is None:
        raise StoreError(f"{path}: no store here yet")
    return version


@dataclass
class NextVersion:
    """The version a writer is building: ``path`` to open read-write, then ``publish``."""

    store: Path
    path: Path
    base: Version | None

    def publish(self) -> None:
        """Make the written version the store's (its connection must be closed)."""
        wal = _wal(self.path)
        if wal.exists() and wal.stat().st_size:
            raise StoreError(f"{self.store}: the new version still has a write-ahead log "
                             f"(a connection to it is open); the store was left as it was")
        wal.unlink(missing_ok=True)
        _run_hooks("publish", self.path)
        with open(self.path, "rb+") as f:
            os.fsync(f.fileno())
        live_wal = _wal(self.store)
        aside = None
        if live_wal.exists():
            # the current version's log is in the new one already (or belongs to no file);
            # beside the new file DuckDB would replay it onto it
            ino = self.base.ino if self.base is not None else 0
            aside = self.store.with_name(f".{self.store.name}{_OLD_WAL}{ino}")
            os.replace(live_wal, aside)
        os.replace(self.path, self.store)
        if aside is not None:
            aside.unlink(missing_ok=True)
        _fsync_dir(self.store.parent)

    def discard(self) -> None:
        for f in (self.path, _wal(self.path)):
            f.unlink(missing_ok=True)


@contextlib.contextmanager
def next_version(store: str | Path, *, wait: float | None = None,
                 on_wait: Callable[[str], None] | None = None) -> Iterator[NextVersion]:
    """Hold the write lock and a copy of the current version to write; the caller closes
    its connection and calls ``publish``; anything unpublished is removed on the way out."""
    store = Path(store)
    with write_lock(store, wait=wait, on_wait=on_wait):
        _remove_stale(store)
        nxt = NextVersion(store, store.with_name(f".{store.name}{_NEXT}{os.getpid()}"), None)
        try:
            nxt.base = copy_current(store, nxt.path)
            _run_hooks("copied", nxt.path)
            yield nxt
        finally:
            nxt.discard()


def _run_hooks(point: str, path: Path) -> None:
    for hook in hooks:
        hook(point, path)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
