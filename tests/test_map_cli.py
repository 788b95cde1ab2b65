"""`covermap map` through Typer's runner on a real DuckDB file (fixture: tests/test_map_data.py)."""

from __future__ import annotations

import csv
from pathlib import Path

from covermap.cli.main import app
from covermap.map.measure import CELL_COLUMNS


def run(runner, *args: str):
    return runner.invoke(app, ["map", *args])


def read(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def test_grid_rows_run_high_to_low_with_intended_channels(runner, map_files):
    store, plan = map_files
    result = run(runner, "--store", str(store), "--plan", str(plan), "--as-of", "2026-03-31")
    assert result.exit_code == 0, result.output
    out = result.output
    lines = out.splitlines()
    header = next(line for line in lines if "Simple" in line and "Customised" in line)
    assert header.index("Simple") < header.index("Bundled") < header.index("Customised")
    high, medium, low = (next(i for i, line in enumerate(lines) if line.startswith(f"│ {t} "))
                         for t in ("high", "medium", "low"))
    assert high < medium < low
    assert "USD 1,000 (40.0%)" in lines[high] and "USD 600 (24.0%)" in lines[high]
    assert "USD 500 (20.0%)" in lines[medium] and "USD 400 (16.0%)" in lines[low]
    assert "→ inside_sales  #1" in lines[high + 1]
    assert "→ partner  #4" in lines[low + 1]
    assert ("│ Reason                     ┃ Won lines ┃ Won revenue ┃ Deals open in window ┃"
            .replace("│", "┃") in out)
    assert "│ unknown product complexity │         2 │     USD 780 │                    3 │" in out
    assert "│ no exchange rate for SEK   │         1 │             │                    1 │" in out
    # 1000 + 600 + 500 + 400 placed; 780 + 300 unplaced; the SEK line has no rate
    assert ("Won revenue 2026-01-01 – 2026-03-31: USD 3,580 over 9 won deals (in cells "
            "USD 2,500, unplaced USD 1,080); 1 won line has no exchange rate and is not in "
            "the total") in out
    assert ("1. Simple products, high-value customers: largest revenue (40.0% of mapped "
            "revenue), USD 1,714 per human-touch hour (highest), win rate 50.0% (low), median "
            "cycle 30 days") in out


def test_by_misaligned_shows_the_misaligned_share(runner, map_files):
    store, plan = map_files
    result = run(runner, "--store", str(store), "--plan", str(plan), "--as-of", "2026-03-31",
                 "--by", "misaligned")
    assert result.exit_code == 0, result.output
    assert "misaligned revenue (share)" in result.output
    assert "USD 500 (100.0%)" in result.output


def test_export_writes_the_three_tables_with_exact_headers(runner, map_files, tmp_path):
    store, plan = map_files
    out = tmp_path / "results"
    result = run(runner, "--store", str(store), "--plan", str(plan), "--as-of", "2026-03-31",
                 "--window-months", "3", "--export", str(out))
    assert result.exit_code == 0, result.output
    cells = read(out / "map_cells.csv")
    assert cells[0] == list(CELL_COLUMNS)
    assert len(cells) == 10
    assert cells[1] == ["simple", "high", "inside_sales", "1000.0", "0.4", "1", "3", "1", "2",
                        "0.5", "1000.0", "30.0", "35.0", "0.0", "1"]
    assert cells[2] == ["simple", "medium", "online", "0.0", "0.0", "0", "0", "0", "0", "", "",
                        "", "", "0.0", ""]
    assert read(out / "map_channels.csv")[0] == ["complexity", "value", "channel", "revenue",
                                                 "deals"]
    assert read(out / "map_unplaced.csv") == [
        ["reason", "lines", "revenue", "deals"],
        ["unknown product complexity", "2", "780.0", "3"],
        ["no exchange rate for SEK", "1", "", "1"],
        ["no value measure", "1", "300.0", "1"],
    ]


def test_cell_drill_down_prints_and_exports(runner, map_files, tmp_path):
    store, plan = map_files
    out = tmp_path / "drill"
    result = run(runner, "--store", str(store), "--plan", str(plan), "--as-of", "2026-03-31",
                 "--cell", "customised/low", "--export", str(out))
    assert result.exit_code == 0, result.output
    assert "Won deals in customised/low, 2026-01-01 – 2026-03-31" in result.output
    row = "│ Gamma (A3) │ D12  │ Bespoke  │ USD 250 │         │ partner          │ 2026-03-05 │"
    assert row in result.output
    for empty in ("nan", "None", "NaT", "—"):  # an empty value is an empty cell
        assert empty not in result.output
    assert read(out / "map_cell_customised_low.csv") == [
        ["account_id", "account", "deal_id", "deal", "products", "revenue", "channel",
         "intended_channel", "close_date"],
        ["A3", "Gamma", "D12", "", "Bespoke", "250.0", "", "partner", "2026-03-05"],
        ["A3", "Gamma", "D13", "", "Platform", "150.0", "partner", "partner", "2026-03-03"],
    ]


def test_bad_cell_and_missing_store_are_one_red_line(runner, map_files, tmp_path):
    store, plan = map_files
    result = run(runner, "--store", str(store), "--plan", str(plan), "--cell", "huge/high")
    assert result.exit_code == 1
    assert "Error: no cell 'huge/high'; a cell is COMPLEXITY/VALUE, one of: simple/low" in \
        result.output
    missing = tmp_path / "nowhere.duckdb"
    result = run(runner, "--store", str(missing), "--plan", str(plan))
    assert result.exit_code == 1
    assert f"Error: {missing}: no store here yet" in result.output


def test_help_says_a_value_on_a_threshold_is_in_the_higher_tier(runner):
    result = runner.invoke(app, ["map", "--help"], terminal_width=200)
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "a value exactly on a threshold belongs to the higher tier" in text
    for option in ("--by", "--as-of", "--window-months", "--export", "--cell", "--store",
                   "--plan"):
        assert option in text
