"""Benchmark the land-stock fast path (zgc_geo.stock.bulk) against the plain GeoPandas pipeline.

For each size, synthetic plots (small quadrilaterals scattered over the 16 parks' bounding box,
about 1 % self-intersecting "bowties") are written to a temporary GeoPackage (not timed). Then a
fresh Python process per size and pipeline times the stages read → repair → reproject → join to
parks → per-park sums, after its imports (interpreter start-up is excluded), and reports seconds
and peak memory per stage. Targets from the issue are checked and printed as PASS/FAIL.

    python benchmarks/bench_stock.py                      # 10k, 100k, 1M; plain GeoPandas too
    python benchmarks/bench_stock.py --sizes 100k --repeat 5
    python benchmarks/bench_stock.py --sizes 1M --plain-sizes none

See benchmarks/README.md for what is measured and how to read it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

# Imports are interpreter start-up: a worker process has them loaded before any timer starts.
import geopandas as gpd
import numpy as np
import pyogrio
import pyproj
import shapely

from zgc_geo.catalogue import load_layer
from zgc_geo.crs import ANALYSIS_CRS
from zgc_geo.stock import bulk
from zgc_geo.stock.bulk import OUTSIDE

STAGES: Final = ("read", "repair", "reproject", "join", "sums")
#: Issue targets: size → (seconds, peak bytes or None).
TARGETS: Final = {100_000: (1.0, None), 1_000_000: (6.0, 1.5e9)}
INVALID_SHARE: Final = 0.01
MIB: Final = 2**20


# --------------------------------------------------------------------------------------------- measuring
def _rss_bytes() -> int:
    """Current resident set size (Linux /proc; 0 where unavailable)."""
    try:
        with Path("/proc/self/statm").open(encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def _max_rss_bytes() -> int:
    """The getrusage RSS high-water mark (KiB on Linux, bytes on macOS).

    On Linux it survives fork + exec: a worker inherits its parent's peak. The driver keeps
    its own peak low (data are generated in a subprocess) so this fallback stays honest.
    """
    value = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return value if sys.platform == "darwin" else value * 1024


def _hwm_bytes() -> int | None:
    """This process image's RSS high-water mark (Linux VmHWM), None where unavailable."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return None


def _reset_hwm() -> bool:
    """Reset VmHWM to the current RSS (Linux ≥ 4.0: ``echo 5 > /proc/self/clear_refs``)."""
    try:
        Path("/proc/self/clear_refs").write_text("5", encoding="ascii")
    except OSError:
        return False
    return True


class Meter:
    """Times stages and records each stage's peak RSS.

    On Linux the kernel's high-water mark (VmHWM) is reset when a stage starts and read when it
    ends, so each stage's peak is exact, whatever happened before. Elsewhere the peak is the
    ``getrusage`` high-water mark when the stage raised it, else the highest RSS a 2 ms sampling
    thread saw. GEOS, PROJ and GDAL allocate outside Python, so ``tracemalloc`` would miss most
    of the memory; RSS does not.
    """

    def __init__(self) -> None:
        self.results: dict[str, dict[str, float]] = {}
        self.exact = _reset_hwm() and _hwm_bytes() is not None
        self._sampled = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        if not self.exact:
            self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.002):
            self._sampled = max(self._sampled, _rss_bytes())

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self.exact:
            _reset_hwm()
        high_before, self._sampled = _max_rss_bytes(), _rss_bytes()
        start = time.perf_counter()
        yield
        seconds = time.perf_counter() - start
        if self.exact:
            peak = _hwm_bytes() or 0
        else:
            high_after = _max_rss_bytes()
            peak = high_after if high_after > high_before else max(self._sampled, _rss_bytes())
        self.results[name] = {"seconds": seconds, "peak_bytes": peak, "rss_after_bytes": _rss_bytes()}

    @property
    def peak(self) -> int:
        """The highest stage peak: the pipeline's peak RSS (start-up excluded)."""
        return int(max(stage["peak_bytes"] for stage in self.results.values()))

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


