"""The dashboard's link to the store: which results are current, computing them once in
the background, what-if runs, plan edits and imports.

Every request reads through a shared read-only connection (:mod:`covermap.serve.reader`),
works out the key of the store's contents and plan (:func:`covermap.serve.cache.store_key`)
and reads that key's saved tables. When there are none, one background thread computes them (a snapshot of the
store, then every analysis) while pages show its progress.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from covermap.errors import CovermapError
from covermap.serve import cache
from covermap.serve.compute import STEPS, compute_results, run_what_if
from covermap.serve.reader import Reader
from covermap.store import versions

log = logging.getLogger("covermap.serve")


class NotReady(Exception):
    """The results of the current key are being computed (or failed to be)."""

    def __init__(self, progress: dict[str, Any]) -> None:
        super().__init__(progress.get("error") or "computing")
        self.progress = progress


@dataclass
class Job:
    key: str
    started: float = field(default_factory=time.monotonic)
    step: str = STEPS[0]
    done: bool = False
    error: str | None = None

    def progress(self) -> dict[str, Any]:
        i = STEPS.index(self.step)
        return {"key": self.key, "step": self.step, "step_number": i + 1, "steps": list(STEPS),
                "seconds": round(time.monotonic() - self.started, 1), "error": self.error,
                "done": self.done}


class Service:
    """One store and plan, as the dashboard sees them."""

    def __init__(self, store: str, plan_path: Path | None, map_paths: list[Path] | None = None):
        self.store = store
        self.plan_path = plan_path
        self.map_paths = list(map_paths or [])
        self._lock = threading.Lock()
        self._job: Job | None = None
        self._parsed: dict[str, Any] = {}
        self._meta: dict[str, dict[str, Any]] = {}
        self._what_ifs: dict[tuple[str, str], list[dict]] = {}
        self.reader = Reader(store)

    # -- inputs ----------------------------------------------------------------------------
    def plan_text(self) -> str:
        from covermap.plan.load import template_text

        if self.plan_path is None:
            return template_text("default")
        return self.plan_path.read_text("utf-8")

    def inputs(self) -> tuple[str, Any, Any]:
        """(inputs text for the key, the plan, the value maps), parsed once per text."""
        text = self.plan_text()
        maps_text = [p.read_text("utf-8") for p in self.map_paths]
        key = hashlib.sha256(json.dumps([text, maps_text]).encode()).hexdigest()
        if key not in self._parsed:
            from covermap.plan import default_plan, parse_plan
            from covermap.value.load import load_value_maps

            plan = (default_plan() if self.plan_path is None
                    else parse_plan(text, str(self.plan_path)))
            self._parsed = {key: (plan, load_value_maps(self.map_paths or None))}
        plan, maps = self._parsed[key]
        return key, plan, maps

    # -- results ---------------------------------------------------------------------------
    @contextmanager
    def results(self) -> Iterator[cache.Results]:
        """The current key's saved results; raises :class:`NotReady` (and starts computing
        them) when there are none yet."""
        inputs, plan, maps = self.inputs()
        with self.reader.cursor() as (con, contents):
            key = cache.combined_key(contents, inputs)
            meta = self._meta.get(key)
            if meta is None:
                meta = cache.saved_meta(con, key)
                if meta is None:
                    raise NotReady(self._start(key, plan, maps))
                self._meta = {key: meta}
            yield cache.Results(con, key, meta)

    def prepare(self, timeout: float | None = None) -> str:
        """Compute the current key's results now unless saved; returns the key (raises
        CovermapError when they cannot be computed)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                with self.results() as r:
                    return r.key
            except NotReady as e:
                if e.progress.get("error"):
                    raise CovermapError(e.progress["error"]) from None
                if deadline is not None and time.monotonic() > deadline:
                    raise CovermapError(f"the results were not ready in {timeout:g} s") \
                        from None
                time.sleep(0.2)

    def progress(self) -> dict[str, Any] | None:
        with self._lock:
            return self._job.progress() if self._job else None

    def _start(self, key: str, plan, maps) -> dict[str, Any]:
        with self._lock:
            job = self._job
            # one computation at a time; a failed key stays failed until the inputs change
            if job is not None and (not job.done or (job.key == key and job.error)):
                return job.progress()
            self._job = job = Job(key)
        threading.Thread(target=self._compute, args=(job, plan, maps), daemon=True,
                         name=f"covermap-serve-{key}").start()
        return job.progress()

    def _compute(self, job: Job, plan, maps) -> None:
        def step(name: str) -> None:
            job.step = name
            log.info("computing %s: %s", job.key, name)

        try:
            with tempfile.TemporaryDirectory(prefix="covermap-serve-") as tmp:
                folder = Path(tmp)
                snap = folder / "snapshot.duckdb"
                version = versions.snapshot(self.store, snap)  # the current version, as it is
                if cache.combined_key(cache.snapshot_contents(snap), self.inputs()[0]) \
                        != job.key:
                    return  # the store or plan changed since: the next page starts anew
                files, meta = compute_results(snap, plan, maps, folder, step)
                cache.save_version(self.store, version, job.key, files, meta)
        except CovermapError as e:
            job.error = f"the results could not be computed: {e}"
        except Exception as e:  # a bug: keep the traceback in the server's log
            log.exception("computing %s failed", job.key)
            job.error = f"the results could not be computed: {type(e).__name__}: {e}"
        finally:
            job.done = True

    # -- what-if, plan, import -------------------------------------------------------------
    def what_if(self, scenario) -> list[dict]:
        """The capacity rows of ``scenario`` beside the base, measured once per key and
        scenario (kept in memory: a what-if is a question, not a result of the store)."""
        _, plan, _ = self.inputs()
        body = scenario.model_dump_json(exclude={"file", "lines"})
        with self.results() as r:
            key = r.key
            saved = self._what_ifs.get((key, body))
            if saved is not None:
                return saved
            base = r.rows("capacity_segments")
            summary = r.rows("capacity_summary")
            window = r.meta["window"]
        with self.reader.cursor():
            rows = run_what_if(self.store, plan, scenario, window, base, summary)
        with self._lock:
            self._what_ifs = {k: v for k, v in self._what_ifs.items() if k[0] == key}
            self._what_ifs[(key, body)] = rows
        return rows

    def save_plan(self, text: str) -> None:
        """Validate plan YAML and write it over the plan file (PlanInvalid: nothing written)."""
        from covermap.plan import parse_plan

        parse_plan(text, str(self.plan_path))
        tmp = self.plan_path.with_name(f".{self.plan_path.name}.covermap-tmp")
        tmp.write_text(text, "utf-8")
        tmp.replace(self.plan_path)

    def import_files(self, paths: list[Path]):
        """Import files into the store (one transaction); the next page computes new results."""
        from covermap.importing import import_paths
        from covermap.store.connect import open_store

        _, plan, _ = self.inputs()
        with open_store(self.store) as s:  # the next version: pages read the current one
            return import_paths(s, paths, plan=plan)
