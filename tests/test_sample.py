"""The sample company: deterministic, canonical, consistent, and realistic enough that
every state of the default plan occurs (checked by an independent SQL reading of DESIGN.md)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import duckdb
import pytest

from covermap.cli.main import app
from covermap.plan import default_plan
from covermap.sample import generate_company
from covermap.store import schema

AS_OF = dt.date(2026, 11, 15)
STATES = ["loyal", "active", "new", "churned", "in_deal", "hot_lead", "potential_lead",
          "lead", "target"]


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("company")
    return out, generate_company(out, accounts=2000, seed=42, as_of=AS_OF)


@pytest.fixture(scope="module")
def db(company: tuple[Path, dict[str, int]]) -> duckdb.DuckDBPyConnection:
    """The generated files as DuckDB views, typed as the store types them."""
    out, _ = company
    con = duckdb.connect()
    for t in schema.TABLES:
        types = ", ".join(f"'{c.name}': '{c.type}'" for c in t.columns)
        con.execute(f"CREATE VIEW {t.name} AS SELECT * FROM read_csv('{out / t.name}.csv', "
                    f"header = true, columns = {{{types}}})")
    return con


def one(con: duckdb.DuckDBPyConnection, sql: str):
    return con.execute(sql).fetchone()[0]


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        generate_company(tmp_path / name, accounts=300, seed=seed)
    a, b, c = (digests(tmp_path / n) for n in "abc")
    assert a == b
    assert len(a) == len(schema.TABLES)
    different = [f for f in a if a[f] != c[f]]
    assert set(different) == set(a) - {"products.csv"}  # the catalog is fixed


def test_parquet_is_deterministic_and_typed_as_the_store(tmp_path: Path) -> None:
    for name in ("a", "b"):
        generate_company(tmp_path / name, accounts=200, seed=3, fmt="parquet")
    assert digests(tmp_path / "a") == digests(tmp_path / "b")
    con = duckdb.connect()
    for t in schema.TABLES:
        cols = con.execute(f"DESCRIBE SELECT * FROM '{tmp_path / 'a' / t.name}.parquet'").fetchall()
        assert [(c[0], c[1]) for c in cols] == [(c.name, c.type) for c in t.columns]


def test_rows_scale_with_accounts_and_counts_match_the_files(
        tmp_path: Path, company: tuple[Path, dict[str, int]]) -> None:
    small = generate_company(tmp_path, accounts=500, seed=42)
    _, large = company
    assert list(small) == [t.name for t in schema.TABLES]
    assert small["accounts"] == 500 and large["accounts"] == 2000
    assert small["products"] == large["products"]
    for table in ("contacts", "deals", "activities", "account_team"):
        assert 3 < large[table] / small[table] < 5, table
    assert large["users"] > 25 and 1 / 100 <= large["users"] / large["accounts"] <= 1 / 50
    assert 35 <= large["activities"] / large["accounts"] <= 65
    con = duckdb.connect()
    for name, rows in small.items():
        assert one(con, f"SELECT count(*) FROM read_csv('{tmp_path / name}.csv')") == rows


def test_every_header_is_the_canonical_column_list(company: tuple[Path, dict[str, int]]) -> None:
    out, _ = company
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t.name}.csv" for t in schema.TABLES)
    for t in schema.TABLES:
        header = (out / f"{t.name}.csv").read_text(encoding="utf-8").split("\n", 1)[0]
        assert header.split(",") == t.column_names


def test_keys_are_unique_and_references_resolve(db: duckdb.DuckDBPyConnection) -> None:
    for t in schema.TABLES:
        key = ", ".join(t.key)
        assert one(db, f"SELECT count(*) - count(DISTINCT ({key})) FROM {t.name}") == 0, t.name
        for c in t.columns:
            if c.required:
                assert one(db, f"SELECT count(*) FROM {t.name} WHERE {c.name} IS NULL") == 0
            if c.references:
                ref_table, ref_col = c.references.split(".")
                missing = one(db, f"SELECT count(*) FROM {t.name} WHERE {c.name} IS NOT NULL "
                                  f"AND {c.name} NOT IN (SELECT {ref_col} FROM {ref_table})")
                assert missing == 0, f"{t.name}.{c.name}"
    assert one(db, "SELECT count(*) FROM accounts WHERE parent_account_id IS NOT NULL AND "
                   "parent_account_id NOT IN (SELECT account_id FROM accounts)") == 0
    # an activity's contact and deal belong to the activity's account
    assert one(db, "SELECT count(*) FROM activities x JOIN contacts c USING (contact_id) "
                   "WHERE c.account_id <> x.account_id") == 0
    assert one(db, "SELECT count(*) FROM activities x JOIN deals d USING (deal_id) "
                   "WHERE d.account_id <> x.account_id") == 0
    assert one(db, "SELECT count(*) FROM deal_contacts dc JOIN deals d USING (deal_id) "
                   "JOIN contacts c USING (contact_id) WHERE c.account_id <> d.account_id") == 0


def test_nothing_happens_after_as_of(db: duckdb.DuckDBPyConnection) -> None:
    first, last = db.execute("SELECT min(occurred_at)::DATE, max(occurred_at)::DATE "
                             "FROM activities").fetchone()
    assert last <= AS_OF and (AS_OF - first).days >= 700
    for table, col in (("accounts", "created_at"), ("accounts", "churned_at"),
                       ("contacts", "created_at"), ("deals", "created_at")):
        assert one(db, f"SELECT max({col})::DATE FROM {table}") <= AS_OF
    assert one(db, "SELECT max(close_date) FROM deals WHERE is_closed") <= AS_OF
    assert one(db, "SELECT min(close_date) FROM deals WHERE NOT is_closed") > AS_OF
    assert one(db, "SELECT count(*) FROM deals WHERE created_at::DATE > close_date") == 0
    assert one(db, "SELECT count(*) FROM activities x JOIN accounts a USING (account_id) "
                   "WHERE x.occurred_at < a.created_at") == 0
    weekend = one(db, "SELECT avg((isodow(occurred_at) >= 6)::INTEGER) FROM activities")
    assert weekend < 0.1


def test_values_cover_the_plan(db: duckdb.DuckDBPyConnection) -> None:
    plan = default_plan()
    cm = plan.coverage_map

    def values(sql: str) -> set:
        return {r[0] for r in db.execute(sql).fetchall()}

    assert values("SELECT role FROM users") == {r.id for r in plan.roles}
    assert values("SELECT segment FROM accounts") == {"smb", "mid_market", "enterprise"}
    assert "Japan" in values("SELECT country FROM accounts")
    assert values(f"SELECT CASE WHEN annual_revenue >= {cm.value.high} THEN 'high' "
                  f"WHEN annual_revenue >= {cm.value.medium} THEN 'medium' ELSE 'low' END "
                  f"FROM accounts") == {"low", "medium", "high"}
    assert values("SELECT complexity FROM products") == {"simple", "bundled", "customised"}
    assert 20 <= one(db, "SELECT count(*) FROM products") <= 40
    assert values("SELECT deal_type FROM deals") == {"new", "expansion", "renewal"}
    assert values("SELECT channel FROM deals") == {"online", "inside_sales", "field_sales",
                                                   "partner"}
    assert values("SELECT currency FROM deals") == {"USD", "EUR", "GBP", "JPY"}
    assert one(db, "SELECT avg((currency = 'USD')::INTEGER) FROM deals") > 0.5
    assert 0 < one(db, "SELECT avg((NOT active)::INTEGER) FROM users") < 0.15
    assert one(db, "SELECT count(*) FROM account_team WHERE end_date IS NOT NULL") > 0
    assert one(db, "SELECT count(*) FROM account_team WHERE end_date IS NULL") > 0
    japanese = "regexp_matches(title, '[\u3040-\u30ff\u4e00-\u9fff]')"
    assert one(db, f"SELECT count(*) FROM contacts WHERE {japanese}") > 50
    assert one(db, f"SELECT count(*) FROM contacts WHERE NOT {japanese}") > 50
    assert {"economic_buyer", "technical_buyer", "champion", "end_user",
            "executive_sponsor", None} <= values("SELECT persona FROM contacts")
    assert values("SELECT content_stage FROM activities") >= {
        "Education", "Solution", "Selection", "Negotiation", "Relation"}
    for kind, spec in plan.activity_kinds.items():
        outcomes = values(f"SELECT outcome FROM activities WHERE kind = '{kind}'")
        assert outcomes, kind
        if spec.outcomes:
            assert outcomes & set(spec.outcomes), kind
            assert outcomes - set(spec.outcomes) - {None}, kind  # some attempts too
    calls = db.execute("SELECT avg((outcome = 'connected')::INTEGER) FROM activities "
                       "WHERE kind = 'call'").fetchone()[0]
    assert 0.15 < calls < 0.5
    human, digital = plan.kinds_of("human"), plan.kinds_of("digital")
    roles = dict(db.execute(
        "SELECT kind, list(DISTINCT coalesce(role, '-')) FROM activities LEFT JOIN users "
        "USING (user_id) GROUP BY kind").fetchall())
    for kind in digital:
        assert set(roles[kind]) == {"marketing", "-"}, kind
    for kind in human:
        assert "marketing" not in roles[kind] and "-" not in roles[kind], kind
    assert one(db, "SELECT count(*) FROM activities WHERE kind IN ('note', 'task')") > 0


def test_deals_have_lines_channels_and_misaligned_revenue(db: duckdb.DuckDBPyConnection) -> None:
    cm = default_plan().coverage_map
    db.execute("""
        CREATE OR REPLACE TEMP VIEW won_cells AS
        SELECT d.deal_id, d.channel, d.amount,
               CASE WHEN count(DISTINCT l.product_id) > 1 THEN 'bundled'
                    ELSE any_value(p.complexity) END AS complexity,
               count(DISTINCT l.product_id) AS products,
               any_value(a.annual_revenue) AS revenue
        FROM deals d JOIN accounts a USING (account_id)
        LEFT JOIN deal_lines l USING (deal_id) LEFT JOIN products p USING (product_id)
        WHERE d.is_won GROUP BY ALL""")
    assert one(db, "SELECT count(*) FROM won_cells WHERE products = 0") > 0
    assert one(db, "SELECT count(*) FROM won_cells WHERE products >= 2") > 0
    intended = " ".join(
        f"WHEN complexity = '{c}' AND tier = '{t}' THEN '{ch}'"
        for c, tiers in cm.channels.items() for t, ch in tiers.items())
    aligned = one(db, f"""
        SELECT avg((channel = CASE {intended} END)::INTEGER) FROM (
            SELECT *, CASE WHEN revenue >= {cm.value.high} THEN 'high'
                           WHEN revenue >= {cm.value.medium} THEN 'medium' ELSE 'low' END AS tier
            FROM won_cells WHERE products > 0)""")
    assert 0.6 < aligned < 0.95
    assert one(db, "SELECT count(DISTINCT complexity) FROM won_cells WHERE products > 0") == 3
    assert one(db, "SELECT count(*) FROM deal_lines l JOIN deals d USING (deal_id) WHERE "
                   "abs(l.amount) > d.amount") == 0
    unbalanced = one(db, "SELECT count(*) FROM (SELECT d.deal_id, any_value(d.amount) AS amount, "
                         "sum(l.amount) AS lines FROM deals d JOIN deal_lines l USING (deal_id) "
                         "GROUP BY 1) WHERE lines <> amount")
    assert unbalanced == 0
    assert one(db, "SELECT count(*) - count(DISTINCT deal_id) FROM deal_contacts "
                   "WHERE is_primary") == 0


def test_attention_is_skewed(db: duckdb.DuckDBPyConnection) -> None:
    zero = one(db, "SELECT avg((n = 0)::INTEGER) FROM (SELECT count(x.activity_id) AS n FROM "
                   "accounts a LEFT JOIN activities x USING (account_id) GROUP BY a.account_id)")
    assert 0.25 <= zero <= 0.45
    top = one(db, """
        SELECT sum(n) FILTER (WHERE rank <= (SELECT count(*) FROM accounts) / 10) / sum(n)
        FROM (SELECT count(*) AS n, row_number() OVER (ORDER BY count(*) DESC) AS rank
              FROM activities GROUP BY account_id)""")
    assert top > 0.4


# An independent reading of DESIGN.md's derived facts at as_of, and of the default
# plan's state rules in order (first match wins).
STATE_SQL = """
WITH won AS (
    SELECT account_id, count(*) AS won_deals, min(close_date) AS customer_since
    FROM deals WHERE is_won AND close_date <= $d GROUP BY account_id),
