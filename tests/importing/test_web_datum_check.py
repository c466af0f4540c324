"""The GCJ-02 / BD-09 offset check: no false alarm on correct grids, still a warning on shifted data."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from zgc_geo import datums
from zgc_geo.catalogue import load_layer
from zgc_geo.importing.crs_guess import could_be_web_datum, diagnose_location
from zgc_geo.importing.pipeline import ImportOptions, import_file

OFFSET_CODES = {"gcj02_offset", "bd09_offset"}


@pytest.fixture(scope="module")
def parks() -> gpd.GeoDataFrame:
    return load_layer("parks")


def square_grid(
    parks: gpd.GeoDataFrame, park_id: str, cells: int = 10, side_m: float = 200.0
) -> gpd.GeoDataFrame:
    """A uniform grid of ``cells`` × ``cells`` squares in EPSG:4548, centred on a park's centroid."""
    park = parks.to_crs("EPSG:4548").set_index("park_id").geometry[park_id]
    offsets = np.arange(cells) * side_m - cells * side_m / 2
    xs, ys = np.meshgrid(park.centroid.x + offsets, park.centroid.y + offsets)
    squares = shapely.box(xs.ravel(), ys.ravel(), xs.ravel() + side_m, ys.ravel() + side_m)
    return gpd.GeoDataFrame(
        {"plot_id": [f"G{i:03d}" for i in range(squares.size)]}, geometry=squares, crs=4548
    )


def offset_codes(problems: list) -> set[str]:
    return {p.code for p in problems} & OFFSET_CODES


@pytest.mark.parametrize("park_id", ["tongzhou", "changping"])
def test_a_grid_beside_a_park_is_not_called_a_web_datum(parks: gpd.GeoDataFrame, park_id: str) -> None:
    # These parks' centroids lie outside their outlines: the grid only comes "closer" under a shift.
    grid = square_grid(parks, park_id).to_crs("EPSG:4326")
    assert offset_codes(diagnose_location(grid, parks)) == set()


@pytest.mark.parametrize("park_id", ["fengtai", "shijingshan", "tongzhou", "changping", "miyun"])
def test_a_uniform_epsg4548_grid_imports_without_a_web_datum_warning(
    parks: gpd.GeoDataFrame, park_id: str, tmp_path: Path
) -> None:
    path = tmp_path / "grid.gpkg"
    square_grid(parks, park_id).to_file(path, engine="pyogrio")
    result = import_file(path, ImportOptions(kind="plots"))
    assert offset_codes(result.report.problems) == set(), [str(p) for p in result.report.problems]
    assert result.report.usable


def test_a_declared_projected_crs_rules_the_web_datums_out(parks: gpd.GeoDataFrame) -> None:
    assert not could_be_web_datum("EPSG:4548", None)
    assert not could_be_web_datum(None, "EPSG:4527")
    assert could_be_web_datum(None, None)  # a table of bare numbers may be lon/lat
    assert could_be_web_datum("EPSG:4548", "gcj02")  # the user's choice wins
    assert could_be_web_datum("EPSG:4326", None)


@pytest.mark.parametrize(
    ("shift", "code"), [(datums.wgs84_to_gcj02, "gcj02_offset"), (datums.wgs84_to_bd09, "bd09_offset")]
)
def test_shifted_lon_lat_plots_are_still_flagged_on_import(
    parks: gpd.GeoDataFrame, shift: object, code: str, tmp_path: Path
) -> None:
    area = shapely.union_all(parks.to_crs("EPSG:4548").geometry.array)
    x0, y0, x1, y1 = area.bounds
    xs, ys = np.meshgrid(np.arange(x0, x1, 1000.0), np.arange(y0, y1, 1000.0))
    centres = shapely.points(xs.ravel(), ys.ravel())
    centres = centres[shapely.contains(area, centres)]
    plots = gpd.GeoDataFrame(geometry=shapely.buffer(centres, 150), crs=4548).to_crs(4326)
    plots["geometry"] = shapely.transform(plots.geometry.array, shift, interleaved=False)
    path = tmp_path / "web.geojson"
    plots.to_file(path, engine="pyogrio")
    result = import_file(path, ImportOptions(kind="plots"))
    assert offset_codes(result.report.problems) == {code}, [str(p) for p in result.report.problems]


def test_the_web_datum_warning_keeps_its_place_among_the_import_findings(tmp_path: Path) -> None:
    """The comparison runs beside the plot checks; the report still lists its warning right after the
    other findings about where features lie, and before everything the plot checks say."""
    from tests.importing.corpus import gcj02_geojson  # noqa: PLC0415 - the corpus builds files on demand

    path = gcj02_geojson(tmp_path)
    path = path.with_name("多问题.geojson")
    frame = gpd.read_file(gcj02_geojson(tmp_path))
    frame.loc[frame.index[:3], frame.columns[0]] = frame.iloc[0, 0]  # a plot-check finding: repeated ids
    frame.to_file(path, driver="GeoJSON")
    codes = [p.code for p in import_file(path, ImportOptions(kind="plots")).report.problems]
    located = [p.code for p in diagnose_location(frame, first_row_number=1)]  # the serial order
    assert "gcj02_offset" in located and len(codes) > len(located)
    start = codes.index(located[0])
    assert codes[start : start + len(located)] == located
    assert codes.index("plot_id_duplicate") > codes.index("gcj02_offset")  # as when it ran first
