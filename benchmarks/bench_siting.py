"""Benchmark the suitability model (zgc_geo.siting) over all of Beijing against GDAL's command-line tools.

For each resolution (30 m: 36 M cells in Beijing's bounding box, 18 M inside; 10 m: 320 M / 164 M)
a fresh Python process times: reading the layers, building the grid, and the streamed model
(three distance factors, the inside-core-parks factor, standardisation, weighted overlay and the
compressed GeoTIFF), reporting seconds and peak memory. The same grid is then made with
``gdal_rasterize`` + ``gdal_proximity.py`` (+ ``gdal_calc.py`` for the overlay) when those tools are
on PATH, and at 30 m with a plain rasterio + SciPy whole-grid EDT pipeline. Last, zonal means of
100k synthetic plots on the 30 m grid. Targets from the issue are printed as PASS/FAIL.

    python benchmarks/bench_siting.py                     # 30 m and 10 m, GDAL, plain at 30 m, zonal
    python benchmarks/bench_siting.py --sizes 30 --repeat 3
    python benchmarks/bench_siting.py --sizes 10 --plain-sizes none --plots 0
    python benchmarks/bench_siting.py --method edt        # distance transform for the points too

See benchmarks/README.md for what is measured and how to read it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Final

# Imports are interpreter start-up: a worker process has them loaded before any timer starts.
import geopandas as gpd
import numpy as np
import pyogrio
import rasterio
import scipy
import shapely
from scipy.ndimage import distance_transform_edt

from zgc_geo.crs import to_analysis_crs
from zgc_geo.plan_data import plan_from_catalogue
from zgc_geo.siting.distance import distance_to
from zgc_geo.siting.factors import FactorSpec, cluster_factor_sources
from zgc_geo.siting.grid import grid_for, study_area
from zgc_geo.siting.overlay import suitability_geotiff, write_suitability_geotiff
from zgc_geo.siting.standardise import standardise
from zgc_geo.siting.zonal import zonal_means

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_stock import MIB, Meter, _rss_bytes  # the same peak-memory method

CLUSTER: Final = "frontier_it"
#: (id, layer in the GeoPackage, kind, direction, lower, upper, weight)
FACTORS: Final = (
    ("near_feature_parks", "feature_parks", "distance", "cost", 500.0, 8000.0, 0.35),
    ("near_parks", "parks", "distance", "cost", 1000.0, 5000.0, 0.25),
    ("near_stations", "stations", "distance", "cost", 300.0, 3000.0, 0.25),
    ("in_core_parks", "core_parks", "inside", "benefit", 0.0, 1.0, 0.15),
)
GDAL_TOOLS: Final = ("gdal_rasterize", "gdal_proximity.py", "gdal_calc.py")
#: The issue's figures for GDAL on its 2-core machine (seconds), used when GDAL is not installed.
ISSUE_GDAL_SECONDS: Final = {30: 3.2, 10: 30.7}
#: Targets: resolution → (time limit as a multiple of GDAL's time, peak bytes).
TARGETS: Final = {30: (1.5, 600e6), 10: (1.0, 2.5e9)}
ZONAL_SECONDS: Final = 10.0
TIFF_OPTIONS: Final = ("TILED=YES", "BLOCKXSIZE=512", "BLOCKYSIZE=512", "COMPRESS=DEFLATE", "PREDICTOR=3")


# --------------------------------------------------------------------------------------------- data
def prepare(folder: Path) -> None:
    """Write the benchmark's layers (EPSG:4548) to layers.gpkg: what both pipelines read."""
    plan = plan_from_catalogue()
    beijing = study_area(plan, "beijing")
    sources = cluster_factor_sources(plan, CLUSTER)
    layers = {
        "beijing": [beijing],
        "feature_parks": to_analysis_crs(plan.feature_parks).geometry.to_numpy(),
        "parks": to_analysis_crs(plan.parks).geometry.to_numpy(),
        "stations": synthetic_stations(beijing),
        "core_parks": sources["in_core_parks"],
    }
    path = folder / "layers.gpkg"
    for name, geoms in layers.items():
        frame = gpd.GeoDataFrame({"id": np.arange(len(geoms))}, geometry=list(geoms), crs=4548)
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG")