open AS (
    SELECT account_id, count(*) AS open_deals FROM deals
    WHERE created_at::DATE <= $d AND NOT (coalesce(is_closed, false) AND close_date <= $d)
    GROUP BY account_id),
leads AS (
    SELECT account_id, count(*) AS lead_count, max(lead_score) AS max_lead_score
    FROM contacts WHERE created_at IS NULL OR created_at::DATE <= $d GROUP BY account_id),
facts AS (
    SELECT a.account_id, coalesce(won.won_deals, 0) AS won_deals, won.customer_since,
           coalesce(a.churned_at::DATE <= $d, false) AS churned,
           coalesce(open.open_deals, 0) AS open_deals,
           coalesce(leads.lead_count, 0) AS lead_count, leads.max_lead_score,
           coalesce(a.is_target, false) AS is_target
    FROM accounts a LEFT JOIN won USING (account_id) LEFT JOIN open USING (account_id)
    LEFT JOIN leads USING (account_id)),
customers AS (
    SELECT *, won_deals >= 1 AND NOT churned AS is_customer,
           CASE WHEN won_deals >= 1 AND NOT churned THEN
               (year($d) * 12 + month($d)) - (year(customer_since) * 12 + month(customer_since))
               - CASE WHEN day($d) < day(customer_since) THEN 1 ELSE 0 END END
             AS months_as_customer
    FROM facts)
