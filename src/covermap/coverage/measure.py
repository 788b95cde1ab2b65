"""Coverage standard and measurement: checks, compliance, breadth and depth per account.

``measure_coverage(store, plan)`` returns a :class:`CoverageResult` of Ibis
tables that every front end renders (``coverage_tables`` names them for export).
Reused intermediates are stored as temporary tables on the store's connection.

Rollup choices (``summary``: group, key, accounts, accounts_with_checks, checks,
passed, compliance, breadth, then label, has_standard, touched):

- ``all``: every account in the store; checks of the whole window.
- ``state``: *accounts* (accounts, accounts_with_checks, touched, breadth) are
  grouped by the current state (as of ``as_of``); *checks* (checks, passed,
  compliance) by the state they were evaluated under. Every plan state and
  ``unclassified`` has a row; a state with no standard has no checks (compliance
  empty, ``has_standard`` false: "no standard", never "compliant").
- ``segment``, ``owner`` (the account's owner: accounts.owner_id, else the plan's
  ``owners.fallback``, see ``covermap.engine.owners``): account attributes, so accounts and
  their checks share the key; an empty attribute is an empty key.
- For the three account-attribute groups, accounts_with_checks = accounts of the
  group with at least one check in the window (under any state).
- ``role`` and ``month`` are not account attributes: accounts = every account in
  scope; accounts_with_checks = distinct accounts with at least one check in the
  group. A check counts under each role its entry names (``by``), or ``anyone``;
  role breadth = share of accounts touched in the window by a user with that role
  (``anyone``: by anyone). A check's month is the month (``YYYY-MM``) holding its
  bucket's last day; month breadth = share of accounts touched in that month.
  Every role named by a standard entry and every window month has a row.
- compliance = passed / checks (empty with no checks); breadth = touched / accounts.

Depth (per touched account, over the window): touches per month by class
(touches / window months), intensity-weighted touches (kind weights, both
classes), distinct contacts and distinct personas (``contacts.persona``) reached
by human touches, and the content stages of its touches (``|``-joined).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

import ibis
import ibis.expr.types as ir

from covermap.coverage.checks import (
    CheckTables,
    entry_roles,
    entry_table,
    measure_checks,
    plan_pers,
)
from covermap.coverage.outcomes import measure_outcomes
from covermap.coverage.worklist import build_worklist
from covermap.engine import buckets as bk
from covermap.engine.account_keys import KEY_COLUMNS, account_keys, with_keys
from covermap.engine.keep import temp_keeper
from covermap.engine.owners import with_owners
from covermap.engine.segments import with_segments
from covermap.engine.states import state_table, step_transitions
from covermap.engine.touches import WEIGHT_UNITS, last_human_touch
from covermap.engine.window import Window, extreme_date, local_date_of, resolve_window
from covermap.errors import PlanInvalid
from covermap.plan.model import Plan

ACCOUNT_COLUMNS = ("account_id", "state", "segment", "owner_id", "checks", "passed", "compliance",
                   "human_touches", "digital_touches", "weighted_touches", "contacts_touched",
                   "days_since_human_touch", "touched")
DEPTH_COLUMNS = ("account_id", "human_touches", "digital_touches", "human_per_month",
                 "digital_per_month", "weighted_touches", "contacts_touched", "personas_touched",
                 "content_stages", "days_since_human_touch")
GROUPS = ("all", "state", "segment", "owner", "role", "month")


@dataclass(frozen=True)
class CoverageResult:
    """Everything ``covermap coverage`` shows, as Ibis tables over the store."""

    plan: Plan
    window: Window
    accounts: ir.Table
    checks: ir.Table
    summary: ir.Table
    transitions: ir.Table
    depth: ir.Table
    worklist: ir.Table
    warnings: tuple[str, ...] = ()
    store: object = field(default=None, repr=False, compare=False)

    @property
    def as_of(self) -> dt.date:
        return self.window.as_of

    @cached_property
    def outcomes(self) -> ir.Table:
        """Outcomes by compliance band (see ``covermap.coverage.outcomes``): built on first use,
        as it measures a second, earlier window."""
        return measure_outcomes(self.store, self.plan, self.window)


def coverage_tables(result: CoverageResult, *, outcomes: bool = True) -> dict[str, ir.Table]:
    """Export name -> table, in the order files are written. ``outcomes=False`` leaves out
    coverage_outcomes, which measures a second, earlier window and costs about as much."""
    tables: dict[str, ir.Table] = {
        "coverage_accounts": result.accounts,
        "coverage_checks": result.checks,  # millions of rows, sorted as they are written
        "coverage_summary": result.summary,
        "coverage_depth": result.depth,
        "worklist": result.worklist,
        "transitions": result.transitions,
    }
    if outcomes:
        tables["coverage_outcomes"] = result.outcomes
    return tables


def check_store_rules(store, plan: Plan) -> None:
    """Check the plan's rules and worklist measure against the store's account columns;
    errors name the plan file, line and key, all of them at once (``PlanInvalid``)."""
    from covermap.engine.plan_checks import plan_problems

    problems = plan_problems(store, plan)
    if problems:
        raise PlanInvalid(problems)


def measure_coverage(store, plan: Plan, *, as_of: dt.date | None = None,
                     window_months: int | None = None) -> CoverageResult:
    """Measure every account against its coverage standard.

    Parameters:
        store: an open store (``covermap.store.connect.open_store``); the result's tables
            live on its connection, so use them before closing it.
        plan: the plan; its rules are checked against the store's account columns first
            (a ``PlanInvalid`` lists every problem, each with its file, line and key).
        as_of: the day measured on; default the plan's ``as_of``, else the date of the
            latest activity.
        window_months: the window's length; default the plan's ``window_months``.

    Example::

        with open_store("covermap.duckdb", read_only=True) as store:
            result = measure_coverage(store, default_plan(), window_months=6)
            result.summary.filter(result.summary.group == "state").execute()
            export_tables(coverage_tables(result), Path("out"))
    """
    check_store_rules(store, plan)
    window = resolve_window(store, plan, as_of, window_months)
    keep = temp_keeper(store)
    core = measure_checks(store, plan, window, keep)
    keys = keep(account_keys(store, plan), "account_keys")
    full = keep(account_measures(store, plan, core, keys), "accounts_full")
    depth = full.filter(full.touched).select(*DEPTH_COLUMNS, *KEY_COLUMNS).order_by(
        "account_id")
    accounts = full.select(*ACCOUNT_COLUMNS, "owner_name", "owner_source", "name", "label",
                           "has_standard", "personas_touched", "human_per_month",
                           "digital_per_month", *KEY_COLUMNS).order_by("account_id")
    summary = keep(summarize(plan, core, full), "summary")
    summary = summary.order_by(["_group", "_position", "key"]).drop("_group", "_position")
    return CoverageResult(
        plan=plan, window=window, accounts=accounts, checks=core.checks, summary=summary,
        transitions=with_keys(step_transitions(core.steps, core.dates), keys).order_by(
            ["account_id", "date"]), depth=depth,
        worklist=build_worklist(store, plan, core, full),
        warnings=tuple(data_warnings(store, plan, window)), store=store,
    )


def account_measures(store, plan: Plan, core: CheckTables, keys: ir.Table) -> ir.Table:
    """One row per account: current state, checks, touches and depth (see module doc),
    then its ``group_id`` and ``territory`` (``keys``: ``covermap.engine.account_keys``)."""
    w, tz = core.window, plan.timezone
    a = store.table("accounts")
    acc = with_owners(a.select("account_id", "name", "segment",
                               created_date=local_date_of(a, "created_at", tz),
                               value=a[plan.worklist.value_measure]), store, plan, w.as_of)
    acc = with_segments(acc, store, plan, w.as_of)
    cur = core.current
    labels = state_table(plan).select("state", "label", "has_standard")
    cm = core.months
    chk = cm.group_by("account_id").aggregate(checks=cm.n.sum(), passed=cm.p.sum())
    dep = core.per_account.select("account_id", "human_touches", "digital_touches",
                                  "weight_units", "last_day")
    reach = core.reach
    older = last_human_touch(store, plan, core.touches_from)
    j = acc
    for right in (cur, labels, chk, dep, reach, older, keys):
        key = "state" if right is labels else "account_id"
        j = j.left_join(right, j[key] == right[key]).drop(f"{key}_right")
    # ``older`` only holds touches before ``touches_from``, so a recent one wins.
    last = j.last_day.coalesce(j.last_human_day)
    n_checks = j.checks.fill_null(0)
    stages = j.content_stages.join("|")
    return j.select(
        "account_id", "state", "segment", "owner_id",
        checks=n_checks, passed=j.passed.fill_null(0),
        compliance=(n_checks > 0).ifelse(j.passed / n_checks, ibis.null("float64")),
        human_touches=j.human_touches.fill_null(0), digital_touches=j.digital_touches.fill_null(0),
        weighted_touches=(j.weight_units.fill_null(0) / WEIGHT_UNITS),
        contacts_touched=j.contacts_touched.fill_null(0),
        days_since_human_touch=ibis.date(w.as_of).delta(last, unit="day"),
        touched=(j.human_touches.fill_null(0) + j.digital_touches.fill_null(0)) > 0,
        name=j.name, label=j.label, has_standard=j.has_standard,
        personas_touched=j.personas_touched.fill_null(0),
        human_per_month=j.human_touches.fill_null(0) / w.months,
        digital_per_month=j.digital_touches.fill_null(0) / w.months,
        content_stages=(stages == "").ifelse(ibis.null("string"), stages),
        created_date=j.created_date, value=j.value, last_human_day=last,
        owner_name=j.owner_name, owner_source=j.owner_source,
        group_id=j.group_id, territory=j.territory,
    )


def _rates(t: ir.Table) -> ir.Table:
    return t.mutate(
        compliance=(t.checks > 0).ifelse(t.passed / t.checks, ibis.null("float64")),
        breadth=(t.accounts > 0).ifelse(t.touched / t.accounts, ibis.null("float64")))


_SUMMARY_SCHEMA = {"_group": "int64", "_position": "int64", "group": "string", "key": "string",
                   "accounts": "int64", "accounts_with_checks": "int64", "checks": "int64",
                   "passed": "int64", "label": "string", "has_standard": "boolean",
                   "touched": "int64"}


def _shape(t: ir.Table, group: str, **consts: object) -> ir.Table:
    values = {"_group": GROUPS.index(group), "group": group, **consts}
    cols = {n: (t[n] if n in t.columns else ibis.literal(values.get(n), type=ty)).cast(ty)
            for n, ty in _SUMMARY_SCHEMA.items()}
    return t.select(**cols)


def summarize(plan: Plan, core: CheckTables, acc: ir.Table) -> ir.Table:
    """The rollup table (module doc), with ``_group``/``_position`` for ordering."""
    w = core.window
    n_all = acc.count()

    def by_account(key: ir.Value) -> ir.Table:
        return acc.group_by(key=key).aggregate(
            accounts=acc.count(), accounts_with_checks=(acc.checks > 0).sum(),
            checks=acc.checks.sum(), passed=acc.passed.sum(), touched=acc.touched.sum())

    total = acc.aggregate(accounts=acc.count(), accounts_with_checks=(acc.checks > 0).sum(),
                          checks=acc.checks.sum(), passed=acc.passed.sum(),
                          touched=acc.touched.sum()).mutate(key=ibis.literal("all"))
    st = state_table(plan)
    cur = by_account(acc.state).drop("checks", "passed")
    cm = core.months.join(entry_table(plan).select("eid", "state", "entry"), "eid")
    evaluated = cm.group_by(key=cm.state).aggregate(checks=cm.n.sum(), passed=cm.p.sum())
    states = st.left_join(cur, st.state == cur.key).drop("key")
    states = states.left_join(evaluated, states.state == evaluated.key)
    states = states.select(
        key=states.state, _position=states.position, label=states.label,
        has_standard=states.has_standard, accounts=states.accounts.fill_null(0),
        accounts_with_checks=states.accounts_with_checks.fill_null(0),
        checks=states.checks.fill_null(0), passed=states.passed.fill_null(0),
        touched=states.touched.fill_null(0))
    er = entry_roles(plan)
    roles = er.select("role").distinct()
    # per-account subtotals first, so "distinct accounts" needs no DISTINCT aggregate
    per_entry = cm.group_by(["account_id", "state", "entry"]).aggregate(
        n=cm.n.sum(), p=cm.p.sum())
    rc = per_entry.join(er, (per_entry.state == er.state) & (per_entry.entry == er.entry))
    rc = rc.group_by(["account_id", "role"]).aggregate(n=rc.n.sum(), p=rc.p.sum())
    rc = rc.group_by("role").aggregate(checks=rc.n.sum(), passed=rc.p.sum(),
                                       accounts_with_checks=rc.count())
    known = acc.select("account_id")  # an activity of an account not in the store is no touch
    pa = core.per_account.semi_join(known, core.per_account.account_id == known.account_id)
    by_role = pa.aggregate(**{f"t{k}": (pa[f"r{k}"] > 0).sum().cast("int64")
                              for k in range(1, len(core.roles) + 1)}) if core.roles else None
    touched_by = [by_role.select(role=ibis.literal(name), touched=by_role[f"t{k + 1}"])
                  for k, name in enumerate(core.roles)] if by_role is not None else []
    anyone = acc.aggregate(touched=acc.touched.sum().cast("int64")).mutate(
        role=ibis.literal("anyone"))
    touched_by = ibis.union(*touched_by, anyone.select("role", "touched"), distinct=False)
    r = roles.left_join(rc, roles.role == rc.role).drop("role_right")
    r = r.left_join(touched_by, r.role == touched_by.role).drop("role_right")
    r = r.select(key=r.role, accounts=n_all, accounts_with_checks=r.accounts_with_checks
                 .fill_null(0), checks=r.checks.fill_null(0), passed=r.passed.fill_null(0),
                 touched=r.touched.fill_null(0))
    months = bk.small_table({"key": bk.window_month_keys(w)}, {"key": "string"})
    # grouped by the month's first day; its YYYY-MM key is written on the few result rows
    mc = cm.group_by(["account_id", "month"]).aggregate(n=cm.n.sum(), p=cm.p.sum())
    mc = mc.group_by("month").aggregate(checks=mc.n.sum(), passed=mc.p.sum(),
                                        accounts_with_checks=mc.count())
    mc = mc.select(key=bk.month_key(mc.month), checks=mc.checks, passed=mc.passed,
                   accounts_with_checks=mc.accounts_with_checks)
    tm = core.counts["month"]
    tm = tm.filter(tm.bucket_start.between(ibis.date(w.start), ibis.date(w.end)))
    tm = tm.semi_join(known, tm.account_id == known.account_id)
    tm = tm.group_by(key=bk.month_key(tm.bucket_start)).aggregate(touched=tm.count())
    m = months.left_join(mc, months.key == mc.key).drop("key_right")
    m = m.left_join(tm, m.key == tm.key).drop("key_right")
    m = m.select(key=m.key, accounts=n_all, accounts_with_checks=m.accounts_with_checks
                 .fill_null(0), checks=m.checks.fill_null(0), passed=m.passed.fill_null(0),
                 touched=m.touched.fill_null(0))
    parts = [_shape(total, "all"), _shape(states, "state"),
             _shape(by_account(acc.segment), "segment"), _shape(by_account(acc.owner_id), "owner"),
             _shape(r, "role"), _shape(m, "month")]
    out = ibis.union(*parts, distinct=False)
    out = _rates(out)
    return out.select("_group", "_position", "group", "key", "accounts", "accounts_with_checks",
                      "checks", "passed", "compliance", "breadth", "label", "has_standard",
                      "touched")


def data_warnings(store, plan: Plan, window: Window) -> list[str]:
    """Plain-language notes on what the data cannot support (shown by every front end)."""
    out: list[str] = []
    first_day = extreme_date(store.table("activities"), "occurred_at", plan.timezone, "min")
    if first_day is None:
        out.append("the store has no activities: nothing is touched and every check fails")
    else:
        if window.start < first_day:
            out.append(f"the {window.months}-month window starts on {window.start.isoformat()}, "
                       f"before the first activity ({first_day.isoformat()}): it is longer than "
                       f"the data, and buckets before {first_day.isoformat()} are measured on "
                       f"what exists (no touches), so their checks fail")
    for per in plan_pers(plan):
        if not bk.buckets_in(window, per):
            out.append(f"no {per} lies wholly inside the window {window.start.isoformat()} to "
                       f"{window.end.isoformat()}: entries per {per} have no checks")
    return out
