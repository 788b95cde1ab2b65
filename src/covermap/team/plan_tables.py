"""The plan's journey and RACI as tiny tables the queries join (a few rows each)."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from covermap.engine.buckets import small_table
from covermap.plan.model import Plan
from covermap.team.model import RESPONSIBLE

#: the segment key of accounts whose segment has no RACI override
BASE = "(every segment)"


def stage_table(plan: Plan) -> ir.Table:
    """``state, stage, stage_position`` for every state in a journey stage."""
    rows = [(state, s.id, i) for i, s in enumerate(plan.journey.stages) for state in s.states]
    return small_table({"state": [r[0] for r in rows], "stage": [r[1] for r in rows],
                        "stage_position": [r[2] for r in rows]},
                       {"state": "string", "stage": "string", "stage_position": "int64"})


def segment_key(plan: Plan, segment: ir.StringValue) -> ir.StringValue:
    """The RACI key of an account's segment: itself when the plan overrides it, else BASE."""
    over = sorted(plan.raci.segments)
    if not over:
        return ibis.literal(BASE)
    return segment.isin(over).fill_null(False).ifelse(segment, BASE)


def letter_rows(plan: Plan) -> list[tuple[str, str, str, str]]:
    """``(segment key, stage, role, letter)`` after overrides, for every stage and segment."""
    rows = []
    for key in (BASE, *sorted(plan.raci.segments)):
        for stage in plan.journey.stages:
            letters = plan.raci.letters(stage.id, None if key == BASE else key)
            rows += [(key, stage.id, role, letter) for role, letter in letters.items()]
    return rows


def letter_table(plan: Plan) -> ir.Table:
    """``seg_key, stage, role, letter, responsible`` (letter R or A)."""
    rows = letter_rows(plan)
    t = small_table({"seg_key": [r[0] for r in rows], "stage": [r[1] for r in rows],
                     "role": [r[2] for r in rows], "letter": [r[3] for r in rows]},
                    {"seg_key": "string", "stage": "string", "role": "string",
                     "letter": "string"})
    return t.mutate(responsible=t.letter.isin(list(RESPONSIBLE)))


def role_table(plan: Plan) -> ir.Table:
    """``role, single_holder, role_position`` for every plan role."""
    return small_table({"role": [r.id for r in plan.roles],
                        "single_holder": [r.single_holder for r in plan.roles],
                        "role_position": list(range(len(plan.roles)))},
                       {"role": "string", "single_holder": "boolean",
                        "role_position": "int64"})