def _prepared(folder: Path) -> dict[str, Any]:
    prepare(folder)
    return {}


def synthetic_stations(beijing: shapely.Geometry) -> np.ndarray:
    """~450 rail stations: 12 radial lines and 2 rings around Tiananmen, a station every 1.5 km."""
    cx, cy = 443_000.0, 4_418_000.0  # Tiananmen in EPSG:4548, roughly
    radial = [
        (cx + r * np.cos(a), cy + r * np.sin(a))
        for a in np.linspace(0.0, 2 * np.pi, 12, endpoint=False)
        for r in np.arange(1500.0, 45_000.0, 1500.0)
    ]
    rings = [
        (cx + r * np.cos(a), cy + r * np.sin(a))
        for r in (8000.0, 15_000.0)
        for a in np.linspace(0.0, 2 * np.pi, int(2 * np.pi * r / 1500.0), endpoint=False)
    ]
    points = shapely.points(np.array(radial + rings))
    return points[shapely.contains_xy(beijing, *np.array(radial + rings).T)]


def synthetic_plots(beijing: shapely.Geometry, count: int, seed: int = 0) -> np.ndarray:
    """``count`` plots of 40–250 m on a jittered lattice over Beijing; 3 % tiny, 1 % overlapping."""
    rng = np.random.default_rng(seed)
    west, south, east, north = shapely.bounds(beijing)
    spacing = np.sqrt(shapely.area(beijing) / (count * 1.03))
    xs, ys = np.meshgrid(np.arange(west, east, spacing), np.arange(south, north, spacing))
    centres = np.column_stack([xs.ravel(), ys.ravel()]) + rng.uniform(-0.2, 0.2, (xs.size, 2)) * spacing
    centres = centres[shapely.contains_xy(beijing, centres[:, 0], centres[:, 1])]
    centres = centres[rng.permutation(len(centres))[:count]]
    n = len(centres)
    half = rng.uniform(20.0, 125.0, (n, 2))
    half[rng.random(n) < 0.03] = rng.uniform(4.0, 10.0, (1, 2))  # below a 30 m cell
    plots = shapely.box(*(centres - half).T, *(centres + half).T)
    # 1 % overlap the previous plot: a copy of it grown and shifted by 40 % of its size.
    overlap = np.flatnonzero(rng.random(n) < 0.01)
    overlap = overlap[overlap > 0]
    lower = centres[overlap - 1] - half[overlap - 1] * 0.6
    upper = centres[overlap - 1] + half[overlap - 1] * 1.4
    plots[overlap] = shapely.box(lower[:, 0], lower[:, 1], upper[:, 0], upper[:, 1])
    return plots


def _read_layers(folder: Path) -> dict[str, np.ndarray]:
    return {
        name: gpd.read_file(folder / "layers.gpkg", layer=name).geometry.to_numpy()
        for name in ("beijing", "feature_parks", "parks", "stations", "core_parks")
    }


def _specs() -> list[tuple[FactorSpec, str, float]]:
    return [
        (FactorSpec(fid, fid, fid, kind, direction, lower, upper, "m", "benchmark"), layer, weight)  # type: ignore[arg-type]
        for fid, layer, kind, direction, lower, upper, weight in FACTORS
    ]


