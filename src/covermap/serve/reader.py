"""One read-only connection to the store, shared by the requests in flight, reopened when an
import has published a new version, and closed once nobody has read for ``idle`` seconds.

Opening a DuckDB file costs more than answering a page from the saved tables, so requests
reuse the connection (each through its own cursor). A writer never writes the file this
connection reads (``covermap.store.versions``): it replaces the path with a new file, so the
open connection goes on answering from the version it opened, whose contents text (the
store's part of the key) is read once per opening. Each request compares the path's
version with the open one; on a change, new requests wait for those in flight on the old
version to finish (DuckDB hands a process one database per path, so the new version opens
only once the old is closed), then read the new one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from covermap.serve import cache
from covermap.store import versions


class Reader:
    def __init__(self, store: str, idle: float = 3.0) -> None:
        self.store, self.idle = store, idle
        self._held = threading.local()  # cursors this thread holds (it never waits on them)
        self._cond = threading.Condition()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._contents: str | None = None
        self._version: versions.Version | None = None
        self._users = 0
        self._last = time.monotonic()
        self._closer: threading.Thread | None = None

    @contextmanager
    def cursor(self) -> Iterator[tuple[duckdb.DuckDBPyConnection, str]]:
        """(a cursor on the shared connection, the store's contents text for the key)."""
        held = getattr(self._held, "n", 0)
        with self._cond:
            now = versions.current(self.store)
            if self._con is not None and now != self._version and not held:
                self._cond.wait_for(lambda: self._users == 0 or self._con is None)
                self._drop()
            if self._con is None:
                self._con = cache.connect(self.store)
                # the version read before opening: a switch in between makes the next
                # request reopen (once more than needed, never one too few)
                self._version = now
                self._contents = cache.contents(self._con)
            self._users += 1
            cur, contents = self._con.cursor(), self._contents
            if self._closer is None:
                self._closer = threading.Thread(target=self._close_when_idle, daemon=True,
                                                name="covermap-serve-reader")
                self._closer.start()
        self._held.n = held + 1
        try:
            yield cur, contents
        finally:
            self._held.n = held
            cur.close()
            with self._cond:
                self._users -= 1
                self._last = time.monotonic()
                self._cond.notify_all()

    def close(self) -> None:
        """Close the shared connection when no request is using it."""
        with self._cond:
            if self._con is not None and self._users == 0:
                self._drop()

    def _drop(self) -> None:
        if self._con is not None:
            self._con.close()
        self._con = self._contents = self._version = None

    def _close_when_idle(self) -> None:
        while True:
            time.sleep(min(self.idle, 1.0))
            with self._cond:
                if self._con is None:
                    self._closer = None
                    return
                if self._users == 0 and time.monotonic() - self._last >= self.idle:
                    self._drop()
                    self._closer = None
                    return
