"""``zgc-geo site``: ranked candidates, suitability GeoTIFF, weights and AHP options, exit codes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyogrio
import pytest
import rasterio

from tests.siting.tied_plots import write_tied_plots
from zgc_geo.catalogue import layer_spec
from zgc_geo.cli import main

DEMO = str(layer_spec("demo_stock_inventory").path)


def test_site_writes_ranking_and_raster(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, tif = tmp_path / "ranked.gpkg", tmp_path / "suit.tif"
    args = ["site", "frontier_it", "--plots", DEMO, "--out", str(out), "--raster", str(tif)]
    assert main([*args, "--weights", "near_feature_parks=3,in_core_parks=2,near_parks=1"]) == 0
    printed = capsys.readouterr().out
    assert "near_feature_parks=0.50" in printed and "    1. demo-" in printed
    assert "weight changes" in printed  # the robustness verdict
    ranked = pyogrio.read_dataframe(out, layer="ranked")
    assert ranked["rank"].min() == 1 and {"score", "contrib_near_feature_parks"} <= set(ranked.columns)
    with rasterio.open(tif) as raster:
        assert raster.crs.to_epsg() == 4548 and raster.res == (30.0, 30.0)
        assert raster.profile["tiled"] and raster.profile["compress"] == "deflate"


def test_site_with_an_inconsistent_ahp_matrix_flags_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ahp = tmp_path / "ahp.csv"
    ahp.write_text(
        "factor,near_feature_parks,in_core_parks,near_parks\n"
        "near_feature_parks,1,9,1/9\n"
        "in_core_parks,1/9,1,9\n"
        "near_parks,9,1/9,1\n",
        encoding="utf-8",
    )
    out = tmp_path / "r.csv"
    assert main(["site", "bio_health", "--plots", DEMO, "--out", str(out), "--ahp", str(ahp)]) == 0
    assert "INCONSISTENT — CR > 0.1" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--weights", "near_parks=x"], "--weights entry 'near_parks=x' is not name=number"),
        (["--weights", "speed=1"], "weights do not match the factors"),
        (["--weights", "near_parks=1", "--ahp", "a.csv"], "give either --weights or --ahp"),
    ],
)
def test_bad_options_exit_2_or_1_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    code = main(["site", "frontier_it", "--plots", DEMO, "--out", str(tmp_path / "o.gpkg"), *extra])
    assert code in (1, 2)
    assert message in capsys.readouterr().err


def test_extra_distance_layer_and_exclusion(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stations = tmp_path / "stations.geojson"
    stations.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"中关村"},'
        '"geometry":{"type":"Point","coordinates":[116.3104,39.9827]}}]}',
        encoding="utf-8",
    )
    haidian = tmp_path / "no_go.geojson"
    haidian.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"x"},'
        '"geometry":{"type":"Polygon","coordinates":[[[116.0,39.9],[116.4,39.9],[116.4,40.2],[116.0,40.2],[116.0,39.9]]]}}]}',
        encoding="utf-8",
    )
    out = tmp_path / "r.gpkg"
    args = ["site", "frontier_it", "--plots", DEMO, "--out", str(out), "--distance-layer", str(stations)]
    assert main([*args, "--exclude", str(haidian)]) == 0
    capsys.readouterr()
    ranked = pyogrio.read_dataframe(out, layer="r")
    assert "contrib_user_distance" in ranked.columns
    excluded = ranked[ranked["plot_id"].str.startswith("demo-haidian")]
    assert not excluded["eligible"].any()
    assert ranked.loc[ranked["eligible"], "rank"].max() < excluded["rank"].min()


def test_tied_plots_share_a_rank_and_are_marked_tied(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """14 plots saturate every factor and score 100: rank 1 each, a `tied` column, and the reason."""
    plots = write_tied_plots(tmp_path)
    out = tmp_path / "ranked.gpkg"
    assert main(["site", "frontier_it", "--plots", str(plots), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    ranked = pyogrio.read_dataframe(out, layer="ranked")
    assert {"rank", "tied", "score", "plot_id"} <= set(ranked.columns)  # the contract's names kept
    top = ranked[ranked["plot_id"].isin([f"BJ-000{k}" for k in range(101, 115)])]
    assert len(top) == 14 and (top["rank"] == 1).all() and top["tied"].astype(bool).all()
    rest = ranked.drop(top.index).sort_values("rank")
    assert rest["rank"].iloc[0] == 15 and not rest["tied"].astype(bool).any()  # 1, 1, … 15: competition
    assert printed.count("    1. BJ-0001") == 10 and "… and 4 more tied at rank 1" in printed
    assert "14 plots score the same (100.0) and share rank 1" in printed
    assert "all within 500 m (full marks)" in printed
    assert "robust" not in printed.split("cannot pick a top 10")[0].splitlines()[-1]
    assert "14 candidates tie at rank 1, more than the top 10 places" in printed


@pytest.mark.parametrize(
    ("lang", "suffix", "name"), [("zh", ".xlsx", "排除区"), ("en", ".gpkg", "exclusion zone")]
)
def test_failed_constraints_are_exported_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str, suffix: str, name: str
) -> None:
    """The analysis keeps constraint codes; files carry their names in the file's language."""
    no_go = tmp_path / "no_go.geojson"
    no_go.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"x"},"geometry":'
        '{"type":"Polygon","coordinates":[[[116.30,39.96],[116.33,39.96],[116.33,39.98],[116.30,39.98],'
        "[116.30,39.96]]]}}]}",
        encoding="utf-8",
    )
    out = tmp_path / f"ranked{suffix}"
    args = ["site", "frontier_it", "--plots", str(write_tied_plots(tmp_path)), "--out", str(out)]
    assert main([*args, "--exclude", str(no_go), "--lang", lang]) == 0
    assert "fails: exclusion zone" in capsys.readouterr().out
    if suffix == ".xlsx":
        values = [str(v) for v in pd.read_excel(out, sheet_name=0).to_numpy().ravel()]
    else:
        values = [str(v) for v in pyogrio.read_dataframe(out, layer="ranked")["failed_constraints"]]
    assert name in values and not any("exclusion_zone" in v for v in values)


def test_candidates_without_names_are_ranked_by_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An inventory with no name column is common (a bureau's export of ids and geometry only)."""
    demo = pyogrio.read_dataframe(DEMO)
    unnamed = tmp_path / "unnamed.geojson"
    pyogrio.write_dataframe(demo.drop(columns=["name"]).head(40), unnamed)
    out = tmp_path / "ranked.gpkg"
    assert main(["site", "frontier_it", "--plots", str(unnamed), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "    1. demo-" in printed and "<NA>" not in printed and "nan" not in printed
    assert len(pyogrio.read_dataframe(out, layer="ranked")) == 40