# --------------------------------------------------------------------------------------------- pipelines
def run_zgc(folder: Path, resolution: float, method: str) -> dict[str, Any]:
    """The library's streamed model: read → grid → suitability GeoTIFF."""
    meter = Meter()
    baseline = _rss_bytes()
    timings: dict[str, float] = {}
    start = time.perf_counter()
    with meter.stage("read"):
        layers = _read_layers(folder)
    with meter.stage("grid"):
        area = layers["beijing"][0]
        grid = grid_for(area, resolution)
    with meter.stage("suitability"):
        specs = _specs()
        suitability_geotiff(
            folder / f"zgc_{resolution:g}m.tif",
            grid,
            [(spec, layers[layer]) for spec, layer, _ in specs],
            {spec.id: weight for spec, _, weight in specs},
            study_area=area,
            distance_method=method,  # type: ignore[arg-type]
            timings=timings,
        )
    total = time.perf_counter() - start
    meter.close()
    with rasterio.open(folder / f"zgc_{resolution:g}m.tif") as src:
        scored = src.read(1, out_shape=(src.height // 8, src.width // 8))
    return {
        "stages": meter.results, "total_seconds": total, "peak_bytes": meter.peak, "baseline_bytes": baseline,
        "steps": timings, "cells": grid.cells, "shape": grid.shape, "exact_peaks": meter.exact,
        "mean_score": float(np.nanmean(scored)),
    }  # fmt: skip


def run_plain(folder: Path, resolution: float) -> dict[str, Any]:
    """What one writes with rasterio + SciPy alone: whole-grid rasters and EDTs, one factor at a time."""
    meter = Meter()
    baseline = _rss_bytes()
    start = time.perf_counter()
    with meter.stage("read"):
        layers = _read_layers(folder)
    area = layers["beijing"][0]
    grid = grid_for(area, resolution)
    suit = np.zeros(grid.shape, dtype=np.float64)
    for spec, layer, weight in _specs():
        with meter.stage(spec.id):
            burnt = grid.burn(layers[layer], all_touched=spec.kind == "distance")
            raw = distance_transform_edt(~burnt, sampling=resolution) if spec.kind == "distance" else burnt
            suit += weight * 100.0 * standardise(raw, spec.direction, spec.lower, spec.upper)
            del burnt, raw
    with meter.stage("overlay+write"):
        suit[~grid.burn([area])] = np.nan
        write_suitability_geotiff(folder / f"plain_{resolution:g}m.tif", grid, suit.astype(np.float32))
    total = time.perf_counter() - start
    meter.close()
    return {
        "stages": meter.results,
        "total_seconds": total,
        "peak_bytes": meter.peak,
        "baseline_bytes": baseline,
    }


def run_gdal(folder: Path, resolution: float) -> dict[str, Any]:
    """gdal_rasterize + gdal_proximity.py per factor, gdal_calc.py for the overlay; one process each."""
    grid = grid_for(_read_layers(folder)["beijing"][0], resolution)
    west, south, east, north = grid.bounds
    extent = [
        "-te",
        *(f"{v:.3f}" for v in (west, south, east, north)),
        "-tr",
        f"{resolution:g}",
        f"{resolution:g}",
    ]
    gpkg, stages = str(folder / "layers.gpkg"), {}
    for old in folder.glob("gdal_*.tif"):  # gdal_rasterize burns into an existing file of any size
        old.unlink()
    letters = {}
    for letter, (fid, layer, kind, _direction, _lower, upper, _weight) in zip("ABCD", FACTORS, strict=True):
        burnt = folder / f"gdal_{fid}_burnt.tif"
        touched = ["-at"] if kind == "distance" else []
        stages[f"rasterize {fid}"] = _child(
            [
                "gdal_rasterize",
                "-q",
                "-l",
                layer,
                "-burn",
                "1",
                "-ot",
                "Byte",
                *touched,
                *extent,
                gpkg,
                str(burnt),
            ]
        )
        letters[letter] = burnt
        if kind == "distance":
            distance = folder / f"gdal_{fid}.tif"
            stages[f"proximity {fid}"] = _child(
                ["gdal_proximity.py", "-q", str(burnt), str(distance), "-values", "1", "-distunits", "GEO",
                 "-maxdist", f"{upper:g}", "-nodata", f"{upper:g}", "-ot", "Float32"]
            )  # fmt: skip
            letters[letter] = distance
    mask = folder / "gdal_mask.tif"
    stages["rasterize study area"] = _child(
        ["gdal_rasterize", "-q", "-l", "beijing", "-burn", "1", "-ot", "Byte", *extent, gpkg, str(mask)]
    )
    terms = []
    for letter, (_fid, _layer, _kind, direction, lower, upper, weight) in zip("ABCD", FACTORS, strict=True):
        ramp = f"({letter}-{lower:g})" if direction == "benefit" else f"({upper:g}-{letter})"
        terms.append(f"{weight:g}*clip({ramp}/{upper - lower:g},0,1)")
    calc = f"where(E==1, 100*({' + '.join(terms)}), nan)"
    inputs = [arg for letter, path in letters.items() for arg in (f"-{letter}", str(path))]
    out = folder / f"gdal_{resolution:g}m.tif"
    stages["overlay (gdal_calc)"] = _child(
        ["gdal_calc.py", "--quiet", *inputs, "-E", str(mask), f"--outfile={out}", "--type=Float32",
         "--NoDataValue=nan", "--hideNoData", f"--calc={calc}", "--overwrite",
         *(f"--co={o}" for o in (*TIFF_OPTIONS, "BIGTIFF=IF_SAFER"))]
    )  # fmt: skip
    grid_seconds = sum(s["seconds"] for name, s in stages.items() if not name.startswith("overlay"))
    return {
        "stages": stages,
        "grid_seconds": grid_seconds,
        "total_seconds": sum(s["seconds"] for s in stages.values()),
        "peak_bytes": max(s["peak_bytes"] for s in stages.values()),
    }


#: Runs one command and prints its time and its own peak RSS (kernel rusage from wait4). A bare
#: interpreter launches it: Linux carries a process's RSS high-water mark across fork + exec, so a
#: command started from this 200 MB benchmark process would report at least 200 MB.
_LAUNCHER: Final = """
import json, os, subprocess, sys, time
start = time.perf_counter()
process = subprocess.Popen(json.loads(sys.argv[1]), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
_, status, usage = os.wait4(process.pid, 0)
seconds = time.perf_counter() - start
stderr = process.stderr.read().decode(errors="replace")
print(json.dumps({"seconds": seconds, "peak_bytes": usage.ru_maxrss * 1024,
                  "code": os.waitstatus_to_exitcode(status), "stderr": stderr[-2000:]}))
"""


def _child(command: list[str]) -> dict[str, float]:
    """Time one command-line tool and read its own peak RSS (see :data:`_LAUNCHER`)."""
    done = subprocess.run(
        [sys.executable, "-S", "-c", _LAUNCHER, json.dumps(command)],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout)
    if result.pop("code") != 0:
        raise SystemExit(f"{command[0]} failed:\n{' '.join(command)}\n{result['stderr']}")
    del result["stderr"]
    return result


def compare(folder: Path, resolution: float) -> dict[str, Any]:
    """Largest difference between the zgc-geo and GDAL suitability rasters, read tile by tile."""
    worst, disagree = 0.0, 0
    with (
        rasterio.open(folder / f"zgc_{resolution:g}m.tif") as ours,
        rasterio.open(folder / f"gdal_{resolution:g}m.tif") as theirs,
    ):
        for _, window in ours.block_windows(1):
            a, b = ours.read(1, window=window), theirs.read(1, window=window)
            disagree += int((np.isnan(a) != np.isnan(b)).sum())
            if np.isfinite(a).any() and np.isfinite(b).any():
                worst = max(worst, float(np.nanmax(np.abs(a - b))))
    return {"max_difference": worst, "nan_disagreements": disagree}


def _compare(result: dict[str, Any]) -> str:
    return (
        f"zgc-geo vs GDAL suitability: largest difference {result['max_difference']:.3f} points of 100; "
        f"cells NaN in one but not the other: {result['nan_disagreements']:,}"
    )


def run_zonal(folder: Path, count: int) -> dict[str, Any]:
    """Zonal means of ``count`` plots over four 30 m rasters of Beijing (arrays prepared untimed)."""
    layers = _read_layers(folder)
    area = layers["beijing"][0]
    grid = grid_for(area, 30.0)
    path = folder / "zonal_suitability.tif"
    specs = _specs()
    suitability_geotiff(
        path,
        grid,
        [(s, layers[layer]) for s, layer, _ in specs],
        {s.id: w for s, _, w in specs},
        study_area=area,
    )
    with rasterio.open(path) as src:
        arrays = {"suitability": src.read(1)}
    for spec, layer, _ in specs[:3]:
        raw = distance_to(grid, layers[layer], max_distance_m=spec.max_distance_m)
        arrays[spec.id] = standardise(raw, spec.direction, spec.lower, spec.upper, out=raw)
    valid = ~np.isnan(arrays["suitability"])
    plots = synthetic_plots(area, count)
    meter = Meter()
    with meter.stage("zonal"):
        table = zonal_means(grid, arrays, plots, valid=valid)
    meter.close()
    # Check 300 plots against a per-plot reference (cell-centre mask of each plot's window).
    rng = np.random.default_rng(1)
    worst = 0.0
    for i in rng.choice(len(plots), 300, replace=False):
        if table["sampled_at_point"].iat[i]:
            continue
        inside = grid.burn([plots[i]])
        reference = np.nanmean(np.where(inside, arrays["suitability"], np.nan)) if inside.any() else np.nan
        if np.isfinite(reference):
            worst = max(worst, abs(reference - table["suitability"].iat[i]))
    return {
        "stages": meter.results, "seconds": meter.results["zonal"]["seconds"], "peak_bytes": meter.peak,
        "plots": len(plots), "sampled_at_point": int(table["sampled_at_point"].sum()),
        "max_difference": worst,
    }  # fmt: skip


# --------------------------------------------------------------------------------------------- driver
def _worker(kind: str, folder: Path, value: str, method: str) -> dict[str, Any]:
    command = [sys.executable, __file__, "--worker", kind, str(folder), value, "--method", method]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{kind} worker failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    median = sorted(runs, key=lambda r: r["total_seconds"])[len(runs) // 2]
    median["all_totals"] = [r["total_seconds"] for r in runs]
    median["peak_bytes"] = max(r["peak_bytes"] for r in runs)  # memory: the worst run
    return median


def _mib(value: float) -> str:
    return f"{value / MIB:>8,.0f}"


def _report(
    resolution: int, zgc: dict[str, Any], gdal: dict[str, Any] | None, plain: dict[str, Any] | None
) -> bool:
    rows, cols = zgc["shape"]
    print(
        f"\n== {resolution} m: {cols:,} × {rows:,} = {zgc['cells'] / 1e6:,.0f} M cells "
        "(Beijing's bounding box)"
    )
    print(f"{'zgc-geo stage':<34} {'s':>8} {'peak MiB':>9}")
    for name, row in zgc["stages"].items():
        print(f"{name:<34} {row['seconds']:>8.2f} {_mib(row['peak_bytes'])}")
    for name, seconds in zgc["steps"].items():
        print(f"  {'· ' + name:<32} {seconds:>8.2f}   (thread-seconds inside 'suitability')")
    print(
        f"{'total':<34} {zgc['total_seconds']:>8.2f} {_mib(zgc['peak_bytes'])}   "
        f"mean score {zgc['mean_score']:.1f}"
    )
    if "all_totals" in zgc:
        print("totals of each run: " + ", ".join(f"{t:.2f}" for t in zgc["all_totals"]) + " s (median shown)")
    for title, other in (("GDAL command-line tools", gdal), ("plain rasterio + SciPy EDT", plain)):
        if other is None:
            continue
        print(f"{title:<34} {'s':>8} {'peak MiB':>9}")
        for name, row in other["stages"].items():
            print(f"  {name:<32} {row['seconds']:>8.2f} {_mib(row['peak_bytes'])}")
        print(f"{'total':<34} {other['total_seconds']:>8.2f} {_mib(other['peak_bytes'])}")
    if gdal is not None:
        print(f"GDAL rasterise + proximity only: {gdal['grid_seconds']:.2f} s")
    factor, peak_limit = TARGETS.get(resolution, (None, None))
    if factor is None or peak_limit is None:
        return True
    if gdal is not None:
        reference, source = gdal["grid_seconds"], "GDAL rasterise + proximity measured here"
    else:
        print(
            "GDAL command-line tools not installed (gdal_rasterize, gdal_proximity.py): "
            "using the issue's figure"
        )
        reference, source = ISSUE_GDAL_SECONDS[resolution], "the issue's GDAL figure"
    fast = zgc["total_seconds"] <= factor * reference
    small = zgc["peak_bytes"] < peak_limit
    print(
        f"target: ≤ {factor:g} × {reference:.2f} s ({source}) → {'PASS' if fast else 'FAIL'} "
        f"({zgc['total_seconds']:.2f} s); peak < {peak_limit / 1e9:g} GB → {'PASS' if small else 'FAIL'} "
        f"({zgc['peak_bytes'] / 1e9:.2f} GB)"
    )
    return fast and small


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="30,10", help="comma-separated resolutions in metres (30,10)")
    parser.add_argument(
        "--plain-sizes", default="30", help="resolutions to run plain rasterio + SciPy on, or 'none'"
    )
    parser.add_argument("--plots", default="100k", help="plots for the zonal benchmark at 30 m (0 to skip)")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of the zgc-geo pipeline; the median is shown"
    )
    parser.add_argument(
        "--method", choices=("auto", "edt"), default="auto", help="distance method for points"
    )
    parser.add_argument("--no-gdal", action="store_true", help="skip GDAL even when it is installed")
    parser.add_argument("--keep", type=Path, help="folder to write (and keep) the layers and rasters in")
    parser.add_argument("--worker", nargs=3, metavar=("KIND", "FOLDER", "VALUE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        kind, folder, value = args.worker[0], Path(args.worker[1]), args.worker[2]
        work = {
            "prepare": lambda: _prepared(folder),
            "zgc": lambda: run_zgc(folder, float(value), args.method),
            "plain": lambda: run_plain(folder, float(value)),
            "gdal": lambda: run_gdal(folder, float(value)),
            "zonal": lambda: run_zonal(folder, int(value)),
            "compare": lambda: compare(folder, float(value)),
        }[kind]
        print(json.dumps(work()))
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    plain_sizes = set() if args.plain_sizes == "none" else {int(s) for s in args.plain_sizes.split(",")}
    plots = int(float(args.plots.lower().replace("k", "e3").replace("m", "e6")))
    has_gdal = not args.no_gdal and all(shutil.which(tool) for tool in GDAL_TOOLS)
    print(f"zgc-geo siting benchmark on {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(
        f"rasterio {rasterio.__version__} (GDAL {rasterio.__gdal_version__}), scipy {scipy.__version__}, "
        f"numpy {np.__version__}, shapely {shapely.__version__}; distance method for points: {args.method}"
    )
    if has_gdal:
        version = subprocess.run(["gdal_rasterize", "--version"], capture_output=True, text=True, check=False)
        print(f"GDAL command-line tools: {version.stdout.strip()}")
    else:
        print("GDAL command-line tools not installed (gdal_rasterize, gdal_proximity.py, gdal_calc.py): "
              "comparing with the issue's figures")  # fmt: skip
    ok = True
    with tempfile.TemporaryDirectory(prefix="zgc-siting-bench-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        _worker("prepare", folder, "-", args.method)
        for resolution in sizes:
            zgc = _median([_worker("zgc", folder, str(resolution), args.method) for _ in range(args.repeat)])
            gdal = _worker("gdal", folder, str(resolution), args.method) if has_gdal else None
            plain = (
                _worker("plain", folder, str(resolution), args.method) if resolution in plain_sizes else None
            )
            ok &= _report(resolution, zgc, gdal, plain)
            if gdal is not None:
                print(_compare(_worker("compare", folder, str(resolution), args.method)))
            for leftover in folder.glob("gdal_*.tif"):  # the intermediates are 1.3 GB each at 10 m
                if leftover.name != f"gdal_{resolution}m.tif":
                    leftover.unlink()
        if plots:
            zonal = _worker("zonal", folder, str(plots), args.method)
            passed = zonal["seconds"] < ZONAL_SECONDS
            ok &= passed
            print(
                f"\n== zonal means, {zonal['plots']:,} plots on the 30 m grid, 4 rasters: "
                f"{zonal['seconds']:.2f} s, "
                f"peak {zonal['peak_bytes'] / MIB:,.0f} MiB (includes the four 143 MiB rasters); "
                f"{zonal['sampled_at_point']:,} plots sampled at a point; max difference from a per-plot "
                f"reference on 300 plots: {zonal['max_difference']:.2e}"
            )
            print(f"target: < {ZONAL_SECONDS:g} s → {'PASS' if passed else 'FAIL'}")
    print("\nall targets met" if ok else "\nsome targets missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
