"""Benchmark `covermap plan check` on hostile and huge plans (issue 8, points 9 and 11).

    python benchmarks/bench_plan.py

Each plan is checked in its own process: the largest legal plan of states covermap
accepts, an alias bomb, YAML nested 10,000 deep and a rule of 10,000 nested parentheses.
Every one should pass or fail within a second or two (plus the CLI's start-up).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from measure import Measurement, measure  # noqa: E402


def plans() -> dict[str, str]:
    """Plan texts by name."""
    states = ["states:"]
    for i in range(1700):  # just under the 50,000-value limit
        states += [f"  - id: s{i}", f"    label: {{en: State {i}}}",
                   f"    rule: is_customer and months_as_customer >= {i % 40}",
                   "    owners: [csm]", "    standard:",
                   "      - {channel: human, min: 1, per: month, by: [csm]}"]
    bomb = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
        f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi"))
    rule = "(" * 10_000 + "is_customer" + ")" * 10_000
    return {"1,700 states": "\n".join(states) + "\n", "alias bomb": bomb,
            "YAML 10,000 deep": "name:\n  " + "- " * 10_000 + "x\n",
            "rule 10,000 deep": f"states:\n  - id: a\n    label: {{en: A}}\n    rule: {rule}\n"}


def steps(workdir: Path) -> list[Measurement]:
    """Time `covermap plan check` on each plan."""
    out = [measure("covermap --version", [sys.executable, "-m", "covermap", "--version"],
                   note="start-up, the baseline of every row")]
    for name, text in plans().items():
        path = workdir / f"{name.replace(' ', '-').replace(',', '')}.yaml"
        path.write_text(text, "utf-8")
        out.append(measure(f"plan check: {name}", [sys.executable, "-m", "covermap", "plan",
                                                   "check", str(path)],
                           note=f"{len(text.encode()):,} bytes", allow_failure=True))
    return out


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="covermap-bench-plan-"))
    try:
        for m in steps(work):
            print(f"{m.step:32s} {m.seconds:6.2f} s  peak {m.peak_mib:,.0f} MiB  {m.note}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
