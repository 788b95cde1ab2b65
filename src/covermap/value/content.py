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
    low = v.lower()
    return ibis.cases(*((low == s.lower(), s) for s in CONTENT_STAGES),
                      else_=v.nullif(""))


def planned_text(plan: Plan, state_id: str) -> str:
    """``Relation (human), Education (digital)``: a state's planned content."""
    try:
        entries = plan.state(state_id).content
    except KeyError:
        return ""
    return ", ".join(f"{e.stage} ({'/'.join(e.channels)})" if e.channels else e.stage
                     for e in entries)


def plan_rows(plan: Plan) -> ir.Table:
    """``state, content_stage, channel``: every planned (state, stage, channel class)."""
    rows = [(s.id, e.stage, c) for s in plan.states for e in s.content
            for c in (e.channels or ("human", "digital"))]
    return small_table({"state": [r[0] for r in rows], "content_stage": [r[1] for r in rows],
                        "channel": [r[2] for r in rows]},
                       {"state": "string", "content_stage": "string", "channel": "string"})


def account_spans(store, plan: Plan, window: Window) -> ir.Table:
    """Each account's daily states over the window, as contiguous spans."""
    return state_spans(store, plan, window.start, window.end)


def staged_touches(plan: Plan, touches: ir.Table, spans: ir.Table) -> ir.Table:
    """``account_id, contact_id, state, channel, content_stage, on_plan, stage_planned``;
    ``spans``: :func:`account_spans`."""
    t = touches.select("account_id", "day", "channel", "contact_id",
                       content_stage=stage_of(touches.content_stage))
    j = t.left_join(spans, (t.account_id == spans.account_id) & (t.day >= spans.span_start)
                    & (t.day <= spans.span_end))
    j = j.select(account_id=t.account_id, contact_id=t.contact_id, channel=t.channel,
                 content_stage=t.content_stage,
                 state=spans.state.fill_null(UNCLASSIFIED)).view()
    p = plan_rows(plan)
    exact = p.select(ps="state", pk="content_stage", pc="channel")
    stages = p.select(ss="state", sk="content_stage").distinct()
    j = j.left_join(exact, (j.state == exact.ps) & (j.content_stage == exact.pk)
                    & (j.channel == exact.pc))
    j = j.left_join(stages, (j.state == stages.ss) & (j.content_stage == stages.sk))
    return j.select("account_id", "contact_id", "state", "channel", "content_stage",
                    on_plan=j.ps.notnull(), stage_planned=j.ss.notnull())


def _state_order(plan: Plan, state: ir.StringValue) -> ir.IntegerValue:
    ids = [s.id for s in plan.states]
    return ibis.cases(*((state == s, i) for i, s in enumerate(ids)), else_=len(ids))


def content_rows(plan: Plan, staged: ir.Table) -> ir.Table:
    """``value_content`` (module doc): every plan state and ``unclassified``, plan order."""
    s = staged.mutate(has=staged.content_stage.notnull())
    g = s.group_by("state").aggregate(
        touches=s.count(), with_stage=s.has.sum(), on_plan=s.on_plan.sum(),
        off_channel=(s.has & s.stage_planned & ~s.on_plan).sum(),
        off_plan=(s.has & ~s.stage_planned).sum(), without_stage=(~s.has).sum())
    ids = [st.id for st in plan.states] + [UNCLASSIFIED]
    texts = [planned_text(plan, i) for i in ids]
    base = small_table({"state": ids, "planned": texts}, {"state": "string",
                                                          "planned": "string"})
    j = base.left_join(g, "state").drop("state_right")
    counts = {c: j[c].fill_null(0).cast("int64") for c in CONTENT_COLUMNS[2:8]}
    has_plan = j.planned != ""
    share = (has_plan & (counts["touches"] > 0)).ifelse(
        counts["on_plan"] / counts["touches"].nullif(0), ibis.null("float64"))
    out = j.select("state", "planned", **counts, on_plan_share=share.cast("float64"),
                   no_stage_at_all=(counts["touches"] > 0) & (counts["with_stage"] == 0),
                   _o=_state_order(plan, j.state))
    return out.order_by("_o").drop("_o")


def stage_rows(plan: Plan, staged: ir.Table) -> ir.Table:
    """``value_content_stages``: per state and stage (planned ones always listed)."""
    s = staged.filter(staged.content_stage.notnull())
    g = s.group_by(["state", "content_stage"]).aggregate(
        touches=s.count(), human=(s.channel == "human").sum(),
        digital=(s.channel == "digital").sum())
    rows = [(st.id, e.stage, "/".join(e.channels) or "human/digital")
            for st in plan.states for e in st.content]
    p = small_table({"state": [r[0] for r in rows], "content_stage": [r[1] for r in rows],
                     "channels": [r[2] for r in rows]},
                    {"state": "string", "content_stage": "string", "channels": "string"})
    j = p.outer_join(g, ["state", "content_stage"])
    state = j.state.coalesce(j.state_right)
    stage = j.content_stage.coalesce(j.content_stage_right)
    order = ibis.cases(*((stage == x, i) for i, x in enumerate(CONTENT_STAGES)),
                       else_=len(CONTENT_STAGES))
    out = j.select(state=state, content_stage=stage, planned=j.channels.notnull(),
                   channels=j.channels,
                   **{c: j[c].fill_null(0).cast("int64") for c in ("touches", "human",
                                                                   "digital")},
                   _s=_state_order(plan, state), _k=order)
    return out.order_by(["_s", "_k", "content_stage"]).drop("_s", "_k")


def persona_stage_rows(staged: ir.Table, matched: ir.Table, persona_ids: list[str]
                       ) -> ir.Table:
    """``value_persona_stages``: the stages that reached each persona."""
    s = staged.filter(staged.content_stage.notnull(), staged.contact_id.notnull())
    m = matched.select("contact_id", "persona")
    j = s.join(m, "contact_id")
    g = j.group_by(["persona", "content_stage"]).aggregate(
        touches=j.count(), contacts=j.contact_id.nunique(), accounts=j.account_id.nunique())
    p = ibis.cases(*((g.persona == x, i) for i, x in enumerate(persona_ids)),
                   else_=len(persona_ids)) if persona_ids else ibis.literal(0)
    k = ibis.cases(*((g.content_stage == x, i) for i, x in enumerate(CONTENT_STAGES)),
                   else_=len(CONTENT_STAGES))
    out = g.mutate(_p=p, _k=k, **{c: g[c].cast("int64") for c in ("touches", "contacts",
                                                                   "accounts")})
    return out.order_by(["_p", "_k", "content_stage"]).drop("_p", "_k")
