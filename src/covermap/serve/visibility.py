"""Row-level visibility by territory, and the tables the group and territory pages read.

With the plan's ``dashboard.row_level: territory`` a viewer or editor sees only the
accounts of the territories the users file gives them (``territories = ["emea"]``) and
of every territory below those in the plan's tree: an account in ``dach`` (parent
``emea``) is seen by a user of ``dach`` or of ``emea``, not by one of ``apac``. The saved
``territory_book (account_id, territory)`` holds each account under its territory and
every territory above it, so the check is one ``IN`` over it, in pages, JSON and CSV alike
(:class:`Territories` is what :func:`covermap.serve.auth.book_of` returns then).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ibis.expr.types as ir


@dataclass(frozen=True)
class Territories:
    """The accounts of these territories and of those below them (module doc)."""

    ids: tuple[str, ...]

    def condition(self, saved: Callable[[str], str]) -> tuple[str, list[Any]]:
        """The SQL condition on ``account_id`` and its parameters; ``saved(name)``: the
        quoted name of a saved table of the current key. No territory: no account."""
        if not self.ids:
            return "false", []
        marks = ", ".join("?" for _ in self.ids)
        sql = (f"account_id IN (SELECT account_id FROM {saved('territory_book')} "
               f"WHERE territory IN ({marks}))")
        return sql, list(self.ids)


def check_territories(users: dict, plan, path: str | None = None) -> None:
    """With ``row_level: territory``: the plan has territories and every user's are among
    them (PlanError naming the users file and key, and the territories there are)."""
    from covermap.errors import PlanError

    if plan.dashboard.row_level_by != "territory":
        return
    ids = [t.id for t in plan.territories]
    if not ids:
        raise PlanError("row_level is territory, but the plan has no territories[]; add "
                        "them, or set row_level: book", key="dashboard.row_level")
    for name, user in users.items():
        unknown = [x for x in user.territories if x not in ids]
        if unknown:
            raise PlanError(f"territory {unknown[0]!r} is not in the plan; territories are: "
                            f"{', '.join(ids)}", file=path, key=f"users.{name}.territories")


def territory_book(store, plan) -> ir.Table:
    """``account_id, territory``: each account under its territory and every one above."""
    from covermap.engine.territories import account_territories, territory_tree

    t = account_territories(store, plan)
    t = t.filter(t.territory.notnull())
    j = t.join(territory_tree(plan), "territory")
    return j.select("account_id", territory=j.rolls_into)


def dashboard_tables(store, plan, coverage, team) -> dict[str, ir.Table]:
    """The saved tables of the group and territory pages: the coverage and team roll-ups
    per group and per territory, every account with its group (``group_accounts``) and
    the territory book."""
    from covermap.coverage import rollups as coverage_rollups
    from covermap.reports.group_tables import group_accounts
    from covermap.team import rollups as team_rollups

    return {"coverage_groups": coverage_rollups.rollup(coverage, "group"),
            "coverage_territories": coverage_rollups.rollup(coverage, "territory"),
            "team_groups": team_rollups.rollup(team, "group"),
            "team_territories": team_rollups.rollup(team, "territory"),
            "group_accounts": group_accounts(coverage, team),
            "territory_book": territory_book(store, plan)}
