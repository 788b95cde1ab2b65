"""covermap serve under load (issue 15, point 4): concurrent clients on loopback over every
page and JSON route, then the same load while an import writes into the served store.

    .venv/bin/python benchmarks/bench_serve_load.py                      # the 1M sample
    .venv/bin/python benchmarks/bench_serve_load.py --clients 8 --seconds 60 \\
        --during-import /work/bench1m/data/deals.csv

``--store`` (default /tmp/S/covermap.duckdb) is served and, with --during-import, written
to: when it does not exist it is copied from ``--source`` (default the 1,000,000-account
sample with groups, /tmp/lead/m1/covermap.duckdb), which is never opened for writing.
The server is ``covermap serve`` in a process of its own on 127.0.0.1 and a free port;
each client is a thread with its own HTTP connection, going round the routes from its own
starting point. A phase stops by itself after ``--seconds`` or ``--max-requests``,
whichever comes first (the import phase: ``--import-seconds``, and it also ends with the
import). Each phase prints one
table: requests, requests per second, p50 and p99 latency per route, and errors (any
answer but 200, and any request that got no answer). During an import a 503 that says
the results are being computed is counted apart ("computing"): it is the dashboard's
progress answer once the import has committed new contents, not a failure to read.
A benchmark, not a test: the machine's load average is printed beside each table.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))

from bench_serve import free_port, load  # noqa: E402

PAGES = ("/", "/coverage", "/coverage?segment=smb&state=loyal", "/map",
         "/map?cell=customised/high", "/team", "/capacity", "/value", "/worklist",
         "/worklist?role=csm", "/plan")
API = ("/api/overview", "/api/coverage", "/api/map", "/api/map/cells/simple/high",
       "/api/team", "/api/capacity", "/api/value", "/api/worklist",
       "/api/worklist?offset=5000", "/api/plan", "/api/status")


SRC = Path(__file__).resolve().parent.parent / "src"


def env() -> dict[str, str]:
    """The environment of the server and the import: this checkout's covermap first."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(SRC), *filter(None, [os.environ.get("PYTHONPATH")])])}


def prepared_store(store: Path, source: Path) -> Path:
    if store.resolve() == source.resolve():
        raise SystemExit(f"--store {store} is the --source: pass a copy of your own")
    if not store.exists():
        store.parent.mkdir(parents=True, exist_ok=True)
        print(f"copying {source} to {store}", flush=True)
        shutil.copyfile(source, store)
    return store


def wait_ready(base: str, server: subprocess.Popen, timeout: float) -> float:
    """Seconds until the results are ready (computed once per store and plan)."""
    started = time.monotonic()
    with httpx.Client(base_url=base, timeout=60) as c:
        while time.monotonic() - started < timeout:
            if server.poll() is not None:
                raise SystemExit("covermap serve stopped; see its log")
            try:
                r = c.get("/api/status")
                if r.status_code == 200 and r.json()["ready"]:
                    return time.monotonic() - started
            except httpx.TransportError:
                pass
            time.sleep(1)
    raise SystemExit(f"the results were not ready after {timeout:.0f} s")