SELECT account_id, CASE
    WHEN is_customer AND months_as_customer >= 24 THEN 'loyal'
    WHEN is_customer AND months_as_customer >= 6 THEN 'active'
    WHEN is_customer THEN 'new'
    WHEN churned THEN 'churned'
    WHEN open_deals > 0 THEN 'in_deal'
    WHEN max_lead_score >= 80 THEN 'hot_lead'
    WHEN max_lead_score >= 50 THEN 'potential_lead'
    WHEN lead_count > 0 THEN 'lead'
    WHEN is_target THEN 'target' END AS state
FROM customers
"""


def test_every_default_plan_state_occurs_as_of(db: duckdb.DuckDBPyConnection) -> None:
    assert [s.id for s in default_plan().states] == STATES
    states = STATE_SQL.replace("$d", f"DATE '{AS_OF}'")
    rows = db.execute(f"SELECT coalesce(state, 'unclassified'), count(*) FROM ({states}) "
                      f"GROUP BY 1").fetchall()
    shares = {state: n / 2000 for state, n in rows}
    assert set(shares) == {*STATES, "unclassified"}
    for state, share in shares.items():
        assert 0.02 <= share <= 0.3, (state, share)
    # customers of every tenure, and churn always after the first purchase
    assert one(db, "SELECT count(*) FROM accounts a JOIN (SELECT account_id, min(close_date) AS "
                   "since FROM deals WHERE is_won GROUP BY 1) w USING (account_id) "
                   "WHERE a.churned_at IS NOT NULL AND a.churned_at::DATE <= w.since") == 0
    assert one(db, "SELECT count(*) FROM accounts WHERE churned_at IS NOT NULL AND account_id "
                   "NOT IN (SELECT account_id FROM deals WHERE is_won)") == 0


def test_cli_writes_the_company_and_a_summary(runner, tmp_path: Path) -> None:
    out = tmp_path / "tmp"
    result = runner.invoke(app, ["sample", "--accounts", "200", "--seed", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t.name}.csv" for t in schema.TABLES)
    assert "activities" in result.output and "200" in result.output
    help_text = runner.invoke(app, ["sample", "--help"]).output
    assert "Example: covermap sample" in help_text


def test_cli_writes_parquet(runner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["sample", "--accounts", "50", "--out", str(tmp_path),
                                 "--format", "parquet", "--as-of", "2025-06-30"])
    assert result.exit_code == 0, result.output
    last = one(duckdb.connect(), f"SELECT max(occurred_at)::DATE FROM "
                                 f"'{tmp_path / 'activities.parquet'}'")
    assert last <= dt.date(2025, 6, 30)


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown format 'xlsx'"):
        generate_company(tmp_path, accounts=10, fmt="xlsx")
    with pytest.raises(ValueError, match="at least 1"):
        generate_company(tmp_path, accounts=0)
