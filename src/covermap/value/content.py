"""Messages per state (issue 12, point 7; seed 003): the content stages the plan calls for in
each customer state against the ``content_stage`` of the window's touches.

A touch's state is its account's state on the touch's day (computed from facts dated on or
before that day, as ``covermap.engine.states.state_spans`` gives it; ``unclassified`` when
no rule matches). Its stage is ``content_stage`` trimmed and compared without case (an
empty value: no stage). Per state (``value_content``):

- ``touches`` (both classes), ``with_stage``, ``without_stage``;
- ``on_plan``: the stage is one the state plans, through a channel class the plan gives it;
- ``off_channel``: a planned stage through another channel class;
- ``off_plan``: a stage the state does not plan;
- ``on_plan_share`` = on_plan / touches (empty when the state plans no content or has no
  touch); ``no_stage_at_all``: the state has touches and none carries a stage.

``value_content_stages``: per state and stage, planned or not, the touches by class.
``value_persona_stages``: per persona and stage, the touches naming a contact that matches
the persona, the distinct contacts and accounts they reached.

Shape: the window's touches are one narrow table (account, contact, class, stage as
stored, state code from a range join to :func:`account_spans`); the content tables are
read from :func:`state_counts` (touches per state, class and stage: a few dozen rows) and
the persona stages from the touches counted per account, contact and stage.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from covermap.engine.buckets import small_table
from covermap.engine.states import state_spans
from covermap.engine.window import Window
from covermap.plan.model import Plan
from covermap.value.content_plan import CONTENT_STAGES

CONTENT_COLUMNS = ("state", "planned", "touches", "with_stage", "on_plan", "off_channel",
                   "off_plan", "without_stage", "on_plan_share", "no_stage_at_all")
STAGE_COLUMNS = ("state", "content_stage", "planned", "channels", "touches", "human",
                 "digital")
PERSONA_STAGE_COLUMNS = ("persona", "content_stage", "touches", "contacts", "accounts")
UNCLASSIFIED = "unclassified"


def stage_of(raw: ir.StringValue) -> ir.StringValue:
    """The canonical stage name of a ``content_stage`` value (case and spaces aside);
    another non-empty value is kept trimmed; empty: none."""
    v = raw.strip()
    # the simple CASE form: the lowered value is computed once, not once per stage
    return v.lower().cases(*((s.lower(), s) for s in CONTENT_STAGES), else_=v.nullif(""))


def planned_text(plan: Plan, state_id: str) -> str:
    """``Relation (human), Education (digital)``: a state's planned content."""
    try:
        entries = plan.state(state_id).content
    except KeyError:
        return ""
    return ", ".join(f"{e.stage} ({'/'.join(e.channels)})" if e.channels else e.stage
                     for e in entries)


def state_code(plan: Plan, state: ir.StringValue) -> ir.IntegerValue:
    """A state's position in plan order (``unclassified`` last), as a small integer: the
    touch table stores it instead of the state's name."""
    return ibis.cases(*((state == s.id, i) for i, s in enumerate(plan.states)),
                      else_=len(plan.states)).cast("int8")


def state_names(plan: Plan) -> ir.Table:
    """``sc, state``: every state code and its id."""
    ids = [s.id for s in plan.states] + [UNCLASSIFIED]
    return small_table({"sc": list(range(len(ids))), "state": ids},
                       {"sc": "int8", "state": "string"})


def plan_rows(plan: Plan) -> ir.Table:
    """``sc, content_stage, human``: every planned (state, stage, channel class)."""
    rows = [(i, e.stage, c == "human") for i, s in enumerate(plan.states) for e in s.content
            for c in (e.channels or ("human", "digital"))]
    return small_table({"sc": [r[0] for r in rows], "content_stage": [r[1] for r in rows],
                        "human": [r[2] for r in rows]},
                       {"sc": "int8", "content_stage": "string", "human": "boolean"})


def account_spans(store, plan: Plan, window: Window) -> ir.Table:
    """``account_id, sc, span_start, span_end``: each account's daily states over the
    window as contiguous spans, the state as its code (:func:`state_code`)."""
    s = state_spans(store, plan, window.start, window.end)
    return s.select("account_id", "span_start", "span_end", sc=state_code(plan, s.state))


def state_counts(touches: ir.Table) -> ir.Table:
    """``sc, human, content_stage, touches``: the touches per state code, class and
    canonical stage. Grouped by the stage as stored first, so only the few distinct values
    are normalised."""
    g = touches.group_by(["sc", "human", "content_stage"]).aggregate(n=touches.count())
    g = g.mutate(content_stage=stage_of(g.content_stage))
    return g.group_by(["sc", "human", "content_stage"]).aggregate(touches=g.n.sum())


def _state_of(plan: Plan, sc: ir.IntegerValue) -> ir.StringValue:
    return ibis.cases(*((sc == i, s.id) for i, s in enumerate(plan.states)),
                      else_=UNCLASSIFIED)


