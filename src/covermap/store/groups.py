"""Customer groups: each account's group is its top-most ancestor through
``accounts.parent_account_id`` (an account with no parent is its own group).

``rebuild(con)`` recomputes two tables over the whole store, inside the import's
transaction, after every import that loads accounts:

- ``account_groups (account_id, group_id, depth)``: one row per account; ``depth`` is the
  number of parent links from the account up to its group's top (0 for the top);
- ``group_links (account_id, parent_account_id, problem, members)``: the parent links
  set aside, one row each, ``problem`` one of ``unknown_parent`` (the parent is not in
  the store), ``own_parent`` and ``cycle`` (``members``: the cycle's accounts, sorted).

A link that is set aside is kept in ``accounts`` as the source gave it (nothing is
lost), but no group follows it: the account tops its own group. In a cycle, the link
of the member with the smallest id is set aside, so the cycle's members (and the
accounts below them) form one group topped by that member.

Groups are computed by pointer jumping: each round replaces every account's furthest
known ancestor by that ancestor's own, so ``n`` accounts need at most
``log2(n) + 1`` rounds of one join each, whatever the depth. A cycle is what is left
unresolved after that many rounds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

    from covermap.store.connect import Store

ACCOUNT_GROUPS = "account_groups"
GROUP_LINKS = "group_links"

DDL = (
    f"CREATE TABLE IF NOT EXISTS {ACCOUNT_GROUPS} (account_id VARCHAR NOT NULL, "
    "group_id VARCHAR NOT NULL, depth BIGINT NOT NULL)",
    f"CREATE TABLE IF NOT EXISTS {GROUP_LINKS} (account_id VARCHAR, "
    "parent_account_id VARCHAR, problem VARCHAR, members VARCHAR[])",
)

#: what each problem means, and what to do about it
PROBLEMS = {
    "unknown_parent": "parent account not in the store",
    "own_parent": "account is its own parent",
    "cycle": "parent links form a cycle",
}


def _jump(con: duckdb.DuckDBPyConnection, rounds: int) -> bool:
    """Pointer jumping over the linked accounts ``__links (k, up)`` (integer keys) into
    ``__jump (k, top, depth, lo)``; True when every one reached a top within ``rounds``."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE __jump AS
        SELECT k, up AS top, 1::BIGINT AS depth, least(k, up) AS lo
        FROM __links WHERE up IS NOT NULL""")
    for _ in range(rounds):
        if not con.execute("SELECT count(*) FROM __jump WHERE top IN (SELECT k FROM __jump)"
                           ).fetchone()[0]:
            return True
        con.execute("""
            CREATE OR REPLACE TEMP TABLE __jump AS
            SELECT j.k, coalesce(n.top, j.top) AS top, j.depth + coalesce(n.depth, 0) AS depth,
                   least(j.lo, coalesce(n.lo, j.lo)) AS lo
            FROM __jump j LEFT JOIN __jump n ON n.k = j.top""")
    return False


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute ``account_groups`` and ``group_links`` from ``accounts`` (module doc)."""
    for ddl in DDL:
        con.execute(ddl)
    con.execute(f"DELETE FROM {GROUP_LINKS}")
    con.execute(f"""
        INSERT INTO {GROUP_LINKS}
        SELECT a.account_id, a.parent_account_id,
               CASE WHEN a.parent_account_id = a.account_id THEN 'own_parent'
                    ELSE 'unknown_parent' END, NULL
        FROM accounts a ANTI JOIN accounts p
             ON p.account_id = a.parent_account_id AND p.account_id <> a.account_id
        WHERE a.parent_account_id IS NOT NULL""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE __ids AS
        SELECT account_id, parent_account_id, row_number() OVER () AS k FROM accounts""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE __links AS
        SELECT a.k, p.k AS up
        FROM __ids a JOIN __ids p ON p.account_id = a.parent_account_id
        ANTI JOIN {GROUP_LINKS} g ON g.account_id = a.account_id""")
    n = con.execute("SELECT count(*) FROM __links").fetchone()[0]
    rounds = max(n, 1).bit_length() + 1  # 2**rounds > n: any chain is walked to its end
    if not _jump(con, rounds):
        # after n steps every walk that never ends is on its cycle, so the tops left are
        # exactly the cycles' members, and each member's lo names its cycle
        con.execute("""
            CREATE OR REPLACE TEMP TABLE __cycle AS
            SELECT list(i.account_id ORDER BY i.account_id) AS members
            FROM __jump j JOIN __ids i USING (k)
            WHERE j.k IN (SELECT top FROM __jump WHERE top IN (SELECT k FROM __jump))
            GROUP BY j.lo""")
        con.execute(f"""
            INSERT INTO {GROUP_LINKS}
            SELECT a.account_id, a.parent_account_id, 'cycle', c.members
            FROM __cycle c JOIN __ids a ON a.account_id = c.members[1]""")
        con.execute("""
            DELETE FROM __links WHERE k IN (
                SELECT a.k FROM __cycle c JOIN __ids a ON a.account_id = c.members[1])""")
        con.execute("DROP TABLE __cycle")
        _jump(con, rounds)
    con.execute(f"DELETE FROM {ACCOUNT_GROUPS}")
    con.execute(f"""
        INSERT INTO {ACCOUNT_GROUPS}
        SELECT i.account_id, coalesce(t.account_id, i.account_id), coalesce(j.depth, 0)
        FROM __ids i LEFT JOIN __jump j USING (k) LEFT JOIN __ids t ON t.k = j.top""")
    for temp in ("__jump", "__links", "__ids"):
        con.execute(f"DROP TABLE {temp}")


def set_aside(store: Store) -> list[tuple[str, int, list[str]]]:
    """The parent links set aside, per problem: (problem, links, up to three examples:
    ``child → parent``, or a cycle's members)."""
    if not store.has_table(GROUP_LINKS):
        return []
    return [(p, n, list(examples)) for p, n, examples in store.duckdb.execute(f"""
        SELECT problem, count(*),
               list(CASE problem WHEN 'cycle' THEN array_to_string(members, ', ')
                                 ELSE account_id || ' → ' || parent_account_id END
                    ORDER BY account_id)[1:3]
        FROM {GROUP_LINKS} GROUP BY problem ORDER BY problem""").fetchall()]
