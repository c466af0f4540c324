"""Write the seeded synthetic data every peer reads (run in its own process; not timed).

* ``plots_<size>.gpkg`` – the land-stock inventory, made by ``benchmarks/bench_stock.py``'s
  ``make_plots`` (quadrilaterals over the 16 parks' bounding box, 1 % self-intersecting);
* ``parks.gpkg`` – the 16 parks (``park_id``);
* ``zonal_<size>.gpkg`` + ``zonal.tif`` – the same plots repaired and in EPSG:4548, and a seeded 30 m
  float raster over them, for zonal means;
* ``candidates.gpkg`` – the 10k plots, named, as ``zgc-geo site``'s candidates;
* ``suitability.gpkg`` + ``stations.gpkg`` + ``rail_lines.gpkg`` + ``suitability.json`` – the factor
  layers of ``zgc-geo site CLUSTER --study-area beijing`` (polygons), the synthetic rail-station points of
  ``benchmarks/bench_siting.py`` and rail lines through them (each the ``--distance-layer`` of one run),
  with the grid and weights, so GDAL's tools build the same model.

    python benchmarks/peers/prepare.py FOLDER 10000 100000
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pyogrio
import rasterio
import shapely
from rasterio.transform import from_origin

BENCHMARKS: Final = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BENCHMARKS))
from bench_siting import synthetic_stations  # noqa: E402  (the existing generators, imported, not copied)
from bench_stock import make_plots  # noqa: E402

from zgc_geo.catalogue import load_layer  # noqa: E402
from zgc_geo.crs import ANALYSIS_CRS, to_analysis_crs  # noqa: E402
from zgc_geo.plan_data import plan_from_catalogue  # noqa: E402
from zgc_geo.siting.analysis import SitingOptions, resolve_weights  # noqa: E402
from zgc_geo.siting.factors import FactorSpec, cluster_factor_sources, cluster_factor_specs  # noqa: E402
from zgc_geo.siting.grid import grid_for, study_area  # noqa: E402

CLUSTER: Final = "frontier_it"
RESOLUTION_M: Final = 30.0
#: The extra --distance-layer factor of the suitability comparison: zgc-geo site's own range for it.
STATION_RANGE: Final = (300.0, 3000.0)


def label(size: int) -> str:
    """10000 → 10k, 1000000 → 1M."""
    return f"{size // 1_000_000}M" if size % 1_000_000 == 0 else f"{size // 1_000}k"


def write_stock(folder: Path, size: int) -> None:
    path = folder / f"plots_{label(size)}.gpkg"
    if not path.exists():
        make_plots(size, path)
    zonal = folder / f"zonal_{label(size)}.gpkg"
    if not zonal.exists():
        plots = pyogrio.read_dataframe(path, columns=["plot_id"])
        plots["geometry"] = plots.geometry.make_valid()
        pyogrio.write_dataframe(plots.to_crs(ANALYSIS_CRS), zonal, layer="plots", driver="GPKG")


def write_candidates(folder: Path) -> None:
    """10k candidate plots for ``zgc-geo site`` (the 10k inventory, each with a name)."""
    source = folder / "plots_10k.gpkg"
    if not source.exists():
        make_plots(10_000, source)
    plots = pyogrio.read_dataframe(source)
    plots["name"] = np.char.add("地块 ", np.arange(len(plots)).astype(str))
    pyogrio.write_dataframe(plots, folder / "candidates.gpkg", layer="plots", driver="GPKG")


def write_parks(folder: Path) -> None:
    parks = load_layer("parks")[["park_id", "geometry"]]
    pyogrio.write_dataframe(parks, folder / "parks.gpkg", layer="parks", driver="GPKG")


def write_zonal_raster(folder: Path) -> None:
    """A seeded 30 m Float32 field over the parks' bounding box (EPSG:4548): waves plus noise."""
    west, south, east, north = to_analysis_crs(load_layer("parks")).total_bounds
    west, north = np.floor(west / 30) * 30 - 300, np.ceil(north / 30) * 30 + 300
    width, height = int((east - west) / 30) + 20, int((north - south) / 30) + 20
    rng = np.random.default_rng(7)
    x = west + 30 * (np.arange(width) + 0.5)
    y = north - 30 * (np.arange(height) + 0.5)
    field = 50 + 30 * np.sin(x / 1500.0)[None, :] * np.cos(y / 2100.0)[:, None]
    field = (field + rng.normal(0.0, 5.0, field.shape)).astype(np.float32)
    profile = {
        "driver": "GTiff",
        "width": width,
        "height": height,
        "count": 1,
        "dtype": "float32",
        "crs": ANALYSIS_CRS,
        "transform": from_origin(west, north, 30, 30),
        "tiled": True,
        "blockxsize": 512,
        "blockysize": 512,
        "compress": "deflate",
        "predictor": 3,
        "nodata": None,
    }
    with rasterio.open(folder / "zonal.tif", "w", **profile) as out:
        out.write(field, 1)


