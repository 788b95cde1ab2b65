"""A throwaway PostgreSQL cluster for the tests: ``initdb`` + ``pg_ctl`` from Debian's
``postgresql`` package, on a free port, in a temporary folder, removed afterwards.

PostgreSQL refuses to run as root, so when the tests run as root (CI does) the server
runs as the ``postgres`` system user the package creates, and its folder belongs to it.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

#: .ci/run sets it (and CI=true): PostgreSQL missing there is a failure, not a skip
REQUIRE = (os.environ.get("COVERMAP_REQUIRE_POSTGRES") == "1"
           or os.environ.get("CI", "").lower() == "true")


def bin_dir() -> Path | None:
    """The folder holding initdb and pg_ctl (Debian keeps them out of PATH), or None."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                      key=lambda p: int(Path(p).parent.parent.name))
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_user() -> tuple[int | None, int | None]:
    """(uid, gid) to run the server as: the ``postgres`` user when we are root."""
    if os.geteuid() != 0:
        return None, None
    pw = pwd.getpwnam("postgres")
    return pw.pw_uid, pw.pw_gid


@contextmanager
def cluster() -> Iterator[str]:
    """Start a cluster and yield the URL of its ``postgres`` database; stop and remove
    it at the end."""
    bins = bin_dir()
    if bins is None:
        raise FileNotFoundError("initdb/pg_ctl not found: apt-get install postgresql")
    uid, gid = _server_user()
    root = Path(tempfile.mkdtemp(prefix="covermap-pgtest-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if uid is not None:
        for p in (root, sock):
            os.chown(p, uid, gid)

    def run(*args: str) -> None:
        def drop() -> None:
            if uid is not None:
                os.setgid(gid)
                os.setuid(uid)
        subprocess.run(args, check=True, capture_output=True, preexec_fn=drop, cwd=root)

    run(str(bins / "initdb"), "-D", str(data), "-U", "covermap", "-A", "trust",
        "-E", "UTF8", "--locale=C", "--no-sync")
    for attempt in range(3):  # another process may take the free port first
        port = _free_port()
        opts = (f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off "
                f"-c synchronous_commit=off -c full_page_writes=off -c shared_buffers=32MB "
                f"-c max_connections=20")
        try:
            run(str(bins / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(root / "log"),
                "-w", "-t", "60", "start")
            break
        except subprocess.CalledProcessError:
            if attempt == 2:
                log = (root / "log").read_text("utf-8", "replace")
                shutil.rmtree(root, ignore_errors=True)
                raise RuntimeError(f"PostgreSQL did not start:\n{log}") from None
    try:
        yield f"postgresql://covermap@127.0.0.1:{port}/postgres"
    finally:
        try:
            run(str(bins / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """One throwaway cluster per test process (each pytest-xdist worker has its own)."""
    if bin_dir() is None:
        if REQUIRE:
            pytest.fail("COVERMAP_REQUIRE_POSTGRES=1 but initdb/pg_ctl are not installed "
                        "(apt-get install postgresql)")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql); CI runs "
                    "these tests")
    with cluster() as url:
        yield url


_numbers = itertools.count()


def new_schema(server: str) -> str:
    """The URL of a new, empty schema in the cluster's ``postgres`` database (a schema,
    not a database: a dozen databases took 11 s to delete at the end on a busy machine)."""
    import psycopg

    name = f"t{os.getpid()}_{next(_numbers)}"
    with psycopg.connect(server, autocommit=True) as con:
        con.execute(f'CREATE SCHEMA "{name}"')
    return f"{server}/{name}"


def connect(url: str):
    """A psycopg connection to the store at ``url`` (``.../DATABASE/SCHEMA``), its schema
    first on the search path."""
    import psycopg

    server, schema = url.rsplit("/", 1)
    return psycopg.connect(server, options=f"-c search_path={schema}")


@pytest.fixture
def pg_url(pg_server: str) -> str:
    """The URL of a new, empty store location (a schema) on the session's cluster."""
    return new_schema(pg_server)
