"""One module per page group; each has a ``router`` with its page and its JSON endpoint."""

from __future__ import annotations

from covermap.serve.pages import (
    account,
    admin,
    capacity,
    coverage,
    groups,
    login,
    map,
    overview,
    team,
    territories,
    value,
    worklist,
)

ROUTERS = [m.router for m in (login, overview, coverage, map, team, capacity, value, worklist,
                              account, groups, territories, admin)]
