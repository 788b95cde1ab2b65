"""The worklist: accounts below their standard now, what is due, by whom and by when.

For every entry of an account's *current* state (as of ``as_of``), the entry is
on the worklist when

- its **last complete bucket** (the latest ending on or before ``as_of``; it may
  lie after the window's end) had fewer counting touches than ``min`` — unless
  that bucket began before the account's ``created_at`` date; or
- its **current bucket** (the one holding ``as_of + 1 day``, in progress) is
  **behind pace**: with ``so_far`` counting touches in it up to ``as_of``,
  ``remaining`` = days from ``as_of + 1`` to the bucket's end, and the account's
  own *pace* ``rate`` = its counting touches for that entry in the window ÷ the
  window's days since the account's ``created_at`` date (all window days when
  unknown; a rate of 0 when it was created after the window),
  ``so_far + rate × remaining < min``.

An entry whose last bucket failed stays on the worklist even when its current bucket
already has ``min`` touches (DESIGN.md: the account is below standard now); its
``missing`` then says "met this <per>".

Columns: account_id, name, state, owner_id, segment, channel, per, by, min,
count (= ``so_far``), missing (what is still needed in the current bucket, e.g.
"1 human touch by csm this week"), reason, due_date (the current bucket's last
day), value (the plan's ``worklist.value_measure`` account column, empty stays
empty), days_since_human_touch, owner_name (``covermap.engine.owners``: owner_id is the
account's owner or the plan's owner fallback; NULL when unknown); then entry,
last_bucket_start, last_bucket_end, last_count, expected (``so_far + rate × remaining``)
and rank. Ranked by value at risk: value (descending, empty last), then days since the
last human touch (descending; never touched first), then account_id and entry.
"""

from __future__ import annotations

import difflib

import ibis
import ibis.expr.types as ir

from covermap.coverage.checks import ANYONE, CheckTables, counters, entry_table, plan_pers
from covermap.engine import buckets as bk
from covermap.engine.segments import segment_ids
from covermap.errors import AnalysisError
from covermap.plan.model import LATEST_DEAL, OWNER_TEAM_PREFIX, Plan
from covermap.store.arrow import to_pylist

#: how many valid values an error lists before it says how many more there are
LISTED = 30


