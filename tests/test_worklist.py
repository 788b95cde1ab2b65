"""The worklist on the hand-made company (tests/test_coverage_company.py), as of 2026-07-15.

Last complete buckets: week 6–12 July, month June, quarter Q2; current buckets:
week 13–19 July (4 days left), July (16 days left), Q3 (77 days left). Window:
April–June, 91 days.
"""

from __future__ import annotations

import datetime as dt

import pytest
from test_coverage import records
from test_coverage_company import AS_OF, build, plan

from covermap.coverage.measure import measure_coverage
from covermap.coverage.worklist import UnknownFilterValue, check_filters, filter_worklist
from covermap.engine import buckets as bk
from covermap.store.connect import open_store

D = dt.date
BOTH = "last week failed (0 of 1); behind pace (0 so far, 4 days left)"
COLUMNS = ["account_id", "name", "state", "owner_id", "segment", "channel", "per", "by", "min",
           "count", "missing", "reason", "due_date", "value", "days_since_human_touch"]


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    with open_store(tmp_path_factory.mktemp("company") / "covermap.duckdb") as s:
        build(s)
        yield measure_coverage(s, plan(), as_of=AS_OF)


def test_buckets_around_as_of():
    assert bk.last_complete("week", AS_OF) == bk.Bucket("week", D(2026, 7, 6), D(2026, 7, 12))
    assert bk.current("week", AS_OF) == bk.Bucket("week", D(2026, 7, 13), D(2026, 7, 19))
    assert bk.last_complete("quarter", AS_OF).start == D(2026, 4, 1)
    # on the last day of a bucket, that bucket is complete and the next one is current
    assert bk.last_complete("month", D(2026, 6, 30)).start == D(2026, 6, 1)
    assert bk.current("month", D(2026, 6, 30)).start == D(2026, 7, 1)


def test_worklist_rows_and_ranking(result):
    wl = result.worklist
    assert list(wl.columns[:15]) == COLUMNS
    rows = records(wl)
    got = [tuple(r[c] for c in COLUMNS) for r in rows]
    # C1's June failed (0 of 1): below standard now (DESIGN.md), though July already has
    # its 1 touch
    assert got == [
        ("C1", "Cedar", "customer", "u1", "smb", "human", "month", "csm", 1, 1,
         "met this month", "last month failed (0 of 1)", D(2026, 7, 31), 100, 13),
        ("P2", "Palm", "customer", "u1", "smb", "human", "month", "csm", 1, 0,
         "1 human touch by csm this month", "behind pace (0 so far, 16 days left)",
         D(2026, 7, 31), 50, 30),
        ("N1", "Nutmeg", "prospect", "u1", "smb", "human", "week", None, 1, 0,
         "1 human touch this week", BOTH, D(2026, 7, 19), 10, None),
        # Q2 began before N1 existed, so only the pace of Q3 puts it here
        ("N1", "Nutmeg", "prospect", "u1", "smb", "digital", "quarter", None, 2, 0,
         "2 digital touches this quarter", "behind pace (0 so far, 77 days left)",
         D(2026, 9, 30), 10, None),
        ("P1", "Pine", "prospect", "u2", "ent", "human", "week", None, 1, 0,
         "1 human touch this week", BOTH, D(2026, 7, 19), None, 86),
        # Q2 passed (2 of 2); at 2 touches in 91 days, 77 days bring 1.69 < 2
        ("P1", "Pine", "prospect", "u2", "ent", "digital", "quarter", None, 2, 0,
         "2 digital touches this quarter", "behind pace (0 so far, 77 days left)",
         D(2026, 9, 30), None, 86),
    ]
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5, 6]
    expected = {(r["account_id"], r["per"]): r["expected"] for r in rows}
    assert expected[("P1", "week")] == pytest.approx(2 / 91 * 4)
    assert expected[("P1", "quarter")] == pytest.approx(2 / 91 * 77)
    assert expected[("P2", "month")] == pytest.approx(1 / 91 * 16)
    assert expected[("N1", "quarter")] == 0


def test_worklist_filters(result):
    def ids(**kw):
        rows = records(filter_worklist(result.worklist, **kw))
        return [(r["account_id"], r["per"]) for r in rows]

    assert ids(role="csm") == [("C1", "month"), ("P2", "month")]
    assert ids(role="anyone") == [("N1", "week"), ("N1", "quarter"), ("P1", "week"),
                                  ("P1", "quarter")]
    assert ids(role="executive") == []
    assert ids(owner="u2") == [("P1", "week"), ("P1", "quarter")]
    assert ids(segment="smb", state="customer") == [("C1", "month"), ("P2", "month")]


@pytest.mark.parametrize(("filters", "message"), [
    ({"state": "custmer"}, "unknown --state 'custmer'; did you mean 'customer'? The states "
                           "are: customer, prospect, target"),
    ({"role": "CSM"}, "unknown --role 'CSM'; did you mean 'csm'? The roles are: "
                      "account_executive, csm, executive, inside_sales, marketing, anyone"),
    ({"segment": "mid"}, "unknown --segment 'mid'. The segments are: ent, smb"),
    ({"owner": "u3"}, "unknown --owner 'u3'. The owners are: u1 (Ann), u2 (Bob)"),
    ({"owner": "Anne"}, "unknown --owner 'Anne'; did you mean 'Ann'? The owners are: "
                        "u1 (Ann), u2 (Bob)"),
])
def test_unknown_filter_values_list_the_valid_ones(result, filters, message):
    with pytest.raises(UnknownFilterValue) as e:
        check_filters(result.store, result.plan, **filters)
    assert str(e.value) == message


def test_an_owner_can_be_named(result):
    assert check_filters(result.store, result.plan, owner="Bob", state="prospect") == {
        "owner": "u2", "role": None, "segment": None, "state": "prospect"}
