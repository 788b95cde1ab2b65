"""Customer groups (issue 16, point 1): each account's top-most ancestor, computed at
import set-based, with unknown parents, own parents and cycles set aside and reported."""

from __future__ import annotations

from pathlib import Path

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from covermap.cli.main import app
from covermap.store import groups

ACCOUNTS = """account_id,name,parent_account_id
G,Group,
S1,Sub 1,G
S2,Sub 2,S1
S3,Sub 3,S2
A,Alpha,B
B,Beta,A
C,Gamma,A
X,Ex,ZZ
Y,Why,X
O,Own,O
P,Plain,
c3,Cycle 3,c1
c1,Cycle 1,c2
c2,Cycle 2,c3
c4,Below the cycle,c3
"""


def _rows(store: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(store), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _import(runner, tmp_path: Path, name: str, text: str, store: Path):
    (tmp_path / name).write_text(text)
    result = runner.invoke(app, ["import", str(tmp_path / name), "--store", str(store)])
    assert result.exit_code == 0, result.output
    return result


def test_groups_by_hand(runner, tmp_path):
    store = tmp_path / "crm.duckdb"
    result = _import(runner, tmp_path, "accounts.csv", ACCOUNTS, store)
    assert _rows(store, "SELECT * FROM account_groups ORDER BY account_id") == [
        ("A", "A", 0), ("B", "A", 1), ("C", "A", 1),   # the cycle A-B: A's link set aside
        ("G", "G", 0), ("O", "O", 0), ("P", "P", 0),
        ("S1", "G", 1), ("S2", "G", 2), ("S3", "G", 3),  # three levels below G
        ("X", "X", 0), ("Y", "X", 1),                  # X's parent ZZ is not in the store
        ("c1", "c1", 0), ("c2", "c1", 2), ("c3", "c1", 1), ("c4", "c1", 2),
    ]
    assert _rows(store, "SELECT * FROM group_links ORDER BY account_id") == [
        ("A", "B", "cycle", ["A", "B"]),
        ("O", "O", "own_parent", None),
        ("X", "ZZ", "unknown_parent", None),
        ("c1", "c2", "cycle", ["c1", "c2", "c3"]),
    ]
    # the links stay as the file gave them: nothing is lost
    assert _rows(store, "SELECT parent_account_id FROM accounts WHERE account_id IN "
                        "('A', 'O', 'X') ORDER BY account_id") == [("B",), ("O",), ("ZZ",)]
    out = " ".join(result.output.split())
    assert "2 cycles of parent links (A, B; c1, c2, c3)" in out
    assert "own parent for 1 account (O → O)" in out
    assert "parent account not in the store for 1 account (e.g. X → ZZ)" in out
    status = " ".join(runner.invoke(app, ["status", "--store", str(store)]).output.split())
    assert "2 cycles of parent links (A, B; c1, c2, c3)" in status


def test_a_parent_imported_later_joins_the_group(runner, tmp_path):
    store = tmp_path / "crm.duckdb"
    _import(runner, tmp_path, "accounts.csv", ACCOUNTS, store)
    _import(runner, tmp_path, "more.csv", "account_id,name,parent_account_id\nZZ,Zed,G\n", store)
    assert _rows(store, "SELECT account_id, group_id, depth FROM account_groups WHERE "
                        "account_id IN ('X', 'Y', 'ZZ') ORDER BY 1") == [
        ("X", "G", 2), ("Y", "G", 3), ("ZZ", "G", 1)]
    assert _rows(store, "SELECT account_id FROM group_links ORDER BY 1") == [
        ("A",), ("O",), ("c1",)]


def test_maven_subsidiaries_are_groups(runner, realdata, tmp_path):
    store = tmp_path / "maven.duckdb"
    result = runner.invoke(app, ["import", str(realdata / "maven-crm-sales-opportunities"),
                                 "--store", str(store)])
    assert result.exit_code == 0, result.output
    # accounts.csv: 85 accounts, 15 with subsidiary_of (a name), every parent a top
    assert _rows(store, "SELECT count(*), count(DISTINCT group_id), max(depth) "
                        "FROM account_groups") == [(85, 70, 1)]
    assert _rows(store, "SELECT group_id, count(*) AS n FROM account_groups GROUP BY 1 "
                        "HAVING n > 3 ORDER BY n DESC, 1") == [
        ("Acme Corporation", 5), ("Sonron", 4)]
    assert _rows(store, "SELECT count(*) FROM group_links") == [(0,)]


def _reference(parents: dict[str, str | None]) -> tuple[dict, set]:
    """Groups by walking each account up in Python (the definition, for the test only)."""
    def up(a):
        p = parents[a]
        return p if p is not None and p in parents and p != a else None

    cycles = set()
    for a in parents:
        seen, x = [], a
        while x is not None and x not in seen:
            seen.append(x)
            x = up(x)
        if x is not None:  # walked into a cycle: x is on it
            cycle, y = [x], up(x)
            while y != x:
                cycle.append(y)
                y = up(y)
            cycles.add(min(cycle))
    out = {}
    for a in parents:
        x, depth = a, 0
        while x not in cycles and up(x) is not None:
            x, depth = up(x), depth + 1
        out[a] = (x, depth)
    return out, cycles


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(-2, 11), min_size=1, max_size=12))
def test_groups_match_a_walk_up(links):
    """Any parent map, cycles and unknown parents included (-1: none, -2: unknown id)."""
    parents = {f"a{i}": (None if p == -1 else "zz" if p == -2 else f"a{p}")
               for i, p in enumerate(links)}
    con = duckdb.connect()
    con.execute("CREATE TABLE accounts (account_id VARCHAR, parent_account_id VARCHAR)")
    con.executemany("INSERT INTO accounts VALUES (?, ?)", list(parents.items()))
    groups.rebuild(con)
    expected, cycles = _reference(parents)
    got = {a: (g, d) for a, g, d in con.execute("SELECT * FROM account_groups").fetchall()}
    assert got == expected
    assert {a for (a,) in con.execute(
        "SELECT account_id FROM group_links WHERE problem = 'cycle'").fetchall()} == cycles


def test_a_long_chain(tmp_path):
    con = duckdb.connect()
    con.execute("CREATE TABLE accounts AS SELECT 'a' || lpad(i::VARCHAR, 5, '0') AS "
                "account_id, CASE WHEN i > 0 THEN 'a' || lpad((i - 1)::VARCHAR, 5, '0') "
                "END AS parent_account_id FROM range(5000) t(i)")
    groups.rebuild(con)
    assert con.execute("SELECT count(DISTINCT group_id), min(group_id), max(depth) "
                       "FROM account_groups").fetchall() == [(1, "a00000", 4999)]
