"""Every command the README's "Using it on your own data" shows, and every command in the
comments of examples/*.yaml, runs as written (issue 7, point 10).

Each source's commands run in order, in a fresh working folder that holds the
repository's ``tests/`` and ``examples/`` (as a fresh clone does), through the CLI
itself; each must exit 0 and print the number a user would check. A command with no
expectation here fails the test, so a new example cannot go untested.
"""

from __future__ import annotations

import csv
import re
import shlex
from pathlib import Path

import pytest

from covermap.cli.main import app

ROOT = Path(__file__).parents[1]
README = ROOT / "README.md"

#: (a part of the command, a regular expression its output must match)
EXPECTED = [
    # 29,449 rows: account teams hold marketing members since issue 10 (covermap team)
    ("sample --accounts 500", r"total\s*│\s*29,449"),
    ("init plan.yaml", r"Wrote plan\.yaml"),
    ("import exports/ --store crm.duckdb --dry-run",
     r"In total 29,449 rows would load and 0 be quarantined"),
    ("import exports/ --store crm.duckdb", r"total\s*│[\s│]*29,449\s*│\s*29,449\s*│\s*0"),
    ("status --store crm.duckdb", r"activities\s*│\s*23,537"),
    ("plan check plan.yaml --store crm.duckdb", r"plan\.yaml: valid"),
    ("coverage --store crm.duckdb --by state", r"Total\s*│\s*500\s*│"),
    # the sample's 500 accounts: 8 are subsidiaries, so 492 groups
    ("coverage --store crm.duckdb --by group", r"492 groups, largest first; 472 more"),
    ("worklist --store crm.duckdb --owner USR-00003", r"[1-9][0-9,]* entries below standard now"),
    ("map --store crm.duckdb --export results/", r"over 35 won deals"),
    ("report --store crm.duckdb --out report.html", r"Report: report\.html"),
    # the sample's capacity and assignment (numbers worked out in examples/sample-capacity.yaml)
    ("capacity segments --store crm.duckdb", r"smb\s*│\s*262\s*│\s*84\s*│\s*1,211,900\s*│"),
    ("capacity --store crm.duckdb --plan examples/sample-capacity.yaml --scenario",
     r"Bottom-up,\s+the\s+base\s+needs\s+0\.71\s+csm\s+against\s+2\.00\s+in\s+place\s+"
     r"\(1\.29\s+spare\);\s+Enterprise\s+grows\s+20%\s+0\.80"),
    ("assign --role csm --store crm.duckdb",  # people shown by name and id
     r"157\s+accounts,\s+2\s+people;\s+0\s+moved[\s\S]*[A-Z][a-z]+ [A-Z][a-z]+ \(USR-\d{5}\)"),
    # Maven, with or without a plan: 7,375 deals load, 1,425 have no account
    ("maven-crm-sales-opportunities --store maven.duckdb",
     r"sales_pipeline\.csv\s*│\s*deals\s*│\s*utf-8\s*│\s*8,800\s*│\s*7,375\s*│\s*1,425"),
    ("maven-crm-sales-opportunities --plan examples/maven-crm-map.yaml",
     r"sales_pipeline\.csv\s*│\s*deal_lines\s*│\s*utf-8\s*│\s*8,800\s*│\s*7,375"
     r"\s*│\s*1,425"),
    ("maven-crm-sales-opportunities --plan examples/maven-crm-plan.yaml",
     r"accounts\.csv\s*│\s*accounts\s*│\s*utf-8\s*│\s*85\s*│\s*85\s*│\s*0"),
    ("map --plan examples/maven-crm-map.yaml",
     r"USD 10,005,534 over 4,238 won deals \(in cells USD 10,005,534, unplaced USD 0\)"),
    # apex: every record twice; the CSV copies are quarantined, each deal counted once
    ("salesforce-apex-recipes --plan",
     r"Opportunities\.json\s*│\s*deals\s*│\s*utf-8\s*│\s*50\s*│\s*50\s*│\s*0(.*\n)*"
     r"250 rows quarantined"),
    ("status --store apex.duckdb", r"deals\s*│\s*50\s*│"),
    # lwc: the report export's six contacts are Contacts.json's
    ("salesforce-lwc-recipes --plan", r"Accounts-Contacts\.csv\s*│\s*contacts\s*│\s*utf-8-sig"
                                      r"\s*│\s*14\s*│\s*0\s*│\s*14"),
    ("status --store lwc.duckdb", r"contacts\s*│\s*6\s*│"),
]


def readme_commands() -> list[str]:
    """The commands in the sh blocks of the README's "Using it on your own data"."""
    text = README.read_text("utf-8")
    section = text[text.index("## Using it on your own data"):]
    section = section[: section.index("\n## ", 1)]
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", section, flags=re.S):
        for line in block.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line:
                commands.append(line)
    return commands


def example_commands(path: Path) -> list[str]:
    """The commands in a plan's comments (``#   covermap ...``, with ``\\`` continuations)."""
    commands, current = [], None
    for line in path.read_text("utf-8").splitlines():
        text = line.lstrip("#").strip()
        if current is not None:
            current += " " + text.rstrip("\\").strip()
        elif re.match(r"#\s{3,}covermap ", line):  # indented: a command, not prose
            current = text.rstrip("\\").strip()
        else:
            continue
        if not text.endswith("\\"):
            commands.append(current)
            current = None
    return commands


SOURCES = {"README.md": readme_commands()} | {
    f"examples/{p.name}": example_commands(p) for p in sorted((ROOT / "examples").glob("*.yaml"))}


def test_every_example_plan_shows_a_command():
    assert all(SOURCES.values()), {k: v for k, v in SOURCES.items() if not v}
    assert len(SOURCES["README.md"]) == 14


@pytest.mark.parametrize("source", list(SOURCES))
def test_commands_run_as_written(source, runner, tmp_path, monkeypatch):
    for name in ("tests", "examples"):
        (tmp_path / name).symlink_to(ROOT / name)
    monkeypatch.chdir(tmp_path)
    for command in SOURCES[source]:
        words = shlex.split(command)
        assert words[0] == "covermap", command
        expected = [e for part, e in EXPECTED if part in command]
        assert expected, f"no expectation for {command!r} ({source}): add one to EXPECTED"
        result = runner.invoke(app, words[1:])
        assert result.exit_code == 0, f"{command}\n{result.output}"
        assert re.search(expected[0], result.output), f"{command}\n{result.output}"
    if source == "README.md":
        assert (tmp_path / "report.html").stat().st_size > 10_000
        with (tmp_path / "worklist.csv").open(encoding="utf-8") as f:
            owners = {row["owner_id"] for row in csv.DictReader(f)}
        assert owners == {"USR-00003"}