class Phase:
    """One bounded run of ``clients`` threads over ``routes``."""

    def __init__(self, base: str, routes: list[str], clients: int, seconds: float,
                 max_requests: int, until: threading.Event | None = None) -> None:
        self.base, self.routes, self.clients = base, routes, clients
        self.seconds, self.max_requests, self.until = seconds, max_requests, until
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.computing: dict[str, int] = defaultdict(int)
        self.examples: list[str] = []
        self.first_computing: float | None = None  # seconds into the phase
        self._lock = threading.Lock()
        self._sent = 0

    def _take(self) -> bool:
        with self._lock:
            self._sent += 1
            return self._sent <= self.max_requests

    def _client(self, i: int, deadline: float) -> None:
        k = i * 7  # each client starts somewhere else on the round
        with httpx.Client(base_url=self.base, timeout=120) as c:
            while time.monotonic() < deadline and not (self.until and self.until.is_set()) \
                    and self._take():
                route = self.routes[k % len(self.routes)]
                k += 1
                t = time.perf_counter()
                try:
                    r = c.get(route)
                    status, text = r.status_code, r.text if r.status_code != 200 else ""
                except httpx.HTTPError as e:
                    status, text = 0, f"{type(e).__name__}: {e}"
                dt = time.perf_counter() - t
                with self._lock:
                    if status == 200:
                        self.times[route].append(dt)
                    elif status == 503 and "being computed" in text:
                        self.computing[route] += 1
                        if self.first_computing is None:
                            self.first_computing = time.monotonic() - self.started
                    else:
                        self.errors[route] += 1
                        if len(self.examples) < 5:
                            said = " ".join(text.split())[:300]
                            self.examples.append(f"{route}: {status} {said}")

    def run(self) -> float:
        started = self.started = time.monotonic()
        threads = [threading.Thread(target=self._client, args=(i, started + self.seconds))
                   for i in range(self.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.wall = time.monotonic() - started
        return self.wall

    def table(self, title: str) -> int:
        """Print the phase's table; the number of errors."""
        print(f"\n{title}: {self.clients} clients, {self.wall:.1f} s [{load()}]")
        print(f"{'route':38} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} "
              f"{'errors':>6} {'computing':>9}")
        every: list[float] = []
        for route in self.routes:
            t = sorted(self.times[route])
            every += t
            print(f"{route:38} {len(t):8} {len(t) / self.wall:7.1f} {_ms(t, 50):>8} "
                  f"{_ms(t, 99):>8} {self.errors[route]:6} {self.computing[route]:9}")
        errors, computing = sum(self.errors.values()), sum(self.computing.values())
        every.sort()
        print(f"{'all routes':38} {len(every):8} {len(every) / self.wall:7.1f} "
              f"{_ms(every, 50):>8} {_ms(every, 99):>8} {errors:6} {computing:9}")
        for line in self.examples:
            print(f"  error: {line}")
        return errors


def _ms(sorted_times: list[float], q: int) -> str:
    if not sorted_times:
        return "-"
    if len(sorted_times) == 1:
        return f"{sorted_times[0] * 1000:.0f}"
    cut = statistics.quantiles(sorted_times, n=100, method="inclusive")
    return f"{(statistics.median(sorted_times) if q == 50 else cut[q - 1]) * 1000:.0f}"


def routes_of(base: str) -> list[str]:
    """The pages and JSON routes, with an account, an owner's worklist and its CSV export
    taken from the results."""
    with httpx.Client(base_url=base, timeout=300) as c:
        first = c.get("/api/worklist").json()["rows"][0]
    aid, owner = first["account_id"], first["owner_id"]
    return [*PAGES, f"/accounts/{aid}", f"/worklist?owner={owner}", *API,
            f"/api/accounts/{aid}", f"/api/worklist?owner={owner}",
            f"/api/worklist.csv?owner={owner}"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, default=Path("/tmp/S/covermap.duckdb"))
    ap.add_argument("--source", type=Path, default=Path("/tmp/lead/m1/covermap.duckdb"))
    ap.add_argument("--plan", type=Path, help="the plan file to serve (default: the built-in "
                    "plan; a file of its own keeps the results' key while the template changes)")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=30.0, help="per phase, at most")
    ap.add_argument("--import-seconds", type=float, default=300.0,
                    help="the import phase, at most (it also ends with the import)")
    ap.add_argument("--max-requests", type=int, default=20_000, help="per phase, at most")
    ap.add_argument("--ready-timeout", type=float, default=3600.0)
    ap.add_argument("--during-import", nargs="+", type=Path, metavar="FILE",
                    help="also load while `covermap import FILE...` writes into --store")
    args = ap.parse_args(argv)
    store = prepared_store(args.store, args.source)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = store.parent / "bench_serve_load.log"
    with log.open("w") as out:
        plan = ["--plan", str(args.plan)] if args.plan else []
        server = subprocess.Popen([sys.executable, "-m", "covermap", "serve", "--store",
                                   str(store), *plan, "--port", str(port)], stdout=out,
                                  stderr=subprocess.STDOUT, env=env())
    try:
        ready = wait_ready(base, server, args.ready_timeout)
        print(f"covermap serve on {base}, store {store}: results ready after {ready:.1f} s "
              f"(0 when already kept in the store) [{load()}]", flush=True)
        routes = routes_of(base)
        warm = Phase(base, routes, 1, 600, 2 * len(routes))
        warm.run()  # every route twice, one client: nothing is measured
        idle = Phase(base, routes, args.clients, args.seconds, args.max_requests)
        idle.run()
        errors = idle.table("load")
        if args.during_import:
            errors += during_import(args, base, routes, store)
        print(f"\nserver log: {log}")
        return 1 if errors else 0
    finally:
        server.terminate()
        server.wait(30)


def during_import(args, base: str, routes: list[str], store: Path) -> int:
    """The same load while ``covermap import`` writes into the served store; the phase
    ends with the import (or at the bounds)."""
    done = threading.Event()
    out = store.parent / "bench_serve_load.import.log"
    started = time.monotonic()
    with out.open("w") as f:
        plan = ["--plan", str(args.plan)] if args.plan else []
        proc = subprocess.Popen([sys.executable, "-m", "covermap", "import",
                                 *map(str, args.during_import), "--store", str(store), *plan],
                                stdout=f, stderr=subprocess.STDOUT, env=env())

    ended: list[float] = []

    def watch() -> None:
        proc.wait()
        ended.append(time.monotonic() - started)
        done.set()

    threading.Thread(target=watch, daemon=True).start()
    phase = Phase(base, routes, args.clients, args.import_seconds, args.max_requests,
                  until=done)
    phase.run()
    errors = phase.table(f"load during `covermap import {' '.join(map(str, args.during_import))}`")
    if proc.poll() is None:
        print(f"the import was still running at the phase's end ({args.import_seconds:g} s); "
              f"waiting for it")
    code = proc.wait()
    time.sleep(0.1)
    print(f"import: exit {code} after {ended[0]:.1f} s; its output: {out}")
    if phase.first_computing is not None:
        print(f"first 'being computed' answer {phase.started - started + phase.first_computing:.1f}"
              f" s after the import started (its new contents need new results)")
    return errors + (1 if code else 0)


if __name__ == "__main__":
    sys.path.insert(0, str(SRC))
    sys.exit(main())
