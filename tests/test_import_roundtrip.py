"""Property: whatever text a CSV holds comes back from the store unchanged, and importing
the same file again changes nothing."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from covermap.importing import import_paths
from covermap.store.connect import open_store

# Any Unicode text a UTF-8 file can hold, except NUL. Empty text is left out: CSV
# cannot tell an empty value from a missing one, and both load as NULL.
texts = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1,
                max_size=40)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(st.tuples(texts, texts), min_size=1, max_size=8))
def test_text_round_trips(values):
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "accounts.csv"
        with f.open("w", encoding="utf-8", newline="") as out:
            w = csv.writer(out)
            w.writerow(["account_id", "name", "industry", "region"])
            for i, (industry, region) in enumerate(values):
                w.writerow([f"A{i}", f"name {i}", industry, region])
        with open_store(Path(d) / "s.duckdb") as s:
            report = import_paths(s, [f])
            assert (report.loaded, report.quarantined) == (len(values), 0)
            got = s.duckdb.execute("SELECT industry, region FROM accounts "
                                   "ORDER BY CAST(substr(account_id, 2) AS INT)").fetchall()
            assert got == values
            again = import_paths(s, [f])
            assert again.loaded == len(values)
            assert s.duckdb.execute("SELECT industry, region FROM accounts ORDER BY "
                                    "CAST(substr(account_id, 2) AS INT)").fetchall() == values
