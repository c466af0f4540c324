"""FAR scenarios: industrial plots only, global or per park, capped; files with errors naming the key."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from zgc_geo.errors import RulesError
from zgc_geo.export.worded import worded_cell
from zgc_geo.stock.scenario import (
    FarRule,
    PlotRatioScenario,
    check_parks,
    default_scenario,
    far_targets,
    scenario_from_file,
    scenario_table,
)

INDUSTRIAL = {"industrial", "industrial_m1", "industrial_m2", "industrial_m3"}


def targets(scenario: PlotRatioScenario, rows: list[tuple]) -> tuple[pd.Series, pd.Series]:
    """Targets of rows (far_current, far_permitted, land_use_class, park_id)."""
    frame = pd.DataFrame(rows, columns=["current", "permitted", "use", "park"])
    target, note = far_targets(
        scenario,
        far_current=frame["current"].astype(float),
        far_permitted=frame["permitted"].astype(float),
        land_use_class=frame["use"],
        park_id=frame["park"],
        industrial_classes=INDUSTRIAL,
    )
    return target, note.map(lambda n: worded_cell(n, "en"))  # the note as an English file shows it


def test_set_far_gives_the_new_permitted_far() -> None:
    target, note = targets(
        PlotRatioScenario("s", FarRule("set_far", 2.0)), [(0.8, 1.5, "industrial", "haidian")]
    )
    assert target.tolist() == [2.0]
    assert "set FAR 2" in note[0]


def test_increase_pct_raises_the_permitted_far_up_to_the_cap() -> None:
    scenario = PlotRatioScenario("plus50", FarRule("increase_pct", 50, cap_far=2.5))
    target, note = targets(scenario, [(0.8, 2.0, "industrial_m1", None), (0.8, 1.0, "industrial_m2", None)])
    assert target.tolist() == [2.5, 1.5]
    assert note[0].endswith("capped at 2.5")
    assert "capped" not in note[1]


def test_increase_pct_falls_back_to_the_current_far() -> None:
    scenario = PlotRatioScenario("plus50", FarRule("increase_pct", 50))
    target, note = targets(
        scenario, [(1.0, np.nan, "industrial", None), (np.nan, np.nan, "industrial", None)]
    )
    assert target.iloc[0] == pytest.approx(1.5)
    assert "current FAR (permitted FAR unknown)" in note[0]
    assert np.isnan(target.iloc[1])
    assert "no permitted or current FAR" in note[1]


def test_non_industrial_plots_keep_their_far_and_say_why() -> None:
    scenario = PlotRatioScenario("s", FarRule("set_far", 3.0))
    target, note = targets(scenario, [(1.0, 2.0, "commercial_business", None), (1.0, 2.0, None, None)])
    assert target.isna().all()
    assert note[0].startswith("Not industrial land (")  # the class by its name, as in any export
    assert "commercial_business" not in note[0] and "without change of use" in note[0]
    assert "Land-use class unknown" in note[1]


def test_per_park_override_applies_to_that_park_only() -> None:
    scenario = PlotRatioScenario(
        "s", FarRule("set_far", 2.0), {"haidian": FarRule("set_far", 3.5, cap_far=3.0)}
    )
    target, note = targets(
        scenario, [(1.0, 1.0, "industrial", "haidian"), (1.0, 1.0, "industrial", "changping")]
    )
    assert target.tolist() == [3.0, 2.0]
    assert "(Haidian Park)" in note[0]
    assert "(all industrial plots)" in note[1]


def test_unknown_current_far_is_noted() -> None:
    _, note = targets(PlotRatioScenario("s", FarRule("set_far", 2.0)), [(np.nan, 1.0, "industrial", None)])
    assert "current FAR unknown" in note[0]


def test_scenario_from_toml_and_json(tmp_path: Path) -> None:
    toml = tmp_path / "uplift.toml"
    toml.write_text(
        '[scenario]\nname = "uplift"\nmode = "increase_pct"\nvalue = 30\ncap_far = 3.0\n'
        '[scenario.parks.haidian]\nmode = "set_far"\nvalue = 3.5\n',
        encoding="utf-8",
    )
    scenario = scenario_from_file(toml)
    assert scenario == PlotRatioScenario(
        "uplift", FarRule("increase_pct", 30.0, 3.0), {"haidian": FarRule("set_far", 3.5)}
    )
    path = tmp_path / "uplift.json"
    path.write_text(json.dumps({"name": "j", "mode": "set_far", "value": 2}), encoding="utf-8")
    assert scenario_from_file(path).rule == FarRule("set_far", 2.0)


def test_scenario_errors_name_every_bad_key_at_once(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        '[scenario]\nmode = "double"\nvalue = -1\ncap = 2\n'
        '[scenario.parks.haidian]\nmode = "set_far"\nvalue = "x"\n',
        encoding="utf-8",
    )
    with pytest.raises(RulesError) as error:
        scenario_from_file(path)
    message = str(error.value)
    assert str(path) in message
    for key in (
        "scenario.mode",
        "scenario.value",
        "scenario.cap is not a scenario key",
        "scenario.parks.haidian.value",
    ):
        assert key in message


def test_unreadable_scenario_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="not found"):
        scenario_from_file(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[scenario\n", encoding="utf-8")
    with pytest.raises(RulesError, match="not valid TOML"):
        scenario_from_file(broken)


def test_overrides_must_name_real_parks() -> None:
    scenario = PlotRatioScenario("s", FarRule("set_far", 2.0), {"haidain": FarRule("set_far", 3.0)})
    with pytest.raises(RulesError, match="haidain"):
        check_parks(scenario, ["haidian", "changping"])


def test_default_scenario_is_todays_permitted_far() -> None:
    scenario = default_scenario()
    assert scenario.rule == FarRule("increase_pct", 0.0)
    assert scenario.park_rules == {}


def test_scenario_table_lists_every_scope() -> None:
    scenario = PlotRatioScenario("s", FarRule("increase_pct", 30, 3.0), {"haidian": FarRule("set_far", 3.5)})
    table = scenario_table(scenario)
    assert table["scope"].tolist() == ["global", "haidian"]
    assert table["rule"].tolist() == ["permitted FAR +30 %, cap 3", "set FAR 3.5"]
    assert np.isnan(table["cap_far"].iloc[1])  # no cap


def test_rules_built_in_code_are_checked_too() -> None:
    with pytest.raises(RulesError, match="mode = 'double' is not one of set_far, increase_pct"):
        FarRule("double", 1.0)
    with pytest.raises(RulesError, match="value = -1 is below 0"):
        FarRule("set_far", -1)
    with pytest.raises(RulesError, match="cap_far = 0 must be above 0"):
        FarRule("increase_pct", 10, cap_far=0)
