"""coverage_accounts + coverage_checks computed in Polars: a second, independent peer.

    python benchmarks/coverage_polars.py parquet STORE PARQUET_DIR   # read the store, once
    python benchmarks/coverage_polars.py compute PARQUET_DIR OUT_DIR # Polars only
    python benchmarks/coverage_polars.py STORE OUT_DIR               # both

DuckDB only reads: ``parquet`` copies the columns the computation needs from the five
canonical tables it uses to Parquet files (no filter, no join, no expression), so the
benchmark times reading the store apart from computing. Everything else is Polars' lazy
API over ``scan_parquet``, collected on the streaming engine, and written with
``sink_csv``: ``polars_accounts.csv`` (by account_id) and ``polars_checks.csv`` (unsorted).

Like ``coverage_baseline.py`` it is written for the built-in default plan only (UTC,
as_of = the latest activity's date, a 6-month window, the template's kinds, roles, states
and standard), and takes the same shortcuts that plan allows: the state on each
evaluation date (the day before each bucket, and as_of) from fact events summed per
account (a deal won, opened or closed, a contact, a churn, the 6- and 24-month
anniversaries of the first purchase), equal neighbours merged; one narrow scan of the
activities from the first bucket on; one counter per standard entry (channel x roles)
per week and month. A blank value (an outcome, an owner_id, a user's name) is covermap's:
nothing but ASCII whitespace (``string.whitespace``, what Ibis' strip() removes), so a tab
is blank and an ideographic space (U+3000) is not.
"""

from __future__ import annotations

import datetime as dt
import string
import sys
from pathlib import Path

import polars as pl

DAY = dt.timedelta(days=1)
SPACES = string.whitespace  # what covermap strips to find a blank value (Ibis' strip())
# kind: (human?, weight in millionths, outcomes that count (empty: all))
KINDS = {"call": (True, 1_000_000, ["connected"]), "email": (True, 500_000, ["sent", "replied"]),
         "meeting": (True, 3_000_000, []), "visit": (True, 4_000_000, []),
         "marketing_email": (False, 200_000, ["delivered", "opened", "clicked"]),
         "webinar": (False, 1_000_000, ["attended"]), "newsletter": (False, 100_000, [])}
# state, entry number, channel, per, by (roles), min
STANDARD = [
    ("loyal", 1, "human", "month", ["csm", "executive"], 1),
    ("active", 1, "human", "month", ["account_executive", "inside_sales"], 1),
    ("new", 1, "human", "week", ["csm", "account_executive"], 1),
    ("churned", 1, "digital", "month", [], 1),
    ("in_deal", 1, "human", "week", ["account_executive"], 1),
    ("hot_lead", 1, "human", "week", ["inside_sales"], 1),
    ("potential_lead", 1, "human", "month", ["inside_sales"], 1),
    ("potential_lead", 2, "digital", "month", [], 2),
    ("lead", 1, "digital", "month", [], 2),
]
ROLES = {"csm": 1, "account_executive": 2, "inside_sales": 3, "executive": 4}  # users.role
LABELS = {"loyal": "Loyal customer", "active": "Active customer",
          "new": "New customer (first 6 months after the first purchase)",
          "churned": "Churned customer", "in_deal": "Customer in a deal",
          "hot_lead": "Lead with high deal probability",
          "potential_lead": "Lead with high potential", "lead": "Other lead",
          "target": "Target with no lead", "unclassified": "Unclassified"}
COLUMNS = {  # what the computation reads of each canonical table
    "accounts": ["account_id", "name", "segment", "owner_id", "is_target", "created_at",
                 "churned_at"],
    "contacts": ["contact_id", "account_id", "persona", "lead_score", "created_at"],
    "users": ["user_id", "name", "role"],
    "deals": ["account_id", "is_won", "is_closed", "close_date", "created_at"],
    "activities": ["account_id", "kind", "occurred_at", "contact_id", "user_id", "outcome"],
}


def write_parquet(store: Path, folder: Path) -> None:
    """Copy the columns in COLUMNS of the store's tables to ``folder/<table>.parquet``."""
    import duckdb

    folder.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(store), read_only=True)
    try:  # the rows' order does not matter: the copy need not hold them to keep it
        con.execute("SET preserve_insertion_order = false")
        for table, cols in COLUMNS.items():
            target = str(folder / f"{table}.parquet").replace("'", "''")
            con.execute(f"COPY (SELECT {', '.join(cols)} FROM {table}) TO '{target}' "
                        "(FORMAT parquet)")
    finally:
        con.close()


