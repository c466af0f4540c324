"""The synthetic demo inventory: reproducible from its seed, plausible, labelled, and importable."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely

from zgc_geo.catalogue import layer_spec, load_layer
from zgc_geo.crs import ANALYSIS_CRS, M2_PER_HA
from zgc_geo.importing.land_use import load_vocabulary
from zgc_geo.importing.pipeline import ImportOptions, import_file

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "layers" / "demo_stock_inventory.geojson"
DATA_NOTE = "合成示例数据，非真实地块 / synthetic demo data, not real plots"


@pytest.fixture(scope="module")
def tool() -> ModuleType:
    """The generator script, imported by path."""
    path = REPO / "tools" / "make_demo_inventory.py"
    spec = importlib.util.spec_from_file_location("make_demo_inventory", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def demo() -> gpd.GeoDataFrame:
    """The committed file as read by pyogrio, untyped by the catalogue."""
    return pyogrio.read_dataframe(DEMO, encoding="UTF-8")


@pytest.fixture(scope="module")
def parks() -> gpd.GeoDataFrame:
    return load_layer("parks").set_index("park_id")


def test_same_seed_regenerates_the_committed_file(
    tool: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "demo.geojson"
    assert tool.main(["--out", str(out), "--seed", str(tool.DEFAULT_SEED)]) == 0
    assert f"seed {tool.DEFAULT_SEED}" in capsys.readouterr().out
    assert out.read_bytes() == DEMO.read_bytes(), (
        "the committed demo inventory is stale: run python tools/make_demo_inventory.py"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["demo.geojson"]  # no temporary file left behind
    assert f"seed {tool.DEFAULT_SEED}" in layer_spec("demo_stock_inventory").source


def test_another_seed_gives_other_plots(tool: ModuleType, parks: gpd.GeoDataFrame) -> None:
    frame = parks.reset_index()
    other = tool.make_inventory(frame, seed=tool.DEFAULT_SEED + 1, count=100)
    assert len(other) == 100 and (other["park_id"].value_counts() >= 5).all()
    assert not other.geometry.geom_equals(tool.make_inventory(frame, count=100).geometry).all()


def test_file_is_rfc7946_and_small(demo: gpd.GeoDataFrame) -> None:
    assert DEMO.stat().st_size < 300_000
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    assert "crs" not in data and data["type"] == "FeatureCollection"
    rings = [f["geometry"]["coordinates"][0] for f in data["features"]]
    assert all(ring[0] == ring[-1] and len(ring) == 5 for ring in rings)  # closed quadrilaterals
    assert all(len(str(c).split(".")[1]) <= 6 for ring in rings for xy in ring for c in xy)
    assert shapely.is_ccw(shapely.get_exterior_ring(demo.geometry.to_numpy())).all()
    assert shapely.is_valid(demo.geometry.to_numpy()).all()


def test_plots_spread_over_every_park(demo: gpd.GeoDataFrame, parks: gpd.GeoDataFrame) -> None:
    assert 250 <= len(demo) <= 350
    counts = demo["park_id"].value_counts()
    assert set(counts.index) == set(parks.index)
    assert (counts >= 5).all(), counts[counts < 5]
    assert demo["plot_id"].is_unique
    assert demo["plot_id"].str.fullmatch(r"demo-[a-z_]+-\d{3}").all()
    assert (demo["plot_id"].str.split("-").str[1] == demo["park_id"]).all()


def test_every_plot_lies_inside_its_park_and_apart_from_the_others(
    demo: gpd.GeoDataFrame, parks: gpd.GeoDataFrame
) -> None:
    geoms = demo.geometry.to_numpy()
    claimed = parks.geometry.to_crs(demo.crs).loc[demo["park_id"]].to_numpy()
    outside = ~shapely.within(geoms, claimed)
    assert not outside.any(), demo.loc[outside, "plot_id"].tolist()
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    pairs = [(demo["plot_id"][a], demo["plot_id"][b]) for a, b in zip(left, right, strict=True) if a < b]
    assert pairs == []


def test_sizes_are_realistic(demo: gpd.GeoDataFrame) -> None:
    hectares = demo.geometry.to_crs(ANALYSIS_CRS).area / M2_PER_HA
    assert hectares.between(0.3, 15.0).all(), hectares.describe()
    assert 1.0 <= hectares.median() <= 3.0
    # Rotated by random angles: far from every plot being axis-aligned.
    ring = shapely.get_coordinates(demo.to_crs(ANALYSIS_CRS).geometry.iloc[:50].exterior.to_numpy())
    edges = np.diff(ring.reshape(50, 5, 2), axis=1)
    angles = np.degrees(np.arctan2(edges[..., 1], edges[..., 0])) % 90
    assert ((angles > 5) & (angles < 85)).mean() > 0.5


def test_every_plot_is_labelled_synthetic(demo: gpd.GeoDataFrame) -> None:
    assert demo["name"].str.startswith("【示例】").all()
    assert demo["synthetic"].dtype == bool and demo["synthetic"].all()
    assert (demo["data_note"] == DATA_NOTE).all()
    owners = demo["owner"].dropna()
    assert owners.str.fullmatch(r"示例实业有限公司 \d+").all()
    assert 0.02 <= demo["owner"].isna().mean() <= 0.08


def test_attributes_have_the_intended_mix(demo: gpd.GeoDataFrame) -> None:
    assert set(demo["status"]) == {"闲置", "低效", "停产", "在产未达标", "已批未供"}
    assert set(demo["land_rights"]) == {"国有", "集体"}
    assert 0.10 <= (demo["land_rights"] == "集体").mean() <= 0.20
    assert {"M1", "M2", "0601", "100101", "100102", "W1", "A35"} == set(demo["land_use_code"])
    assert demo["land_use_code"].isin(["M1", "M2"]).mean() > 0.5
    empty = demo["far_current"] == 0
    assert 0.10 <= empty.mean() <= 0.20
    assert demo.loc[~empty, "far_current"].between(0.2, 1.6).all()
    assert demo["far_permitted"].between(1.0, 3.5).all()
    assert (demo["far_permitted"] >= demo["far_current"]).mean() > 0.9
    assert demo["idle_since"].between(2008, 2024).all() and demo["idle_since"].dtype.kind == "i"
    for column, (low, high) in {"output_per_mu_wan": (50, 1500), "tax_per_mu_wan": (2, 120)}.items():
        values = demo[column]
        assert 0.15 <= values.isna().mean() <= 0.25
        assert values[values > 0].between(low, high).all()
        assert (values[demo["status"].isin(["闲置", "停产", "已批未供"]) | empty].dropna() == 0).all()


def test_imports_cleanly_through_the_pipeline(demo: gpd.GeoDataFrame) -> None:
    result = import_file(DEMO, ImportOptions(kind="plots"))
    assert result.report.errors == [], [str(p) for p in result.report.errors]
    assert result.verdict.startswith("USABLE")
    frame = result.frame
    assert frame is not None and len(frame) == len(demo)
    known = frame["land_use_code"].str.upper().isin(set(load_vocabulary().by_code))
    assert known.all()
    assert frame.loc[known, "land_use_class"].notna().all()
    assert set(frame["land_use_class"]) >= {
        "industrial_m1",
        "industrial_m2",
        "logistics_warehouse",
        "research",
    }
    assert (frame["park_id"] == demo["park_id"]).all()
    assert set(frame["land_rights"]) == {"state", "collective"}
    # Floor areas are consistent with area × FAR, so the report carries no note about them.
    assert "floor_area_inconsistent" not in {p.code for p in result.report.problems}
    assert not {"plots_overlap", "area_mismatch", "park_unknown"} & {p.code for p in result.report.problems}


def test_catalogue_loads_it() -> None:
    layer = load_layer("demo_stock_inventory")
    assert len(layer) == len(pyogrio.read_dataframe(DEMO))
    assert layer["far_current"].dtype == float and layer["synthetic"].all()
    spec = layer_spec("demo_stock_inventory")
    assert "synthetic" in spec.source and "synthetic" in spec.licence