# --------------------------------------------------------------------------------------------- pipelines
def _fast(path: Path, parks: Any, meter: Meter) -> Any:
    """The zgc_geo.stock.bulk pipeline."""
    with meter.stage("read"):
        frame = bulk.read_plots(path)
    with meter.stage("repair"):
        repaired = bulk.repair_polygons(frame.geometry.to_numpy())
        frame = frame.set_geometry(gpd.GeoSeries(repaired, index=frame.index, crs=frame.crs))
        del repaired
    with meter.stage("reproject"):
        metric = bulk.to_metric(frame)
        del frame  # the lon/lat outlines are not needed any more
    with meter.stage("join"):
        park_ids = bulk.assign_parks(metric, bulk.to_metric(parks))
    with meter.stage("sums"):
        area = shapely.area(metric.geometry.to_numpy())
        floor = area * metric["far_current"].to_numpy(dtype=float)
        sums = bulk.park_sums(park_ids, {"area_m2": area, "floor_area_m2": floor})
    return sums


def _plain(path: Path, parks: Any, meter: Meter) -> Any:
    """What one would write with GeoPandas alone: read_file, make_valid, to_crs, sjoin, groupby."""
    with meter.stage("read"):
        frame = gpd.read_file(path)
    with meter.stage("repair"):
        frame["geometry"] = frame.geometry.make_valid()
    with meter.stage("reproject"):
        frame = frame.to_crs(ANALYSIS_CRS)
    with meter.stage("join"):
        points = gpd.GeoDataFrame(frame[["far_current"]], geometry=frame.representative_point())
        joined = gpd.sjoin(points, parks[["park_id", "geometry"]].to_crs(ANALYSIS_CRS), predicate="within")
        park = joined.loc[~joined.index.duplicated(), "park_id"].reindex(frame.index).fillna(OUTSIDE)
    with meter.stage("sums"):
        area = frame.area
        table = frame.assign(park_id=park, area_m2=area, floor_area_m2=area * frame["far_current"])
        sums = table.groupby("park_id").agg(
            plots=("area_m2", "size"), area_m2=("area_m2", "sum"), floor_area_m2=("floor_area_m2", "sum")
        )
    return sums


PIPELINES: Final[dict[str, Callable[[Path, Any, Meter], Any]]] = {"fast": _fast, "plain": _plain}


def worker(pipeline: str, path: Path) -> None:
    """Run one pipeline on one file and print a JSON line (run in a fresh process)."""
    parks = load_layer("parks")
    baseline = _rss_bytes()
    meter = Meter()
    start = time.perf_counter()
    sums = PIPELINES[pipeline](path, parks, meter)
    total = time.perf_counter() - start
    meter.close()
    result = {
        "pipeline": pipeline,
        "stages": meter.results,
        "total_seconds": total,
        "baseline_bytes": baseline,
        "peak_bytes": meter.peak,
        "exact_peaks": meter.exact,
        "sums": {str(k): [float(v) for v in row] for k, row in sums[["plots", "area_m2"]].iterrows()},
    }
    print(json.dumps(result))