def add_months(d: dt.date, k: int) -> dt.date:
    """The first day of the month ``k`` months after ``d``'s."""
    i = d.year * 12 + d.month - 1 + k
    return dt.date(i // 12, i % 12 + 1, 1)


def calendar(as_of: dt.date) -> dict:
    """The window, the week and month buckets wholly inside it and the evaluation dates
    (each bucket's day before, and as_of)."""
    first_of = as_of.replace(day=1)
    end = as_of if add_months(first_of, 1) - DAY == as_of else first_of - DAY
    start = add_months(end, -5)
    monday = start + (-start.weekday() % 7) * DAY
    weeks = [monday + 7 * k * DAY for k in range((end - monday).days // 7 + 1)
             if monday + (7 * k + 6) * DAY <= end]
    months = [add_months(start, k) for k in range(6)]
    buckets = [("week", b, b + 6 * DAY) for b in weeks] + \
              [("month", b, add_months(b, 1) - DAY) for b in months]
    dates = sorted({b - DAY for _, b, _ in buckets} | {as_of})
    return {"as_of": as_of, "start": start, "end": end, "dates": dates, "buckets": buckets}


def counts(kind: pl.Expr, outcome: pl.Expr) -> pl.Expr:
    """True where an activity of a touch kind counts: no outcome, a blank one, or one of
    its kind's counting outcomes."""
    listed = pl.lit(False)
    for k, (_, _, outcomes) in KINDS.items():
        listed = pl.when(kind == k).then(outcome.is_in(outcomes) if outcomes else True) \
            .otherwise(listed)
    return outcome.is_null() | listed | (outcome.str.strip_chars(SPACES) == "")


def numbered(folder: Path) -> pl.LazyFrame:
    """The accounts, each with ``a``: its row number, the key every step groups and joins
    by (a UInt32 hashes faster and holds less than an account_id string)."""
    return pl.scan_parquet(folder / "accounts.parquet").with_row_index("a")


def ids(folder: Path) -> pl.LazyFrame:
    """``a`` and the account_id it stands for."""
    return numbered(folder).select("a", "account_id")


def steps(folder: Path, c: dict) -> pl.LazyFrame:
    """Per account (``a``), its state from each evaluation date index ``i`` up to ``next_i``
    (a step), and ``made``: the first index on or after the day before it was created."""
    dates = pl.Series("d", c["dates"], dtype=pl.Date)
    n = len(dates)

    def at(day: pl.Expr) -> pl.Expr:  # the first evaluation date on or after ``day``
        return pl.lit(dates).search_sorted(day, side="left").cast(pl.Int32)

    accounts = numbered(folder)
    deals = pl.scan_parquet(folder / "deals.parquet").with_columns(
        created=pl.col("created_at").dt.date())
    won = deals.filter(pl.col("is_won") & pl.col("close_date").is_not_null())
    since = won.group_by("account_id").agg(since=pl.col("close_date").min())
    contacts = pl.scan_parquet(folder / "contacts.parquet").filter(
        pl.col("account_id").is_not_null())
    one = pl.lit(1, pl.Int32)
    events = [
        won.select("account_id", i=at(pl.col("close_date")), won_n=one,
                   won_date=pl.col("close_date")),
        deals.filter(pl.col("created").is_not_null()).select(
            "account_id", i=at(pl.col("created")), open_n=one),
        deals.filter(pl.col("created").is_not_null() & pl.col("close_date").is_not_null()
                     & (pl.col("is_closed") | pl.col("is_won"))).select(
            "account_id", i=at(pl.max_horizontal("close_date", "created")), open_n=-one),
        contacts.select("account_id", i=pl.when(pl.col("created_at").is_null()).then(0)
                        .otherwise(at(pl.col("created_at").dt.date())).cast(pl.Int32),
                        lead_n=one, score=pl.col("lead_score")),
        accounts.select("account_id", i=pl.lit(0, pl.Int32)),
        accounts.filter(pl.col("churned_at").is_not_null()).select(
            "account_id", i=at(pl.col("churned_at").dt.date())),
    ]
    for months in (6, 24):  # the default plan's only month thresholds
        later = pl.col("since").dt.offset_by(f"{months}mo")  # clamped to the month's end
        day = pl.when(later.dt.day() == pl.col("since").dt.day()).then(later) \
            .otherwise(later + pl.duration(days=1))
        events.append(since.select("account_id", i=at(day)))
    never = dt.date(9999, 12, 31)
    facts = (
        pl.concat(events, how="diagonal_relaxed").filter(pl.col("i") < n)
        .join(ids(folder), on="account_id")
        .group_by("a", "i").agg(
            pl.col("won_n").sum(), pl.col("won_date").min(), pl.col("open_n").sum(),
            pl.col("lead_n").sum(), pl.col("score").max())
        .join(accounts.select("a", "is_target", "created_at", "churned_at"), on="a")
        .join(pl.LazyFrame({"i": range(n), "d": dates}, schema={"i": pl.Int32, "d": pl.Date}),
              on="i")
        # every window below runs over one account's steps in this order
        .sort("a", "i")
        .with_columns(
            pl.col("won_n").cum_sum().over("a").alias("won"),
            pl.col("won_date").fill_null(never).cum_min().over("a").alias("since"),
            pl.col("open_n").cum_sum().over("a").alias("open"),
            pl.col("lead_n").cum_sum().over("a").alias("leads"),
            pl.col("score").fill_null(float("-inf")).cum_max().over("a").alias("top"))
    )
    d, s = pl.col("d"), pl.col("since")
    tenure = 12 * (d.dt.year() - s.dt.year()) + d.dt.month().cast(pl.Int32) \
        - s.dt.month().cast(pl.Int32) - (d.dt.day() < s.dt.day()).cast(pl.Int32)
    churned = (pl.col("churned_at").dt.date() <= d).fill_null(False)
    customer = (pl.col("won") >= 1) & ~churned
    state = (pl.when(customer & (tenure >= 24)).then(pl.lit("loyal"))
             .when(customer & (tenure >= 6)).then(pl.lit("active"))
             .when(customer).then(pl.lit("new"))
             .when(churned).then(pl.lit("churned"))
             .when(pl.col("open") > 0).then(pl.lit("in_deal"))
             .when(pl.col("top") >= 80).then(pl.lit("hot_lead"))
             .when(pl.col("top") >= 50).then(pl.lit("potential_lead"))
             .when(pl.col("leads") > 0).then(pl.lit("lead"))
             .when(pl.col("is_target").fill_null(False)).then(pl.lit("target"))
             .otherwise(pl.lit("unclassified")))
    made = pl.when(pl.col("created_at").is_null()).then(pl.lit(0, pl.Int32)) \
        .otherwise(at(pl.col("created_at").dt.date() - pl.duration(days=1)))
    return (
        facts.select("a", "i", state=state, made=made)
        .filter(pl.col("state").shift(1).over("a").ne_missing(pl.col("state")))
        .with_columns(next_i=pl.col("i").shift(-1, fill_value=n).over("a"))
    )


def touches(folder: Path, c: dict) -> pl.LazyFrame:
    """The touches from the window's first day to as_of: account, day, human?, the
    user's role, weight in millionths, and the contact of a human touch."""
    kinds = pl.LazyFrame({"kind": list(KINDS), "human": [h for h, _, _ in KINDS.values()],
                          "wu": [w for _, w, _ in KINDS.values()]},
                         schema_overrides={"wu": pl.Int32})
    roles = (pl.scan_parquet(folder / "users.parquet").filter(pl.col("user_id").is_not_null())
             .group_by("user_id").agg(pl.col("role").min())
             .with_columns(pl.col("role").replace_strict(ROLES, default=0,
                                                         return_dtype=pl.UInt8)))
    start = dt.datetime.combine(c["start"], dt.time())
    stop = dt.datetime.combine(c["as_of"] + DAY, dt.time())
    return (
        pl.scan_parquet(folder / "activities.parquet")
        .filter((pl.col("occurred_at") >= start) & (pl.col("occurred_at") < stop)
                & pl.col("kind").is_in(list(KINDS)) & counts(pl.col("kind"), pl.col("outcome")))
        .join(kinds, on="kind").join(roles, on="user_id", how="left")
        .join(ids(folder), on="account_id")
        .select("a", "human", "role", "wu", day=pl.col("occurred_at").dt.date(),
                contact_id=pl.when(pl.col("human")).then(pl.col("contact_id")))
    )


def last_human_before(folder: Path, c: dict) -> pl.LazyFrame:
    """Per account, the day of its last human touch before the window."""
    start = dt.datetime.combine(c["start"], dt.time())
    human = [k for k, (h, _, _) in KINDS.items() if h]
    return (pl.scan_parquet(folder / "activities.parquet")
            .filter((pl.col("occurred_at") < start) & pl.col("kind").is_in(human)
                    & counts(pl.col("kind"), pl.col("outcome")))
            .group_by("account_id").agg(older=pl.col("occurred_at").max().dt.date())
            .join(ids(folder), on="account_id").drop("account_id"))


def standard() -> pl.LazyFrame:
    """The default plan's standard entries, numbered ``k`` (their place in STANDARD)."""
    return pl.LazyFrame(
        [(k, s, e, ch, p, "|".join(by) or None, m) for k, (s, e, ch, p, by, m)
         in enumerate(STANDARD)], orient="row",
        schema={"k": pl.UInt8, "state": pl.String, "entry": pl.Int64, "channel": pl.String,
                "per": pl.String, "by": pl.String, "min": pl.Int64})


def buckets(c: dict) -> pl.LazyFrame:
    """The buckets, numbered ``b``, with ``bi``: the index of the evaluation date (the day
    before the bucket) the account's state in it is taken on."""
    index = {d: i for i, d in enumerate(c["dates"])}
    return pl.LazyFrame(
        [(b, p, s, e, index[s - DAY]) for b, (p, s, e) in enumerate(c["buckets"])],
        orient="row", schema={"b": pl.UInt8, "per": pl.String, "bucket_start": pl.Date,
                              "bucket_end": pl.Date, "bi": pl.Int32})


def checks(stepped: pl.LazyFrame, touched: pl.LazyFrame, c: dict) -> pl.LazyFrame:
    """One narrow row per (account, standard entry ``k``, bucket ``b``) of the state the
    account was in when the bucket began: the touches that count for the entry in it."""
    human = pl.col("human")
    wanted = [(human if ch == "human" else ~human)
              & (pl.col("role").is_in([ROLES[r] for r in by]) if by else True)
              for _, _, ch, _, by, _ in STANDARD]
    tally = pl.concat([
        touched.group_by("a", bucket_start=pl.col("day").dt.truncate(
            "1w" if per == "week" else "1mo"))
        .agg(wanted[k].sum().alias(str(k)) for k, entry in enumerate(STANDARD)
             if entry[3] == per)
        .unpivot(index=["a", "bucket_start"], variable_name="k", value_name="count")
        for per in ("week", "month")]).with_columns(pl.col("k").cast(pl.UInt8))
    return (
        stepped.join(standard().select("k", "state", "per"), on="state")
        .join(buckets(c), on="per")
        .filter((pl.col("bi") >= pl.col("i")) & (pl.col("bi") < pl.col("next_i"))
                & (pl.col("bi") >= pl.col("made")))
        .join(tally, on=["a", "bucket_start", "k"], how="left")
        .select("a", "k", "b", count=pl.col("count").fill_null(0).cast(pl.Int32))
    )


def check_rows(folder: Path, narrow: pl.LazyFrame, c: dict) -> pl.LazyFrame:
    """The coverage_checks table from the narrow checks."""
    return (
        narrow.join(standard(), on="k").join(buckets(c).drop("per"), on="b")
        .join(ids(folder), on="a")
        .select("account_id", "bucket_start", "bucket_end", "per", "state", "channel", "by",
                "min", pl.col("count").cast(pl.Int64), passed=pl.col("count") >= pl.col("min"),
                entry="entry")
    )


def divided(a: pl.Expr, k: int) -> pl.Expr:
    """``a / k`` correctly rounded: Polars divides by a scalar as a multiplication by its
    reciprocal (20 / 6 gives 3.333333333333333, not 3.3333333333333335), so ``k`` is
    made a column."""
    return a / (a * 0 + k)


def accounts(folder: Path, stepped: pl.LazyFrame, touched: pl.LazyFrame,
             checked: pl.LazyFrame, c: dict) -> pl.LazyFrame:
    """One row per account: current state, checks, breadth and depth over the window, days
    since the last human touch, owner, label."""
    n = len(c["dates"])
    human = pl.col("human")
    window = touched.filter(pl.col("day").is_between(c["start"], c["end"]))
    depth = window.group_by("a").agg(
        human_touches=human.sum(), digital_touches=(~human).sum(),
        wu=pl.col("wu").cast(pl.Int64).sum())
    people = (window.filter(pl.col("contact_id").is_not_null())
              .select("a", "contact_id").unique()
              .join(pl.scan_parquet(folder / "contacts.parquet").select("contact_id", "persona"),
                    on="contact_id", how="left")
              .group_by("a").agg(contacts_touched=pl.len(),
                                          personas_touched=pl.col("persona").drop_nulls()
                                          .n_unique()))
    recent = touched.filter(human).group_by("a").agg(recent=pl.col("day").max())
    tally = checked.join(standard().select("k", "min"), on="k").group_by("a").agg(
        checks=pl.len(), passed=(pl.col("count") >= pl.col("min")).sum())
    current = stepped.filter(pl.col("next_i") == n).select("a", "state")
    labels = pl.LazyFrame({"state": list(LABELS), "label": list(LABELS.values()),
                           "has_standard": [s not in ("target", "unclassified") for s in LABELS]})
    users = pl.scan_parquet(folder / "users.parquet").select(
        owner_id="user_id", owner_name=pl.when(pl.col("name").str.strip_chars(SPACES) != "")
        .then(pl.col("name")))
    table = numbered(folder).select(
        "a", "account_id", "segment", "name", owner_id=pl.when(
            pl.col("owner_id").str.strip_chars(SPACES) != "").then(pl.col("owner_id")))
    for part in (current, tally, depth, people, recent,
                 last_human_before(folder, c), labels, users):
        key = "state" if part is labels else "owner_id" if part is users else "a"
        table = table.join(part, on=key, how="left")
    zero = ["checks", "passed", "human_touches", "digital_touches", "contacts_touched",
            "personas_touched"]
    h, d = pl.col("human_touches"), pl.col("digital_touches")
    return (
        table.with_columns(pl.col(zero).fill_null(0).cast(pl.Int64))
        .select(
            "account_id", "state", "segment", "owner_id", "checks", "passed",
            compliance=pl.when(pl.col("checks") > 0).then(pl.col("passed") / pl.col("checks")),
            human_touches=h, digital_touches=d,
            weighted_touches=divided(pl.col("wu").fill_null(0), 1_000_000),
            contacts_touched="contacts_touched",
            days_since_human_touch=(pl.lit(c["as_of"]) - pl.coalesce("recent", "older"))
            .dt.total_days(),
            touched=h + d > 0, owner_name="owner_name",
            owner_source=pl.when(pl.col("owner_id").is_not_null()).then(pl.lit("account")),
            name="name", label="label", has_standard="has_standard",
            personas_touched="personas_touched", human_per_month=divided(h, 6),
            digital_per_month=divided(d, 6))
        .sort("account_id")
    )


def compute(folder: Path, out_dir: Path) -> None:
    """Write polars_accounts.csv and polars_checks.csv from the Parquet files in ``folder``."""
    as_of = (pl.scan_parquet(folder / "activities.parquet")
             .select(pl.col("occurred_at").max().dt.date()).collect().item())
    c = calendar(as_of)
    out_dir.mkdir(parents=True, exist_ok=True)
    # the touches and the steps are read by several tables: made once
    touched = touches(folder, c).collect(engine="streaming").lazy()
    stepped = steps(folder, c).collect(engine="streaming").lazy()
    checked = checks(stepped, touched, c).collect(engine="streaming").lazy()
    check_rows(folder, checked, c).sink_csv(out_dir / "polars_checks.csv", date_format="%Y-%m-%d",
                                    engine="streaming")
    accounts(folder, stepped, touched, checked, c).sink_csv(
        out_dir / "polars_accounts.csv", date_format="%Y-%m-%d", engine="streaming")


def run(store: Path, out_dir: Path) -> None:
    """Both steps: the store's tables to Parquet in ``out_dir/parquet``, then compute."""
    write_parquet(store, out_dir / "parquet")
    compute(out_dir / "parquet", out_dir)


if __name__ == "__main__":
    if sys.argv[1] == "parquet":
        write_parquet(Path(sys.argv[2]), Path(sys.argv[3]))
    elif sys.argv[1] == "compute":
        compute(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        run(Path(sys.argv[1]), Path(sys.argv[2]))
