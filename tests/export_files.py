"""The files each analysis's ``--export`` writes, for the tests that compare backends."""

EXPORTS = {
    "coverage": ["coverage_accounts.csv", "coverage_checks.csv", "coverage_depth.csv",
                 "coverage_summary.csv", "transitions.csv", "worklist.csv"],
    "map": ["map_cells.csv", "map_channels.csv", "map_unplaced.csv"],
    "team": ["team_accounts.csv", "team_effort.csv", "team_findings.csv",
             "team_followed.csv", "team_handoffs.csv", "team_summary.csv"],
    "value": ["value_accounts.csv", "value_content.csv", "value_content_stages.csv",
              "value_persona_stages.csv", "value_summary.csv", "value_touches.csv"],
    "capacity": ["capacity_reality.csv", "capacity_segments.csv", "capacity_summary.csv"],
}
