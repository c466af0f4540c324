"""The bulk fast path gives the same answers as plain GeoPandas, only faster."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon

from zgc_geo import projection
from zgc_geo.crs import ANALYSIS_CRS
from zgc_geo.errors import CRSError, LayerError
from zgc_geo.stock import bulk

from . import X0, Y0, layer, square


def bowtie(x: float, y: float, size: float = 100.0) -> Polygon:
    """A self-intersecting quadrilateral: two triangles of size²/4 each."""
    return Polygon(
        [(X0 + x, Y0 + y), (X0 + x + size, Y0 + y + size), (X0 + x + size, Y0 + y), (X0 + x, Y0 + y + size)]
    )


def test_read_plots_round_trips_a_geopackage(tmp_path: Path) -> None:
    frame = layer({"plot_id": ["a", "b"], "far_current": [0.8, 1.5]}, [square(0, 0), square(500, 0)])
    path = tmp_path / "plots.gpkg"
    frame.to_file(path, layer="plots")
    read = bulk.read_plots(path, layer="plots")
    assert list(read["plot_id"]) == ["a", "b"]
    assert read["far_current"].tolist() == [0.8, 1.5]
    assert read.crs.equals(frame.crs)
    assert shapely.equals_exact(read.geometry.to_numpy(), frame.geometry.to_numpy(), tolerance=1e-9).all()


def test_read_plots_refuses_a_table_without_geometry(tmp_path: Path) -> None:
    path = tmp_path / "table.csv"
    path.write_text("plot_id,far\na,1\n", encoding="utf-8")
    with pytest.raises(LayerError, match="no geometry"):
        bulk.read_plots(path)


def test_repair_only_touches_invalid_polygons() -> None:
    valid = square(0, 0)
    geoms = np.array([valid, bowtie(200, 0), None], dtype=object)
    repaired = bulk.repair_polygons(geoms)
    assert repaired[0] is valid
    assert isinstance(repaired[1], MultiPolygon)
    assert repaired[1].is_valid
    assert repaired[1].area == pytest.approx(2 * 100 * 100 / 4)
    assert repaired[2] is None
    assert not shapely.is_valid(geoms[1])  # the input is not modified


def test_repair_keeps_only_polygonal_parts() -> None:
    spike = Polygon([(0, 0), (10, 0), (10, 10), (0, 10), (0, 0), (-5, 0), (0, 0)])
    repaired = bulk.repair_polygons(np.array([spike], dtype=object))
    assert shapely.get_type_id(repaired).tolist() == [3]
    assert repaired[0].area == pytest.approx(100)


def test_projection_matches_geopandas_for_every_geometry_kind() -> None:
    holed = Polygon(square(0, 0, 300).exterior.coords, [square(100, 100).exterior.coords])
    multi = MultiPolygon([square(1000, 0), square(1200, 0)])
    metric = gpd.GeoSeries([square(0, 0), holed, multi, None, Polygon()], crs=ANALYSIS_CRS)
    lonlat = metric.to_crs(4326)
    projected = bulk.project_geometries(lonlat.to_numpy(), lonlat.crs)
    expected = lonlat.to_crs(ANALYSIS_CRS).to_numpy()
    present = ~shapely.is_missing(expected)
    # the same numbers, bit for bit: the importer's outlines and the analysis's must not differ
    assert shapely.equals_exact(projected[present], expected[present], tolerance=0).all()
    assert projected[3] is None


def test_projection_in_blocks_gives_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    geoms = layer({}, [square(i * 150.0, 0) for i in range(50)]).geometry
    whole = bulk.project_geometries(geoms.to_numpy(), geoms.crs)
    monkeypatch.setattr(projection, "BLOCK", 7)
    blocks = bulk.project_geometries(geoms.to_numpy(), geoms.crs)
    assert shapely.equals_exact(whole, blocks, tolerance=0).all()


def test_to_metric_requires_a_crs_and_keeps_attributes() -> None:
    frame = layer({"plot_id": ["a"]}, [square(0, 0)])
    metric = bulk.to_metric(frame)
    assert metric.crs.equals(ANALYSIS_CRS)
    assert metric["plot_id"].tolist() == ["a"]
    assert metric.area.iloc[0] == pytest.approx(10_000, rel=1e-6)
    assert bulk.to_metric(metric) is metric
    with pytest.raises(CRSError):
        bulk.to_metric(gpd.GeoDataFrame({"plot_id": ["a"]}, geometry=[square(0, 0)]))


def test_assign_parks_by_representative_point() -> None:
    courtyard = square(400, 400, 200)
    west = Polygon(square(0, 0, 1000).exterior.coords, [courtyard.exterior.coords])
    parks = gpd.GeoDataFrame(
        {"park_id": ["west", "east", "east_again"]},
        geometry=[west, square(1000, 0, 1000), square(1000, 0, 1000)],
        crs=ANALYSIS_CRS,
    )
    # A ring-shaped plot around the park's courtyard: its centroid is in the courtyard (no park),
    # its representative point on the plot itself, in the west park.
    ring = Polygon(square(350, 350, 300).exterior.coords, [square(380, 380, 240).exterior.coords])
    assert not parks.contains(ring.centroid).any()
    plots = gpd.GeoSeries(
        [square(100, 100), square(1500, 100), square(5000, 0), ring, None], crs=ANALYSIS_CRS
    )
    assert bulk.assign_parks(plots, parks).tolist() == ["west", "east", None, "west", None]


def test_assign_parks_refuses_mixed_crs() -> None:
    parks = gpd.GeoDataFrame({"park_id": ["p"]}, geometry=[square(0, 0, 1000)], crs=ANALYSIS_CRS)
    with pytest.raises(CRSError):
        bulk.assign_parks(gpd.GeoSeries([square(0, 0)], crs=4326), parks)


def test_park_sums_equal_a_pandas_groupby() -> None:
    rng = np.random.default_rng(1)
    ids = rng.choice(np.array(["a", "b", None], dtype=object), 1000)
    area, floor = rng.random(1000), rng.random(1000)
    floor[::7] = np.nan
    sums = bulk.park_sums(ids, {"area": area, "floor": floor})
    assert sums.index[-1] == bulk.OUTSIDE
    frame = pd.DataFrame({"park": np.where(pd.isna(ids), bulk.OUTSIDE, ids), "area": area, "floor": floor})
    expected = frame.groupby("park").agg(plots=("area", "size"), area=("area", "sum"), floor=("floor", "sum"))
    pd.testing.assert_frame_equal(
        sums.sort_index(),
        expected.sort_index().rename_axis("park_id"),
        check_dtype=False,
        check_index_type=False,
    )
