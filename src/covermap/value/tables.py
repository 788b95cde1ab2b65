"""``measure_value``: the value-map analysis's result tables, for every front end.

- ``accounts`` (``value_accounts``), ``summary`` (``value_summary``) and ``touches``
  (``value_touches``): reach of key players (``covermap.value.reach``); ``value_accounts``
  ends with each account's ``group_id`` and ``territory`` (``covermap.engine.account_keys``);
- ``content`` (``value_content``), ``content_stages`` (``value_content_stages``) and
  ``persona_stages`` (``value_persona_stages``): messages per state
  (``covermap.value.content``).

Every count is over the window's touches (``window.start`` .. ``window.end``), classified
as ``covermap.engine.touches`` does. The activities are read once, into one narrow table
(:func:`window_touches`); every result is grouped from it and the matched contacts, and
the intermediates no later query reads are dropped before the results are returned.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from covermap.engine.account_keys import KEY_COLUMNS, account_keys, with_keys
from covermap.engine.keep import temp_keeper
from covermap.engine.segments import account_segments
from covermap.engine.touches import is_touch, local_range
from covermap.engine.window import Window, date_flag, local_date, resolve_window
from covermap.plan.model import Plan
from covermap.value.content import (
    CONTENT_COLUMNS,
    PERSONA_STAGE_COLUMNS,
    STAGE_COLUMNS,
    account_spans,
    content_rows,
    persona_stage_rows,
    stage_rows,
    state_counts,
)
from covermap.value.load import ValueMaps
from covermap.value.matching import contact_personas
from covermap.value.reach import (
    SUMMARY_COLUMNS,
    TOUCH_COLUMNS,
    VALUE_ACCOUNT_COLUMNS,
    account_cells,
    account_rows,
    contact_touches,
    human_pairs,
    scope,
    summary_rows,
    touch_rows,
)


@dataclass(frozen=True)
class ValueResult:
    """Everything ``covermap value`` shows, as Ibis tables on the store's connection."""

    plan: Plan
    maps: ValueMaps
    window: Window
    accounts: ir.Table
    summary: ir.Table
    touches: ir.Table
    content: ir.Table
    content_stages: ir.Table
    persona_stages: ir.Table
    store: object = None

    @property
    def as_of(self) -> dt.date:
        return self.window.as_of


def value_tables(result: ValueResult) -> dict[str, ir.Table]:
    """Export name -> table, in the order files are written."""
    return {"value_accounts": result.accounts.select(*VALUE_ACCOUNT_COLUMNS, *KEY_COLUMNS),
            "value_summary": result.summary.select(*SUMMARY_COLUMNS),
            "value_touches": result.touches.select(*TOUCH_COLUMNS),
            "value_content": result.content.select(*CONTENT_COLUMNS),
            "value_content_stages": result.content_stages.select(*STAGE_COLUMNS),
            "value_persona_stages": result.persona_stages.select(*PERSONA_STAGE_COLUMNS)}


def window_touches(store, plan: Plan, window: Window, spans: ir.Table) -> ir.Table:
    """``account_id, contact_id, human, content_stage, sc``: the window's touches (both
    classes, ``human`` for the human class), the content stage as stored and the code of
    the account's state on the touch's day (``spans``: :func:`account_spans`; unclassified
    when the account has no span that day)."""
    a = store.table("activities")
    a = a.filter(*local_range(a, "occurred_at", plan.timezone, window.start, window.end))
    a = a.filter(is_touch(plan, a))
    human = plan.kinds_of("human")
    t = a.select("account_id", "contact_id",
                 day=local_date(a.occurred_at, plan.timezone, date_flag(a, "occurred_at")),
                 human=a.kind.isin(human) if human else ibis.literal(False),
                 content_stage=a.content_stage)
    j = t.left_join(spans, (t.account_id == spans.account_id) & (t.day >= spans.span_start)
                    & (t.day <= spans.span_end))
    return j.select(account_id=t.account_id, contact_id=t.contact_id, human=t.human,
                    content_stage=t.content_stage,
                    sc=spans.sc.fill_null(len(plan.states)).cast("int8"))


def measure_value(store, plan: Plan, maps: ValueMaps, *, as_of: dt.date | None = None,
                  window_months: int | None = None) -> ValueResult:
    """Measure the reach of the key players of ``maps`` and the content per state.

    Example::

        with open_store("covermap.duckdb", read_only=True) as store:
            result = measure_value(store, default_plan(), default_value_maps())
            result.summary.filter(result.summary.group == "all").execute()
    """
    window = resolve_window(store, plan, as_of, window_months)
    keep = temp_keeper(store)
    matched = keep(contact_personas(store, maps), "matched")
    cells = keep(account_cells(store, plan, window), "cells")
    spans = keep(account_spans(store, plan, window), "spans")
    touched = keep(window_touches(store, plan, window, spans), "touches")
    keep.release("spans")
    pairs = keep(human_pairs(touched), "pairs")
    segments = account_segments(store, plan, window.as_of)
    # the keys joined per account (1 M rows at 1 M accounts), not per account and persona
    keyed = with_keys(segments, account_keys(store, plan))
    accounts = keep(account_rows(scope(keyed, maps, cells), matched, contact_touches(pairs)),
                    "accounts")
    ids = [p.id for p in maps.personas]
    # the small tables are kept too: the CLI prints them and exports them
    touch_table = keep(touch_rows(segments, pairs, matched, cells), "touch_rows")
    keep.release("pairs")
    counts = keep(state_counts(touched), "state_counts")
    persona_stages = keep(persona_stage_rows(touched, matched, ids), "persona_stages")
    keep.release("touches")  # the largest intermediate: no later query reads it
    summary = keep(summary_rows(maps, accounts, cells), "summary")
    return ValueResult(
        plan=plan, maps=maps, window=window,
        accounts=accounts.order_by(["account_id", "persona"]),
        summary=summary.order_by("_o").drop("_o"),
        touches=touch_table.order_by("_o").drop("_o"),
        content=content_rows(plan, counts), content_stages=stage_rows(plan, counts),
        persona_stages=persona_stages.order_by("_o").drop("_o"), store=store)
