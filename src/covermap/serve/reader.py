"""One read-only connection to the store, shared by the requests in flight and closed once
nobody has read for ``idle`` seconds, so that another process can import then.

Opening a DuckDB file costs more than answering a page from the saved tables, so requests
reuse the connection (each through its own cursor). While it is open no other process can
write to the store, so the store's part of the key is read once per opening.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from covermap.serve import cache


class Reader:
    def __init__(self, store: str, gate: cache.Gate, idle: float = 3.0) -> None:
        self.store, self.gate, self.idle = store, gate, idle
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._contents: str | None = None
        self._users = 0
        self._last = time.monotonic()
        self._closer: threading.Thread | None = None

    @contextmanager
    def cursor(self) -> Iterator[tuple[duckdb.DuckDBPyConnection, str]]:
        """(a cursor on the shared connection, the store's contents text for the key)."""
        with self.gate.reading():
            with self._lock:
                if self._con is None:
                    self._con = cache.connect(self.store)
                    self._contents = cache.contents(self._con)
                self._users += 1
                cur, contents = self._con.cursor(), self._contents
                if self._closer is None:
                    self._closer = threading.Thread(target=self._close_when_idle, daemon=True,
                                                    name="covermap-serve-reader")
                    self._closer.start()
            try:
                yield cur, contents
            finally:
                cur.close()
                with self._lock:
                    self._users -= 1
                    self._last = time.monotonic()

    def close(self) -> None:
        """Close the shared connection (a writer calls it inside ``gate.writing()``)."""
        with self._lock:
            if self._con is not None and self._users == 0:
                self._con.close()
                self._con = self._contents = None

    def _close_when_idle(self) -> None:
        while True:
            time.sleep(min(self.idle, 1.0))
            with self._lock:
                if self._con is None:
                    self._closer = None
                    return
                if self._users == 0 and time.monotonic() - self._last >= self.idle:
                    self._con.close()
                    self._con = self._contents = None
                    self._closer = None
                    return