class UnknownFilterValue(AnalysisError):
    """A worklist filter (--state, --role, --segment, --owner) names a value that does not
    exist; the message lists the valid ones and the closest match."""

    def __init__(self, option: str, value: str, valid: list[str],
                 names: dict[str, str] | None = None) -> None:
        self.option, self.value, self.valid = option, value, valid
        names = names or {}
        candidates = [*valid, *names.values()]  # a user's name can be suggested too
        close = [v for v in candidates if v.casefold() == value.casefold()] or \
            difflib.get_close_matches(value, candidates, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else "."
        labels = [f"{v} ({names[v]})" if v in names else v for v in valid[:LISTED]]
        shown = ", ".join(labels) + (f", and {len(valid) - LISTED:,} more"
                                     if len(valid) > LISTED else "")
        listed = f" The {option}s are: {shown}" if valid else f" There are no {option}s."
        super().__init__(f"unknown --{option} {value!r}{hint}{listed}")


def _period_table(plan: Plan, as_of) -> ir.Table:
    pers = plan_pers(plan)
    lc = [bk.last_complete(p, as_of) for p in pers]
    cb = [bk.current(p, as_of) for p in pers]
    return bk.small_table(
        {"p_per": pers, "last_start": [b.start for b in lc], "last_end": [b.end for b in lc],
         "cur_start": [b.start for b in cb], "due_date": [b.end for b in cb],
         "remaining": [(b.end - as_of).days for b in cb]},
        {"p_per": "string", "last_start": "date", "last_end": "date", "cur_start": "date",
         "due_date": "date", "remaining": "int64"})


def _with_entry_counts(plan: Plan, core: CheckTables, x: ir.Table, as_of) -> ir.Table:
    """``x`` (one row per account and entry) with ``last_count, so_far, in_window``: the
    touches counting for its entry in the last complete and the current bucket, and those
    inside the window."""
    ids = counters(plan)
    if not ids:  # no standard entries: no rows either
        return x.mutate(**{c: ibis.literal(0, type="int64")
                           for c in ("last_count", "so_far", "in_window")})
    sources = [core.per_account.select(k_id=core.per_account.account_id,
                                       **{f"w{c}": core.per_account[f"w{c}"]
                                          for c in ids.values()})]
    for per in plan_pers(plan):
        n = core.counts[per]
        mine = [cid for (_, _, p), cid in ids.items() if p == per]
        for tag, b in (("l", bk.last_complete(per, as_of)), ("s", bk.current(per, as_of))):
            one = n.filter(n.bucket_start == ibis.date(b.start))
            sources.append(one.select(k_id=one.account_id,
                                      **{f"{tag}{cid}": one[f"c{cid}"] for cid in mine}))
    for src in sources:
        x = x.left_join(src, x.account_id == src.k_id).drop("k_id")

    def pick(tag: str) -> ir.IntegerValue:
        return ibis.cases(*[(x.counter == cid, x[f"{tag}{cid}"]) for cid in ids.values()],
                          else_=ibis.null("int64")).fill_null(0)

    counts = {"last_count": pick("l"), "so_far": pick("s"), "in_window": pick("w")}
    return x.mutate(**counts).drop(*[c for src in sources for c in src.columns if c != "k_id"])


def build_worklist(store, plan: Plan, core: CheckTables, accounts: ir.Table) -> ir.Table:
    """The ranked worklist (module doc) from a measurement's intermediates."""
    w = core.window
    a = accounts.select("account_id", "name", "state", "owner_id", "owner_name", "segment",
                        "value", "days_since_human_touch", "created_date", "group_id",
                        "territory")
    e = entry_table(plan)
    x = a.join(e, a.state == e.state)
    pt = _period_table(plan, w.as_of)
    x = x.join(pt, x.per == pt.p_per).drop("p_per")
    x = _with_entry_counts(plan, core, x, w.as_of)
    first = ibis.greatest(ibis.date(w.start), x.created_date.fill_null(ibis.date(w.start)))
    days = ibis.date(w.end).delta(first, unit="day") + 1
    rate = (days > 0).ifelse(x.in_window / days, 0.0)
    so_far, last_count = x.so_far, x.last_count
    expected = so_far + rate * x.remaining
    last_made = x.created_date.isnull() | (x.created_date <= x.last_start)
    failed = last_made & (last_count < x["min"])
    behind = (so_far < x["min"]) & (expected < x["min"])
    x = x.mutate(so_far=so_far, last_count=last_count, expected=expected, failed=failed,
                 behind=behind).filter(failed | behind)
    need = x["min"] - x.so_far
    who = x.by.isnull().ifelse("", " by " + x.by.replace("|", " or "))
    missing = (need > 0).ifelse(
        need.cast("string") + " " + x.channel + " touch" + (need == 1).ifelse("", "es") + who
        + " this " + x.per,
        "met this " + x.per)
    last_part = ("last " + x.per + " failed (" + x.last_count.cast("string") + " of "
                 + x["min"].cast("string") + ")")
    pace_part = ("behind pace (" + x.so_far.cast("string") + " so far, "
                 + x.remaining.cast("string") + " days left)")
    reason = ibis.cases((x.failed & x.behind, last_part + "; " + pace_part),
                        (x.failed, last_part), else_=pace_part)
    x = x.mutate(missing=missing, reason=reason)
    order = [x.value.desc(), x.days_since_human_touch.desc(nulls_first=True), x.account_id,
             x.entry]
    ranked = x.mutate(rank=ibis.row_number().over(order_by=order) + 1)
    return ranked.select(
        "account_id", "name", "state", "owner_id", "segment", "channel", "per", "by", "min",
        count=ranked.so_far, missing=ranked.missing, reason=ranked.reason,
        due_date=ranked.due_date, value=ranked.value,
        days_since_human_touch=ranked.days_since_human_touch, owner_name=ranked.owner_name,
        entry=ranked.entry,
        last_bucket_start=ranked.last_start, last_bucket_end=ranked.last_end,
        last_count=ranked.last_count, expected=ranked.expected, rank=ranked["rank"],
        group_id=ranked.group_id, territory=ranked.territory,
    ).order_by("rank")


def filter_worklist(worklist: ir.Table, *, owner: str | None = None, role: str | None = None,
                    segment: str | None = None, state: str | None = None) -> ir.Table:
    """Rows for one owner (owner_id), role (named in ``by``; ``anyone`` for entries naming
    none), segment and/or state; filters left as None keep every row."""
    t = worklist
    if owner is not None:
        t = t.filter(t.owner_id == owner)
    if segment is not None:
        t = t.filter(t.segment == segment)
    if state is not None:
        t = t.filter(t.state == state)
    if role is not None:
        if role == ANYONE:
            t = t.filter(t.by.isnull())
        else:
            t = t.filter(("|" + t.by + "|").contains(f"|{role}|").fill_null(False))
    return t.order_by("rank")


def _distinct(table: ir.Table, column: str) -> list[str]:
    """The distinct non-empty values of a (small-cardinality) column, sorted."""
    t = table.select(v=table[column].cast("string"))
    t = t.filter(t.v.notnull() & (t.v != "")).distinct()
    return sorted(to_pylist(t.v))


def _fallback_owners(store, plan: Plan) -> list[str]:
    """Everyone the plan's ``owners.fallback`` can make an owner: the deals' owners
    (``latest_deal``) and the account-team members of the roles it names."""
    out: list[str] = []
    for source in plan.owners.fallback:
        if source == LATEST_DEAL:
            out += _distinct(store.table("deals"), "owner_id")
        else:
            t = store.table("account_team")
            role = source.removeprefix(OWNER_TEAM_PREFIX)
            out += _distinct(t.filter(t.role == role), "user_id")
    return out


def check_filters(store, plan: Plan, *, owner: str | None = None, role: str | None = None,
                  segment: str | None = None, state: str | None = None) -> dict[str, str | None]:
    """The filters for :func:`filter_worklist`, checked against the plan and the store.

    States are the plan's state ids; roles the plan's roles, those standard entries name,
    and ``anyone``; segments the accounts' segments; owners the user ids of the users table
    and of ``accounts.owner_id``, and whoever the plan's ``owners.fallback`` can make an
    owner (a user's exact name stands for their id). Raises
    :class:`UnknownFilterValue` for anything else."""
    if state is not None and state not in (states := [s.id for s in plan.states]):
        raise UnknownFilterValue("state", state, states)
    if role is not None:
        named = {r for s in plan.states for e in s.standard for r in (e.by or ())}
        roles = sorted(named | {r.id for r in plan.roles}) + [ANYONE]
        if role not in roles:
            raise UnknownFilterValue("role", role, roles)
    if segment is not None:
        segments = segment_ids(store, plan)
        if segment not in segments:
            raise UnknownFilterValue("segment", segment, segments)
    if owner is not None:
        users = store.table("users")
        owners = sorted(set(_distinct(users, "user_id"))
                        | set(_distinct(store.table("accounts"), "owner_id"))
                        | set(_fallback_owners(store, plan)))
        if owner not in owners:
            ids = to_pylist(users.filter(users.name == owner).user_id)
            if len(ids) != 1:
                named = users.filter(users.name.notnull() & (users.name.strip() != ""))
                names = {r["user_id"]: r["name"]
                         for r in to_pylist(named.select("user_id", "name"))}
                raise UnknownFilterValue("owner", owner, owners, names)
            owner = ids[0]
    return {"owner": owner, "role": role, "segment": segment, "state": state}
