"""A pytest plugin (registered in tests/conftest.py): at the end of a run, the cases the
fuzz tests (tests/test_fuzz_*.py) generated, per layer and in all, with their seconds.

Each fuzz test records ``fuzz_cases`` and ``fuzz_layer`` with ``record_property``; those
travel from xdist workers to the controller with the test's report, so the summary is
right with ``-n auto`` too. Only tests that passed are counted.
"""

from __future__ import annotations


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    rows = []
    for report in terminalreporter.stats.get("passed", []):
        if report.when != "call":
            continue
        props = dict(report.user_properties)
        if "fuzz_cases" in props:
            rows.append((props["fuzz_layer"], props["fuzz_cases"], report.duration,
                         props.get("fuzz_detail", "")))
    if not rows:
        return
    terminalreporter.section("fuzz cases (issue 15, point 2)")
    for layer, n, seconds, detail in sorted(rows):
        extra = f" ({detail})" if detail else ""
        terminalreporter.write_line(f"{layer:<10} {n:>7,} cases {seconds:7.1f} s{extra}")
    total = sum(n for _, n, _, _ in rows)
    seconds = sum(s for _, _, s, _ in rows)
    terminalreporter.write_line(f"{'all':<10} {total:>7,} cases {seconds:7.1f} s")
