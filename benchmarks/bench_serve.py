"""covermap serve on a large store (issue 13, point 4): the first computation, then every
page and JSON endpoint once cached, through a real server, as medians of N; then several
viewers at once.

    .venv/bin/python benchmarks/bench_serve.py --store /tmp/E/bench1m/covermap.duckdb

The store is used as given (its serve_cache schema is written to): pass a copy, never a
store someone else reads. A benchmark, not a timed test: the machine's load average is
printed beside the figures.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROUTES = ("/", "/coverage", "/coverage?segment=smb&state=loyal", "/map",
          "/map?cell=customised/high", "/team", "/capacity", "/value", "/worklist",
          "/worklist?role=csm", "/api/overview", "/api/coverage", "/api/map",
          "/api/map/cells/simple/high", "/api/team", "/api/capacity", "/api/value",
          "/api/worklist", "/api/worklist?offset=5000")


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def first_computation(store: str) -> float:
    from covermap.serve.service import Service

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    service = Service(store, None)
    started = time.perf_counter()
    key = service.prepare()
    seconds = time.perf_counter() - started
    print(f"results for key {key}: {seconds:.1f} s (0 when already cached) [{load()}]",
          flush=True)
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--viewers", type=int, default=4)
    args = ap.parse_args()
    first_computation(args.store)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "covermap", "serve", "--store",
                               args.store, "--port", str(port)])
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=120) as c:
            for _ in range(100):
                try:
                    if c.get("/api/status").json().get("ready"):
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.3)
            c.get("/static/plotly.min.js")
            first = c.get("/api/worklist").json()["rows"][0]
            aid, owner = first["account_id"], first["owner_id"]
            routes = (*ROUTES, f"/accounts/{aid}", f"/api/accounts/{aid}",
                      f"/worklist?owner={owner}", f"/api/worklist.csv?owner={owner}")
            print(f"{'route':45} {'median s':>9} {'max s':>7} {'bytes':>10}")
            worst = 0.0
            for route in routes:
                times = []
                for _ in range(args.runs):
                    t = time.perf_counter()
                    r = c.get(route)
                    times.append(time.perf_counter() - t)
                    assert r.status_code == 200, (route, r.status_code, r.text[:200])
                worst = max(worst, statistics.median(times))
                print(f"{route:45} {statistics.median(times):9.3f} {max(times):7.3f} "
                      f"{len(r.content):10,}  [{load()}]", flush=True)
            print(f"slowest page (median): {worst:.3f} s")
            t = time.perf_counter()
            size = len(c.get("/api/worklist.csv").content)
            print(f"the whole worklist as CSV (an export, not a page): {size:,} bytes in "
                  f"{time.perf_counter() - t:.2f} s [{load()}]")

        def viewer(i: int) -> float:
            with httpx.Client(base_url=base, timeout=120) as v:
                t = time.perf_counter()
                for route in ROUTES[:10]:
                    assert v.get(route).status_code == 200
                return time.perf_counter() - t

        t = time.perf_counter()
        with ThreadPoolExecutor(args.viewers) as pool:
            each = list(pool.map(viewer, range(args.viewers)))
        print(f"{args.viewers} viewers at once, 10 pages each: {time.perf_counter() - t:.2f} s "
              f"wall, {max(each):.2f} s the slowest viewer; one viewer alone: "
              f"{viewer(0):.2f} s [{load()}]")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    main()
