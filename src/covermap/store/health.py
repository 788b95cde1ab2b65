"""What the stored data cannot support, said once for every front end (issue 7, points 2-3).

``data_warnings(store, plan)`` runs a few aggregate queries over the deals and the
accounts' parent links and returns one ``DataWarning`` per problem, with its count and
the fix:

- deals whose stage covermap does not recognise as won, lost or open and that have
  no is_won/is_closed value, when the store has no won deal or no lost deal (once
  both are recognised, the remaining stages are taken to be open ones);
- deals with neither a stage nor an is_won/is_closed value;
- open deals (neither is_closed nor is_won) without a created date, after the plan's
  ``deals.created_at_fallback``: they never count as open;
- parent links that no group follows (``covermap.store.groups``): a parent not in the
  store, an account that is its own parent, a cycle.

``covermap import`` and ``status`` print them, and ``coverage`` and ``map`` under
their header.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis

from covermap.engine.deals import deals as plan_deals
from covermap.plan.model import Plan
from covermap.store.arrow import scalar, to_arrow, to_pylist
from covermap.store.groups import set_aside

__all__ = ["DataWarning", "data_warnings"]

#: how many stage values a warning quotes
EXAMPLES = 3


@dataclass(frozen=True)
class DataWarning:
    """One problem of the stored data: what (``message``, which includes ``count``) and
    what to do (``fix``)."""

    code: str
    count: int
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.message}: {self.fix}"


def _deals_word(n: int, verb: tuple[str, str] = ("has", "have")) -> str:
    return f"{n:,} deal{'' if n == 1 else 's'} {verb[0] if n == 1 else verb[1]}"


def _stage_warnings(store) -> list[DataWarning]:
    d = store.table("deals")
    known = d.is_won.notnull() | d.is_closed.notnull()
    stage = d.stage.strip().nullif("")
    won = d.is_won.fill_null(False)
    row = to_pylist(d.aggregate(
        won=d.count(where=won), lost=d.count(where=d.is_closed.fill_null(False) & ~won),
        unrecognised=d.count(where=~known & stage.notnull()),
        stageless=d.count(where=~known & stage.isnull()),
    ))[0]
    won_n, lost_n, unrecognised, stageless = (
        int(row[k]) for k in ("won", "lost", "unrecognised", "stageless"))
    out = []
    if unrecognised and not (won_n and lost_n):
        u = d.filter(~known & stage.notnull())
        top = u.group_by(value=u.stage.strip()).aggregate(n=u.count())
        top = to_arrow(top.order_by([ibis.desc("n"), "value"]).limit(EXAMPLES))
        examples = ", ".join(repr(v) for v in top["value"].to_pylist())
        missing = "no deal is won" if not won_n else "no deal is lost"
        out.append(DataWarning(
            "unrecognised_stages", unrecognised,
            f"{_deals_word(unrecognised)} stage values covermap does not recognise as won "
            f"or lost (e.g. {examples}), and {missing}",
            "map them in the plan: deal_stages: {won: [...], lost: [...], open: [...]}, "
            "then import the deals again"))
    if stageless:
        out.append(DataWarning(
            "deals_without_stage", stageless,
            f"{_deals_word(stageless)} no stage and no is_won/is_closed value, so "
            f"{'it never counts' if stageless == 1 else 'they never count'} as won or closed",
            "map the file's stage (or is_won and is_closed) column in the plan's sources, "
            "then import the deals again"))
    return out


def _created_warning(store, plan: Plan) -> list[DataWarning]:
    d = plan_deals(store, plan)
    closed = d.is_closed.fill_null(False) | d.is_won.fill_null(False)
    n = scalar(d.filter(~closed, d.created_at.isnull()).count())
    if not n:
        return []
    one = n == 1
    message = (f"{n:,} open deal{'' if one else 's'} {'has' if one else 'have'} no created "
               f"date, so {'it never counts' if one else 'they never count'} as open")
    if plan.deals.created_at_fallback == "none":
        fix = ("map `created_at` in the plan's sources, or set "
               "`deals: {created_at_fallback: earliest_activity}`")
    else:
        fix = (f"{'it has' if one else 'they have'} no activity linked by deal_id either; "
               f"map `created_at` in the plan's sources")
    return [DataWarning("open_deals_without_created_at", n, message, fix)]


_GROUP_WARNINGS = {  # problem -> (what, the fix); {n}: links, {e}: examples
    "unknown_parent": ("parent account not in the store for {n} (e.g. {e}): each tops "
                       "its own group",
                       "import the parents' accounts, or correct parent_account_id"),
    "own_parent": ("own parent for {n} ({e}): each tops its own group",
                   "clear or correct parent_account_id"),
    "cycle": ("{n} of parent links ({e}): the link of each cycle's smallest id is set "
              "aside, so that account tops the group",
              "correct parent_account_id of one account of each cycle"),
}


def _group_warnings(store) -> list[DataWarning]:
    out = []
    for problem, n, examples in set_aside(store):
        what, fix = _GROUP_WARNINGS[problem]
        noun = (f"{n:,} cycle{'' if n == 1 else 's'}" if problem == "cycle"
                else f"{n:,} account{'' if n == 1 else 's'}")
        sep = "; " if problem == "cycle" else ", "
        out.append(DataWarning(f"group_{problem}", n,
                               what.format(n=noun, e=sep.join(examples)), fix))
    return out


def data_warnings(store, plan: Plan) -> list[DataWarning]:
    """The data checks (module doc) on ``store`` read with ``plan``; empty when all is well.

    >>> from covermap.store.connect import open_store
    >>> from covermap.plan import default_plan
    >>> with open_store(":memory:") as s:
    ...     data_warnings(s, default_plan())
    []
    """
    out = _group_warnings(store)
    if store.has_table("deals"):
        out += [*_stage_warnings(store), *_created_warning(store, plan)]
    return out