def rail_lines(area: shapely.Geometry) -> np.ndarray:
    """Synthetic rail lines through ``bench_siting.synthetic_stations``' stations: 12 radials and 2 rings."""
    cx, cy = 443_000.0, 4_418_000.0  # Tiananmen in EPSG:4548, roughly (as bench_siting)
    angles = np.linspace(0.0, 2 * np.pi, 12, endpoint=False)
    radials = [
        shapely.LineString(
            [
                (cx + 1500 * np.cos(a), cy + 1500 * np.sin(a)),
                (cx + 45_000 * np.cos(a), cy + 45_000 * np.sin(a)),
            ]
        )
        for a in angles
    ]
    rings = [shapely.Point(cx, cy).buffer(r, 64).exterior for r in (8000.0, 15_000.0)]
    lines = shapely.intersection(np.array(radials + rings, dtype=object), area)
    return lines[~shapely.is_empty(lines)]


def write_suitability(folder: Path) -> None:
    plan = plan_from_catalogue()
    area = study_area(plan, "beijing")
    grid = grid_for(area, RESOLUTION_M)
    sources = cluster_factor_sources(plan, CLUSTER)
    extra = {"stations": synthetic_stations(area), "rail_lines": rail_lines(area)}
    station_spec = FactorSpec("user_distance", "", "", "distance", "cost", *STATION_RANGE, "m", "")
    specs = [*cluster_factor_specs(plan, CLUSTER), station_spec]
    weights = resolve_weights(specs, SitingOptions(cluster_id=CLUSTER))
    path = folder / "suitability.gpkg"
    for name, geoms in {"study_area": [area], **sources, **extra}.items():
        frame = gpd.GeoDataFrame({"n": np.arange(len(geoms))}, geometry=list(geoms), crs=ANALYSIS_CRS)
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG")
    for name, geoms in extra.items():  # each also as a file of its own, for --distance-layer
        frame = gpd.GeoDataFrame(
            {"name": [f"{name} {i}" for i in range(len(geoms))]}, geometry=geoms, crs=ANALYSIS_CRS
        )
        pyogrio.write_dataframe(frame, folder / f"{name}.gpkg", layer=name, driver="GPKG")
    meta = {
        "cluster": CLUSTER,
        "resolution_m": RESOLUTION_M,
        "bounds": [float(v) for v in grid.bounds],
        "station_range": list(STATION_RANGE),
        "factors": [
            {
                "id": s.id,
                "kind": s.kind,
                "direction": s.direction,
                "lower": s.lower,
                "upper": s.upper,
                "weight": float(weights[s.id]),
            }
            for s in specs
        ],
        "extra_layers": {name: len(geoms) for name, geoms in extra.items()},
    }
    (folder / "suitability.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")


def main(argv: list[str]) -> int:
    # argparse, so ``--help`` is help and not the name of a folder to fill with data.
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="where to write (and reuse) the data")
    parser.add_argument("sizes", type=int, nargs="*", help="plot counts of the stock inventories, e.g. 10000")
    args = parser.parse_args(argv)
    folder: Path = args.folder
    folder.mkdir(parents=True, exist_ok=True)
    for size in args.sizes:
        write_stock(folder, size)
    if not (folder / "parks.gpkg").exists():
        write_parks(folder)
    if not (folder / "zonal.tif").exists():
        write_zonal_raster(folder)
    if not (folder / "candidates.gpkg").exists():
        write_candidates(folder)
    if not (folder / "suitability.json").exists() or not (folder / "rail_lines.gpkg").exists():
        write_suitability(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