# --------------------------------------------------------------------------------------------- data
def make_plots(count: int, path: Path, seed: int = 0) -> int:
    """Write ``count`` quadrilateral plots (≈1 % bowties) over the parks' bounding box; return the bowties."""
    west, south, east, north = load_layer("parks").total_bounds
    rng = np.random.default_rng(seed)
    cx, cy = rng.uniform(west, east, count), rng.uniform(south, north, count)
    half = rng.uniform(0.0003, 0.0015, count)[:, None]  # ≈ 25–130 m
    x = cx[:, None] + np.array([-1, 1, 1, -1]) * half * rng.uniform(0.6, 1.0, (count, 4))
    y = cy[:, None] + np.array([-1, -1, 1, 1]) * half * rng.uniform(0.6, 1.0, (count, 4))
    bowtie = rng.random(count) < INVALID_SHARE
    for coords in (x, y):  # swap the 2nd and 3rd corners: the outline crosses itself
        coords[bowtie, 1], coords[bowtie, 2] = coords[bowtie, 2].copy(), coords[bowtie, 1].copy()
    ring = np.stack([np.concatenate([x, x[:, :1]], 1), np.concatenate([y, y[:, :1]], 1)], axis=-1)
    frame = gpd.GeoDataFrame(
        {
            "plot_id": np.char.add("P", np.arange(count).astype(str)),
            "far_current": rng.uniform(0.0, 2.0, count).round(2),
            "idle_since": rng.integers(2005, 2025, count),
        },
        geometry=shapely.polygons(ring),
        crs=4326,
    )
    pyogrio.write_dataframe(frame, path, layer="plots", driver="GPKG")
    return int(bowtie.sum())


