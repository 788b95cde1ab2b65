"""Compute every analysis once for a key and write its result tables to parquet files.

The dashboard's only call into the analyses: :func:`compute_results` runs coverage, the
coverage map, team, value and capacity (covermap's public functions) on a snapshot of the
store, so the store itself is not held while they run, and returns the files and the
sentences and names the pages show. Nothing here is per-request.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

#: the steps a computation reports, in order (the progress page lists them)
STEPS = ("snapshot", "coverage", "coverage map", "team", "key players", "capacity", "saving")
MEMORY_LIMIT = "1200MB"


def _book(s, as_of: dt.date):
    """(account_id, user_id): each account's owner and its account team in force on as_of."""
    import ibis

    acc = s.table("accounts")
    owners = acc.filter(acc.owner_id.notnull()).select("account_id", user_id="owner_id")
    t = s.table("account_team")
    d = ibis.literal(as_of)
    team = t.filter((t.start_date.isnull() | (t.start_date.cast("date") <= d))
                    & (t.end_date.isnull() | (t.end_date.cast("date") >= d)))
    return owners.union(team.select("account_id", "user_id"), distinct=True)


def _cell_deals(s, plan, as_of, window_months):
    import ibis

    from covermap.map.measure import cell_deals
    from covermap.map.model import COMPLEXITIES, VALUE_TIERS

    parts = []
    for cx in COMPLEXITIES:
        for tier in VALUE_TIERS:
            _, t = cell_deals(s, plan, (cx, tier), as_of=as_of, window_months=window_months)
            parts.append(t.mutate(complexity=ibis.literal(cx), value=ibis.literal(tier)))
    return ibis.union(*parts)


def _playbooks(maps) -> list[dict[str, Any]]:
    from covermap.value.tools import playbook

    return [dataclasses.asdict(playbook(maps, p.id)) for p in maps.personas]


def compute_results(snap: Path, plan, maps, folder: Path,
                    step: Callable[[str], None]) -> tuple[dict[str, str], dict[str, Any]]:
    """The result tables (name -> parquet file in ``folder``) and the meta of one key,
    measured on ``snap`` (a ``covermap.store.versions.snapshot`` of the store);
    ``step(name)`` is called as each of :data:`STEPS` after the snapshot begins."""
    from covermap import (
        build_map,
        coverage_tables,
        map_tables,
        measure_capacity,
        measure_coverage,
        measure_team,
        measure_value,
        open_store,
        team_tables,
        value_tables,
    )
    from covermap.capacity.render import capacity_tables
    from covermap.render import Formats, user_names, won_revenue_line
    from covermap.reports.kpis import capacity_kpi, coverage_kpis, map_kpi, team_kpi, value_kpi
    from covermap.serve.visibility import dashboard_tables
    from covermap.team.plan_tables import letter_rows

    files: dict[str, str] = {}
    meta: dict[str, Any] = {"plan_name": plan.name, "computed_at": dt.datetime.now(dt.UTC)}
    with tempfile.TemporaryDirectory(prefix="covermap-spill-", dir=folder) as spill, \
            open_store(snap, read_only=True, memory_limit=MEMORY_LIMIT) as s:
        s.duckdb.execute(f"SET temp_directory = '{spill.replace(chr(39), chr(39) * 2)}'")
        s.duckdb.execute("SET enable_progress_bar = false")

        def write(tables: dict[str, Any]) -> None:
            for name, expr in tables.items():
                path = str(folder / f"{name}.parquet")
                s.ibis.to_parquet(expr, path)
                files[name] = path

        step("coverage")
        cov = measure_coverage(s, plan)
        w = cov.window
        window = dict(as_of=w.as_of, start=w.start, end=w.end, months=w.months)
        write({**coverage_tables(cov, outcomes=False), "coverage_accounts": cov.accounts,
               "book": _book(s, w.as_of)})
        names = user_names(s)
        meta.update(window=window, warnings=list(cov.warnings), users=names,
                    states={st.id: st.label.en for st in plan.states})
        step("coverage map")
        if plan.coverage_map is not None:
            cmap = build_map(s, plan, as_of=w.as_of, window_months=w.months)
            write({**map_tables(cmap), "map_cells": cmap.cells,
                   "map_cell_deals": _cell_deals(s, plan, w.as_of, w.months)})
            meta.update(map_total=won_revenue_line(cmap, Formats.for_plan(plan, names)),
                        map_priorities=list(cmap.explanations), currency=cmap.currency)
        step("team")
        team = measure_team(s, plan, as_of=w.as_of, window_months=w.months)
        write(team_tables(team))
        write(dashboard_tables(s, plan, cov, team))  # groups, territories, territory book
        meta.update(raci=[dict(segment=k, stage=st, role=r, letter=x)
                          for k, st, r, x in letter_rows(plan)],
                    stages={st.id: st.label.en for st in plan.journey.stages})
        step("key players")
        value = measure_value(s, plan, maps, as_of=w.as_of, window_months=w.months)
        write(value_tables(value))
        meta.update(personas={p.id: p.label.en for p in maps.personas},
                    playbooks=_playbooks(maps))
        step("capacity")
        cap = measure_capacity(s, plan, as_of=w.as_of, window_months=w.months)
        write(capacity_tables(cap))
        f = Formats.for_plan(plan, names)
        kpis = [*coverage_kpis(cov, f), *([map_kpi(cmap, f)] if plan.coverage_map else []),
                team_kpi(team, f), capacity_kpi(cap, f), value_kpi(value, f)]
        meta["kpis"] = [dataclasses.asdict(k) for k in kpis]
        meta.update(capacity_tradeoffs=list(cap.tradeoffs), capacity_idle=dict(cap.idle),
                    capacity_findings=[dict(key=f.key, message=f.message, line=f.line)
                                       for f in cap.findings])
    step("saving")
    return files, meta


def run_what_if(store: str, plan, scenario, window: dict[str, Any], base_rows: list[dict],
                base_summary: list[dict]) -> list[dict]:
    """``capacity_scenarios`` rows (the cached base, then ``scenario``) for one what-if,
    measured on the store (read-only) over the cached window; the scenario's overrides are
    checked first (``PlanInvalid`` naming each unknown segment, role or state)."""
    from covermap.capacity.scenarios import run_scenarios, scenario_plans
    from covermap.store.connect import open_store

    base = SimpleNamespace(rows=base_rows, summary=base_summary)
    plans = scenario_plans(plan, base, [scenario])
    kw = dict(as_of=dt.date.fromisoformat(str(window["as_of"])),
              window_months=int(window["months"]))
    with open_store(store, read_only=True, memory_limit=MEMORY_LIMIT) as s:
        s.duckdb.execute("SET enable_progress_bar = false")
        return run_scenarios(s, base, plans, **kw)