def content_rows(plan: Plan, counts: ir.Table) -> ir.Table:
    """``value_content`` (module doc) from :func:`state_counts`: every plan state and
    ``unclassified``, plan order."""
    p = plan_rows(plan)
    exact = p.select(ps="sc", pk="content_stage", ph="human")
    stages = p.select(ss="sc", sk="content_stage").distinct()
    j = counts.left_join(exact, (counts.sc == exact.ps) & (counts.content_stage == exact.pk)
                         & (counts.human == exact.ph))
    j = j.left_join(stages, (j.sc == stages.ss) & (j.content_stage == stages.sk))
    s = j.select("sc", "touches", has=j.content_stage.notnull(), on_plan=j.ps.notnull(),
                 planned=j.ss.notnull())
    n = s.touches
    g = s.group_by("sc").aggregate(
        touches=n.sum(), with_stage=n.sum(where=s.has), on_plan=n.sum(where=s.on_plan),
        off_channel=n.sum(where=s.has & s.planned & ~s.on_plan),
        off_plan=n.sum(where=s.has & ~s.planned), without_stage=n.sum(where=~s.has))
    ids = [st.id for st in plan.states] + [UNCLASSIFIED]
    base = small_table({"sc": list(range(len(ids))), "state": ids,
                        "planned": [planned_text(plan, i) for i in ids]},
                       {"sc": "int8", "state": "string", "planned": "string"})
    j = base.left_join(g, "sc").drop("sc_right")
    counts = {c: j[c].fill_null(0).cast("int64") for c in CONTENT_COLUMNS[2:8]}
    has_plan = j.planned != ""
    share = (has_plan & (counts["touches"] > 0)).ifelse(
        counts["on_plan"] / counts["touches"].nullif(0), ibis.null("float64"))
    out = j.select("state", "planned", **counts, on_plan_share=share.cast("float64"),
                   no_stage_at_all=(counts["touches"] > 0) & (counts["with_stage"] == 0),
                   _o=j.sc)
    return out.order_by("_o").drop("_o")


def stage_rows(plan: Plan, counts: ir.Table) -> ir.Table:
    """``value_content_stages`` from :func:`state_counts`: per state and stage (planned
    ones always listed)."""
    s = counts.filter(counts.content_stage.notnull())
    g = s.group_by(["sc", "content_stage"]).aggregate(
        touches=s.touches.sum(), human=s.touches.sum(where=s.human),
        digital=s.touches.sum(where=~s.human))
    rows = [(i, e.stage, "/".join(e.channels) or "human/digital")
            for i, st in enumerate(plan.states) for e in st.content]
    p = small_table({"sc": [r[0] for r in rows], "content_stage": [r[1] for r in rows],
                     "channels": [r[2] for r in rows]},
                    {"sc": "int8", "content_stage": "string", "channels": "string"})
    j = p.outer_join(g, ["sc", "content_stage"])
    sc = j.sc.coalesce(j.sc_right)
    stage = j.content_stage.coalesce(j.content_stage_right)
    order = ibis.cases(*((stage == x, i) for i, x in enumerate(CONTENT_STAGES)),
                       else_=len(CONTENT_STAGES))
    out = j.select(state=_state_of(plan, sc), content_stage=stage,
                   planned=j.channels.notnull(), channels=j.channels,
                   **{c: j[c].fill_null(0).cast("int64") for c in ("touches", "human",
                                                                   "digital")},
                   _s=sc, _k=order)
    return out.order_by(["_s", "_k", "content_stage"]).drop("_s", "_k")


def persona_stage_rows(touches: ir.Table, matched: ir.Table, persona_ids: list[str]
                       ) -> ir.Table:
    """``value_persona_stages``: the stages that reached each persona, ranked by persona
    priority and stage (``_o``; order by it). Only the touches naming a matched contact
    are counted (a semi join first: grouping all touches cost a third more at 1 M
    accounts), per account, contact and stage as stored; the few distinct stored stages
    are normalised once and joined back."""
    t = touches.filter(touches.content_stage.notnull())
    t = t.semi_join(matched, t.contact_id == matched.contact_id)
    x = t.group_by(["account_id", "contact_id", "content_stage"]).aggregate(n=t.count())
    d = x.select(raw=x.content_stage).distinct()
    d = d.select("raw", stage=stage_of(d.raw))
    d = d.filter(d.stage.notnull())
    x = x.join(d, x.content_stage == d.raw).select("account_id", "contact_id", "n",
                                                   content_stage="stage")
    m = matched.select("contact_id", "persona")
    j = x.join(m, "contact_id")
    g = j.group_by(["persona", "content_stage"]).aggregate(
        touches=j.n.sum(), contacts=j.contact_id.nunique(), accounts=j.account_id.nunique())
    p = ibis.cases(*((g.persona == x, i) for i, x in enumerate(persona_ids)),
                   else_=len(persona_ids)) if persona_ids else ibis.literal(0)
    k = ibis.cases(*((g.content_stage == x, i) for i, x in enumerate(CONTENT_STAGES)),
                   else_=len(CONTENT_STAGES))
    return g.mutate(_o=ibis.row_number().over(order_by=[p, k, g.content_stage]),
                    **{c: g[c].cast("int64") for c in ("touches", "contacts", "accounts")})