# --------------------------------------------------------------------------------------------- driver
def _size(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def _label(size: int) -> str:
    return (
        f"{size // 1_000_000}M"
        if size % 1_000_000 == 0
        else f"{size // 1_000}k"
        if size % 1_000 == 0
        else str(size)
    )


def _run(pipeline: str, path: Path, repeat: int, timeout: float) -> dict[str, Any] | None:
    runs = []
    for _ in range(repeat):
        try:
            done = subprocess.run(
                [sys.executable, __file__, "--worker", pipeline, str(path)],
                capture_output=True, text=True, timeout=timeout, check=True,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return None
        except subprocess.CalledProcessError as exc:
            raise SystemExit(f"{pipeline} worker failed on {path}:\n{exc.stderr}") from exc
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    if repeat == 1:
        return runs[0]
    median = sorted(runs, key=lambda r: r["total_seconds"])[len(runs) // 2]
    median["all_totals"] = [r["total_seconds"] for r in runs]
    median["peak_bytes"] = max(r["peak_bytes"] for r in runs)  # memory: the worst run, not the median
    return median


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _report(
    size: int, bowties: int, file_bytes: int, fast: dict[str, Any], plain: dict[str, Any] | None
) -> bool:
    print(
        f"\n== {_label(size)}: {size:,} plots ({bowties:,} bowties), GeoPackage {file_bytes / MIB:,.0f} MiB"
    )
    header = f"{'stage':<10} {'fast s':>8} {'peak MiB':>9}"
    header += f" | {'plain s':>8} {'peak MiB':>9}" if plain else " | plain: not run"
    print(header)
    for name in STAGES:
        row = fast["stages"][name]
        line = f"{name:<10} {row['seconds']:>8.3f} {row['peak_bytes'] / MIB:>9,.0f}"
        if plain:
            other = plain["stages"][name]
            line += f" | {other['seconds']:>8.3f} {other['peak_bytes'] / MIB:>9,.0f}"
        print(line)
    line = f"{'total':<10} {fast['total_seconds']:>8.3f} {fast['peak_bytes'] / MIB:>9,.0f}"
    if plain:
        line += f" | {plain['total_seconds']:>8.3f} {plain['peak_bytes'] / MIB:>9,.0f}"
        line += f"   ({plain['total_seconds'] / fast['total_seconds']:.1f}× faster)"
    print(line)
    how = "kernel VmHWM, reset per stage" if fast.get("exact_peaks") else "getrusage / 2 ms sampling"
    print(
        f"(peak MiB = resident set size ({how}); the total is the highest stage peak of all runs and "
        f"includes the {fast['baseline_bytes'] / MIB:,.0f} MiB held after imports; stage rows are the "
        "median run's)"
    )
    if "all_totals" in fast:
        print(
            "fast totals of each run: "
            + ", ".join(f"{t:.3f}" for t in fast["all_totals"])
            + " s (median shown)"
        )
    if plain:
        agree = all(
            abs(fast["sums"][k][0] - v[0]) < 0.5 and abs(fast["sums"][k][1] - v[1]) <= 1e-6 * max(1.0, v[1])
            for k, v in plain["sums"].items()
        ) and set(fast["sums"]) == set(plain["sums"])
        print(f"per-park counts and areas of both pipelines agree: {'yes' if agree else 'NO'}")
    ok = True
    if size in TARGETS:
        seconds, peak = TARGETS[size]
        passed = fast["total_seconds"] <= seconds
        ok &= passed
        text = f"target: ≤ {seconds:g} s → {_verdict(passed)} ({fast['total_seconds']:.2f} s)"
        if peak is not None:
            memory = fast["peak_bytes"] <= peak
            ok &= memory
            text += f"; peak ≤ {peak / 1e9:g} GB → {_verdict(memory)} ({fast['peak_bytes'] / 1e9:.2f} GB)"
        print(text)
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="10k,100k,1M", help="comma-separated plot counts (10k, 100k, 1M …)"
    )
    parser.add_argument(
        "--plain-sizes", default="10k,100k,1M", help="sizes to run plain GeoPandas on, or 'none'"
    )
    parser.add_argument(
        "--plain-timeout", type=float, default=300.0, help="seconds before a plain run is given up"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per size and pipeline; the median is shown"
    )
    parser.add_argument("--keep", type=Path, help="folder to write (and reuse) the synthetic GeoPackages in")
    parser.add_argument("--worker", nargs=2, metavar=("PIPELINE", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--generate", nargs=2, metavar=("COUNT", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.generate:
        print(make_plots(int(args.generate[0]), Path(args.generate[1])))
        return 0
    if args.worker:
        worker(args.worker[0], Path(args.worker[1]))
        return 0
    sizes = [_size(s) for s in args.sizes.split(",") if s.strip()]
    plain_sizes = set() if args.plain_sizes == "none" else {_size(s) for s in args.plain_sizes.split(",")}
    print(f"zgc-geo stock bulk benchmark on {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(
        f"geopandas {gpd.__version__}, shapely {shapely.__version__} (GEOS {shapely.geos_version_string}), "
        f"pyogrio {pyogrio.__version__} (GDAL {pyogrio.__gdal_version_string__}), "
        f"pyproj {pyproj.__version__} (PROJ {pyproj.proj_version_str}); "
        f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}"
    )
    ok = True
    with tempfile.TemporaryDirectory(prefix="zgc-bench-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for size in sizes:
            path = folder / f"plots_{_label(size)}.gpkg"
            marker = path.with_suffix(".bowties")
            if path.exists() and marker.exists():
                bowties = int(marker.read_text(encoding="ascii"))
            else:
                print(f"\nwriting {size:,} synthetic plots to {path} (not timed) …", flush=True)
                # In a subprocess: the driver's own peak would otherwise be inherited by the
                # workers' getrusage figures (Linux keeps ru_maxrss across fork + exec).
                made = subprocess.run(
                    [sys.executable, __file__, "--generate", str(size), str(path)],
                    capture_output=True, text=True, check=True,
                )  # fmt: skip
                bowties = int(made.stdout.split()[-1])
                marker.write_text(str(bowties), encoding="ascii")
                if hasattr(os, "sync"):
                    os.sync()  # flush the new file now, not while a pipeline is being timed
            fast = _run("fast", path, args.repeat, timeout=600)
            assert fast is not None
            plain = _run("plain", path, args.repeat, args.plain_timeout) if size in plain_sizes else None
            if size in plain_sizes and plain is None:
                print(
                    f"plain GeoPandas on {_label(size)} took longer than {args.plain_timeout:g} s: not shown"
                )
            ok &= _report(size, bowties, path.stat().st_size, fast, plain)
    print("\nall targets met" if ok else "\nsome targets missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
