"""Benchmark the workspace's store calls on both backends: a GeoPackage file and a PostGIS database.

On each backend, through :func:`zgc_geo.workspace.open_workspace` and the store contract only:

* import  – ``save_inventory`` of a synthetic inventory (default 100,000 plots), while a second
            session tries every 10 ms to write and to read: how long others were kept waiting;
* open    – the first call of a new process (``inventories()``: connection, file check or
            schema-version check), which every step below pays once and which is shown apart;
* park    – ``load_inventory(name, PlotFilter(park_ids=(PARK,)))``, one park's plots;
* load    – ``load_inventory(name)``, every plot with its decision columns;
* decide  – ``record_decision`` one plot at a time (default 1,000), each with ``expected_version``
            as the page and ``zgc-geo workspace decide`` send it (the first one of the process also
            verifies the log, as the first write of every process does);
* verify  – ``verify()`` of the whole log: the hash chain recomputed and every decision replayed.

Each step runs in a fresh Python process (imports are interpreter start-up and excluded). Peak
memory is the process's resident set size, measured as in ``bench_stock.py`` (its ``Meter``):
the kernel's high-water mark is reset when the step starts and read when it ends. Only the
zgc-geo process is measured; the PostgreSQL server's own memory is not.

PostGIS runs on a private server started for the run (``tests/postgis_server.py``: a temporary
cluster on a free port, nothing to set up by hand), switched back to durable commits (fsync,
synchronous_commit and full_page_writes on, which the test server turns off), so both backends
flush every commit to disk. Without PostgreSQL + PostGIS the PostGIS half is skipped, saying why.

    python benchmarks/bench_workspace.py                        # 100,000 plots, 1,000 decisions
    python benchmarks/bench_workspace.py --plots 10000 --decisions 200
    python benchmarks/bench_workspace.py --backends gpkg
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

# Imports are interpreter start-up: a worker process has them loaded before any timer starts.
import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from zgc_geo.catalogue import load_layer
from zgc_geo.crs import ANALYSIS_CRS, STORAGE_CRS
from zgc_geo.importing.plots import OUTPUT_COLUMNS
from zgc_geo.workspace import REVIEW_STATUSES, PlotFilter, open_workspace
from zgc_geo.workspace.rights import OUTSIDE

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_stock import MIB, Meter, _rss_bytes  # the same peak-memory method

REPO_ROOT: Final = Path(__file__).resolve().parents[1]
INVENTORY: Final = "bench"
DEFAULT_PARK: Final = "haidian"
#: Recorded as the workspace's creator (its admin) and as the reviewer of the decisions.
ADMIN: Final = "bench-admin"
REVIEWER: Final = "bench-planner"
STEPS: Final = ("import", "open", "park", "load", "decide", "verify")
BACKENDS: Final = {"gpkg": "GeoPackage", "postgis": "PostGIS"}

#: Plots fill this share of their lattice cell at most (the rest is the gap to the neighbours).
PLOT_SHARE: Final = (0.55, 0.85)
LAND_USE: Final = {  # code → class, as the import pipeline maps them (layers/land_use_codes.csv)
    "M1": "industrial_m1", "M2": "industrial_m2", "0601": "industrial", "100101": "industrial_m1",
    "100102": "industrial_m2", "W1": "logistics_warehouse", "A35": "research",
}  # fmt: skip
STATUS_WORDS: Final = ("闲置", "低效", "停产", "在产未达标", "已批未供")
M2_PER_MU: Final = 10_000 / 15


# --------------------------------------------------------------------------------------------- data
def make_inventory(count: int, seed: int = 2016) -> gpd.GeoDataFrame:
    """``count`` non-overlapping plots in the 16 parks with the canonical columns, as an import gives them.

    One square lattice (EPSG:4548) covers every park; each plot is a jittered quadrilateral
    inside its own cell, so no two plots overlap. Parks get plots in proportion to their area
    (at least one each); rows are shuffled, as a bureau's file is not sorted by park. Attribute
    values and dtypes follow :data:`zgc_geo.importing.plots.OUTPUT_COLUMNS` after an import.
    """
    rng = np.random.default_rng(seed)
    parks = load_layer("parks").to_crs(ANALYSIS_CRS)
    areas = parks.area.to_numpy()
    quotas = np.maximum(1, np.floor(areas / areas.sum() * count)).astype(int)
    quotas[np.argmax(areas)] += count - quotas.sum()
    cell = float(np.sqrt(areas.sum() / count)) * 0.9
    while True:  # shrink the lattice until every park has room for its plots
        centres = [_cells_inside(park, cell) for park in parks.geometry]
        if all(len(c) >= q for c, q in zip(centres, quotas, strict=True)):
            break
        cell *= 0.95
    picked = [c[rng.choice(len(c), q, replace=False)] for c, q in zip(centres, quotas, strict=True)]
    xy = np.concatenate(picked)
    park_id = np.repeat(parks["park_id"].to_numpy(), quotas)
    order = rng.permutation(count)
    xy, park_id = xy[order], park_id[order]

    half = cell / 2 * rng.uniform(*PLOT_SHARE, (count, 4, 2)) * np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]])
    ring = np.concatenate([half, half[:, :1]], axis=1) + xy[:, None, :]
    metric = shapely.polygons(ring)
    to_wgs84 = pyproj.Transformer.from_crs(ANALYSIS_CRS, STORAGE_CRS, always_xy=True)
    lon, lat = to_wgs84.transform(ring[..., 0], ring[..., 1])
    outlines = shapely.polygons(np.stack([np.round(lon, 7), np.round(lat, 7)], axis=-1))

    area = shapely.area(metric)
    codes = rng.choice(list(LAND_USE), count, p=[0.46, 0.24, 0.08, 0.07, 0.05, 0.06, 0.04])
    status = rng.choice(STATUS_WORDS, count, p=[0.30, 0.30, 0.15, 0.20, 0.05])
    far = np.where(rng.random(count) < 0.15, 0.0, rng.uniform(0.2, 1.6, count)).round(2)
    output = rng.lognormal(np.log(250.0), 0.7, count).round(1)
    no_economics = rng.random(count) < 0.2
    reported = np.where(rng.random(count) < 0.3, (area * rng.uniform(0.97, 1.03, count)).round(1), np.nan)
    text = pd.StringDtype()
    frame = pd.DataFrame(
        {
            "plot_id": pd.array([f"bench-{i:06d}" for i in range(count)], dtype=text),
            "name": pd.array([f"【示例】合成地块 {i + 1}号" for i in range(count)], dtype=text),
            "park_id": pd.array(park_id, dtype=text),
            "land_use_code": pd.array(codes, dtype=text),
            "land_use_class": pd.array([LAND_USE[c] for c in codes], dtype=text),
            "area_m2": area,
            "area_mu": area / M2_PER_MU,
            "area_reported_m2": reported,
            "far_current": far,
            "far_permitted": rng.uniform(1.0, 3.5, count).round(1),
            "floor_area_m2": (area * far * rng.uniform(0.95, 1.05, count)).round(0),
            "idle_since": pd.array(rng.integers(2008, 2025, count), dtype="Int64"),
            "land_rights": pd.array(np.where(rng.random(count) < 0.15, "collective", "state"), dtype=text),
            "owner": pd.array([f"示例实业有限公司 {i % 5000 + 1}" for i in range(count)], dtype=text),
            "status": pd.array(status, dtype=text),
            "output_per_mu_wan": np.where(no_economics, np.nan, output),
            "tax_per_mu_wan": np.where(
                no_economics, np.nan, (output * rng.uniform(0.03, 0.12, count)).round(1)
            ),
        }
    )
    assert tuple(frame.columns) == OUTPUT_COLUMNS, "the canonical plot columns changed: update the benchmark"
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(outlines, crs=STORAGE_CRS))


def _cells_inside(park: shapely.Geometry, cell: float) -> np.ndarray:
    """Centres (x, y) of the lattice cells of size ``cell`` whose centre lies in ``park``.

    The lattice is anchored at 0, 0, so cells of neighbouring parks coincide and never overlap.
    """
    xmin, ymin, xmax, ymax = park.bounds
    xs = (np.arange(np.floor(xmin / cell), np.ceil(xmax / cell)) + 0.5) * cell
    ys = (np.arange(np.floor(ymin / cell), np.ceil(ymax / cell)) + 0.5) * cell
    x, y = (a.ravel() for a in np.meshgrid(xs, ys))
    inside = shapely.contains_xy(park, x, y)
    return np.stack([x[inside], y[inside]], axis=1)


def decision_plan(plots: int, decisions: int, seed: int = 2016) -> list[tuple[str, dict[str, str]]]:
    """Which plots are decided and how: distinct plots, a review status and a note each."""
    rng = np.random.default_rng(seed + 1)
    statuses = [s for s in REVIEW_STATUSES if s != "unreviewed"]
    chosen = rng.choice(plots, decisions, replace=False)
    return [
        (f"bench-{p:06d}", {"review_status": statuses[i % len(statuses)], "note": f"基准测试 {i + 1}"})
        for i, p in enumerate(chosen)
    ]


# --------------------------------------------------------------------------------------------- worker
class LockProbe:
    """Another session beside the import: every 10 ms it tries to take the write lock, and to read.

    It measures from outside what other users meet while an import is stored, without touching
    the store: GeoPackage – ``BEGIN IMMEDIATE`` (the lock every write queues on) and a
    ``SELECT`` on the file, both with no busy timeout; PostGIS – ``pg_try_advisory_lock`` on the
    audit chain's lock (every audited write takes it) and a ``SELECT`` with a 10 ms lock timeout.
    The result is the longest stretch each was refused: how long a writer, or a reader, waited.
    """

    interval_s: Final = 0.01

    def __init__(self, address: str) -> None:
        self._address = address
        self._samples: list[tuple[float, bool, bool]] = []  # (time, could write, could read)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._error: str | None = None

    def __enter__(self) -> LockProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            write, read, close = _probes(self._address)
        except Exception as error:  # the probe is extra information: never fail the benchmark for it
            self._error = f"{type(error).__name__}: {error}"
            return
        try:
            while not self._stop.wait(self.interval_s):
                self._samples.append((time.perf_counter(), write(), read()))
        finally:
            close()

    def blocked_seconds(self) -> dict[str, float | str | None]:
        """The longest time writers and readers were refused (None when the probe could not run)."""
        if self._error is not None or not self._samples:
            return {"writers": None, "readers": None, "probe_error": self._error}
        return {"writers": _longest_refusal(self._samples, 1), "readers": _longest_refusal(self._samples, 2)}


def _longest_refusal(samples: list[tuple[float, bool, bool]], which: int) -> float:
    """The longest stretch from a refused sample to the next successful one."""
    longest, since = 0.0, None
    for sample in samples:
        if not sample[which] and since is None:
            since = sample[0]
        elif sample[which] and since is not None:
            longest, since = max(longest, sample[0] - since), None
    if since is not None:
        longest = max(longest, samples[-1][0] - since)
    return longest


def _probes(address: str) -> tuple[Callable[[], bool], Callable[[], bool], Callable[[], None]]:
    """(try to take the write lock, try to read, close) for the workspace at ``address``."""
    if not address.startswith(("postgresql://", "postgres://")):
        conn = sqlite3.connect(address, timeout=0, isolation_level=None, check_same_thread=False)

        def write() -> bool:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                return False
            conn.execute("ROLLBACK")
            return True

        def read() -> bool:
            try:
                conn.execute("SELECT count(*) FROM zgc_decisions").fetchone()
            except sqlite3.OperationalError:
                return False
            return True

        return write, read, conn.close
    import psycopg  # noqa: PLC0415 - only when PostGIS is benchmarked

    from zgc_geo.workspace import postgis_schema  # noqa: PLC0415

    lock = postgis_schema.AUDIT_LOCK
    pg = psycopg.connect(address, autocommit=True)
    pg.execute("SET lock_timeout = '10ms'")

    def pg_write() -> bool:
        taken = bool(pg.execute("SELECT pg_try_advisory_lock(%s)", (lock,)).fetchone()[0])  # type: ignore[index]
        if taken:
            pg.execute("SELECT pg_advisory_unlock(%s)", (lock,))
        return taken

    def pg_read() -> bool:
        try:
            pg.execute("SELECT count(*) FROM zgc_geo.zgc_inventories").fetchone()
        except psycopg.errors.LockNotAvailable:
            return False
        return True

    return pg_write, pg_read, pg.close


def worker(step: str, address: str, plots: int, decisions: int, park: str) -> dict[str, Any]:
    """Run one step against the workspace at ``address`` in this (fresh) process; its measurements."""
    store = open_workspace(address)
    meter = Meter()
    result: dict[str, Any] = {"step": step}
    if step == "import":
        inventory = make_inventory(plots)  # not timed
        result["rss_start_bytes"] = _rss_bytes()
        with LockProbe(address) as probe, meter.stage(step):
            info = store.save_inventory(
                INVENTORY, inventory, title="基准测试 synthetic inventory", source="bench_workspace.py",
                user=ADMIN, synthetic=True,
            )  # fmt: skip
        result["rows"] = info.plot_count
        result["blocked"] = probe.blocked_seconds()
    elif step == "open":
        result["rss_start_bytes"] = _rss_bytes()
        with meter.stage(step):
            result["rows"] = len(store.inventories())
    else:
        store.inventories()  # the first call of the process is "open", shown on its own
        result["rss_start_bytes"] = _rss_bytes()
        if step == "park":
            with meter.stage(step):
                frame = store.load_inventory(INVENTORY, PlotFilter(park_ids=(park,)))
            result["rows"] = len(frame)
            result["parks"] = sorted(frame["park_id"].unique().tolist())
        elif step == "load":
            with meter.stage(step):
                frame = store.load_inventory(INVENTORY)
            result["rows"] = len(frame)
        elif step == "decide":
            plan = decision_plan(plots, decisions)
            each = []
            with meter.stage(step):
                for plot_id, changes in plan:
                    began = time.perf_counter()
                    store.record_decision(
                        INVENTORY, plot_id, changes, expected_version=0, user=REVIEWER,
                        note="bench_workspace.py",
                    )  # fmt: skip
                    each.append(time.perf_counter() - began)
            result["rows"] = len(plan)
            result["each_seconds"] = [float(np.median(each)), float(np.percentile(each, 95)), max(each)]
        elif step == "verify":
            with meter.stage(step):
                report = store.verify()
            result["rows"] = report.rows_checked
            result["intact"] = report.intact
            result["findings"] = [f.message for f in report.findings[:3]]
            result["notes"] = list(report.notes)
        else:
            raise SystemExit(f"unknown step {step!r}; valid: {', '.join(STEPS)}")
    meter.close()
    stage = meter.results[step]
    result.update(seconds=stage["seconds"], peak_bytes=stage["peak_bytes"], exact_peaks=meter.exact)
    return result


# --------------------------------------------------------------------------------------------- PostGIS
def _postgis_server_module() -> Any:
    """tests/postgis_server.py, imported by path (tests/ is not a package)."""
    path = REPO_ROOT / "tests" / "postgis_server.py"
    spec = importlib.util.spec_from_file_location("zgc_bench_postgis_server", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def _make_durable(url: str) -> str:
    """Turn the test server's speed-ups off again (reloaded, no restart); the server's version."""
    import psycopg  # noqa: PLC0415 - only when PostGIS is benchmarked

    with psycopg.connect(url, autocommit=True) as conn:
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            conn.execute(f"ALTER SYSTEM SET {setting} = on")
        conn.execute("SELECT pg_reload_conf()")
    deadline = time.monotonic() + 10
    while True:
        with psycopg.connect(url) as conn:
            values = [conn.execute(f"SHOW {s}").fetchone()[0] for s in ("fsync", "full_page_writes")]  # type: ignore[index]
            version = conn.execute(
                "SELECT current_setting('server_version'), postgis_lib_version()"
            ).fetchone()
        if values == ["on", "on"]:
            return f"PostgreSQL {version[0]}, PostGIS {version[1]}"  # type: ignore[index]
        if time.monotonic() > deadline:
            raise SystemExit(
                f"the benchmark server did not turn fsync back on (fsync, full_page_writes: {values})"
            )
        time.sleep(0.1)


def _table_bytes(url: str) -> int:
    import psycopg  # noqa: PLC0415

    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT pg_total_relation_size(%s)", (f"zgc_geo.plots__{INVENTORY}",)).fetchone()
    return int(row[0]) if row else 0


# --------------------------------------------------------------------------------------------- driver
def _run_step(step: str, address: str, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, __file__, "--worker", step, address, "--plots", str(args.plots),
               "--decisions", str(args.decisions), "--park", args.park]  # fmt: skip
    env = {**os.environ, "ZGC_GEO_USER": REVIEWER}
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=True, env=env, timeout=3600)
    except subprocess.CalledProcessError as exc:
        raise SystemExit(f"step {step} failed on {address}:\n{exc.stderr}") from exc
    return json.loads(done.stdout.strip().splitlines()[-1])


def _run_backend(address: str, args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    results = {}
    for step in STEPS:
        print(f"  {step} …", flush=True)
        results[step] = _run_step(step, address, args)
    return results


CALLS: Final[dict[str, Callable[[argparse.Namespace], str]]] = {
    "import": lambda a: f"save_inventory({a.plots:,} plots)",
    "open": lambda a: "first call of a process (inventories())",
    "park": lambda a: f"load_inventory(PlotFilter(park_ids=('{a.park}',)))",
    "load": lambda a: "load_inventory() – every plot",
    "decide": lambda a: f"record_decision × {a.decisions:,}",
    "verify": lambda a: "verify() – chain + replay",
}


def _detail(step: str, row: dict[str, Any]) -> str:
    text = f"{row['rows']:,} plots"
    if step == "import":
        blocked = row["blocked"]
        text += (
            f" (lock probe failed: {blocked['probe_error']})"
            if blocked["writers"] is None
            else f"; meanwhile writers waited {blocked['writers']:.2f} s, readers {blocked['readers']:.2f} s"
        )
    elif step == "park":
        text += f" of {', '.join(row['parks'])}"
    elif step == "decide":
        median, p95, worst = (s * 1000 for s in row["each_seconds"])
        text = f"per call: median {median:.1f} ms, p95 {p95:.1f} ms, max {worst:.0f} ms"
    elif step == "verify":
        verdict = "INTACT" if row["intact"] else "BROKEN: " + "; ".join(row["findings"])
        text = f"{row['rows']:,} audit rows, {verdict}"
    elif step == "open":
        text = f"{row['rows']} inventory"
    return text


def _report(backend: str, where: str, size_bytes: int, results: dict[str, dict[str, Any]],
            args: argparse.Namespace) -> None:  # fmt: skip
    print(f"\n== {backend}: {where}; inventory after import: {size_bytes / MIB:,.1f} MiB")
    print(f"{'step':<7} {'store call':<50} {'seconds':>8} {'peak MiB':>9} {'+MiB':>6}  result")
    for step in STEPS:
        row = results[step]
        grown = (row["peak_bytes"] - row["rss_start_bytes"]) / MIB
        print(
            f"{step:<7} {CALLS[step](args):<50} {row['seconds']:>8.3f} {row['peak_bytes'] / MIB:>9,.0f} "
            f"{grown:>6,.0f}  {_detail(step, row)}"
        )


def _summary(all_results: dict[str, dict[str, dict[str, Any]]], args: argparse.Namespace) -> None:
    names = list(all_results)
    print(f"\n== summary ({args.plots:,} plots, {args.decisions:,} decisions): seconds / peak RSS MiB")
    print(f"{'step':<7} " + " ".join(f"{name:>22}" for name in names))
    for step in STEPS:
        rows = [all_results[n][step] for n in names]
        cells = [f"{r['seconds']:>10.3f} s {r['peak_bytes'] / MIB:>6,.0f} MiB" for r in rows]
        print(f"{step:<7} " + " ".join(f"{c:>22}" for c in cells))


def _grant_reviewer(address: str | Path) -> None:
    """Create the workspace as ADMIN and make REVIEWER an editor of every park: each decision is checked
    against the reviewer's parks, as a park office's would be."""
    store = open_workspace(address)
    store.init()
    parks = (*load_layer("parks")["park_id"].astype(str), OUTSIDE)
    store.grant(REVIEWER, "editor", parks, by=ADMIN)


def _bench_geopackage(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="zgc-bench-workspace-") as scratch:
        path = Path(scratch) / "workspace.gpkg"
        _grant_reviewer(path)
        print(f"\nGeoPackage {path}:", flush=True)
        results = _run_backend(str(path), args)
        _report("GeoPackage", f"{path} (SQLite, synchronous=FULL)", path.stat().st_size, results, args)
    return results


def _bench_postgis(args: argparse.Namespace) -> tuple[dict[str, dict[str, Any]] | None, str | None]:
    """The PostGIS results, or None and why they are missing (no PostgreSQL, or it did not start)."""
    module = _postgis_server_module()
    try:
        server = module.PostgisServer()
        server.start()
    except module.PostgisUnavailableError as error:
        return None, f"{error}; to benchmark it too: sudo apt-get install postgresql postgresql-15-postgis-3"
    except RuntimeError as error:
        return None, f"the private PostgreSQL server did not start: {error}"
    with server:
        database = server.new_database()
        version = _make_durable(database.admin_url)
        open_workspace(database.admin_url).init()  # as the superuser, as an admin would
        _grant_reviewer(database.app_url)
        print(f"\nPostGIS {database.app_url} ({version}):", flush=True)
        results = _run_backend(database.app_url, args)
        where = f"{database.app_url} ({version}; a member of zgc_geo_app; TCP on 127.0.0.1)"
        _report("PostGIS", where, _table_bytes(database.admin_url), results, args)
    return results, None


def _commit() -> str:
    """The checked-out commit, and whether the working tree differs from it (the figures' context)."""
    try:
        head = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
        dirty = subprocess.run(["git", "-C", str(REPO_ROOT), "status", "--porcelain", "--", "zgc_geo"],
                               capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "an unknown commit (no git)"
    return f"commit {head}" + (" with uncommitted changes in zgc_geo/" if dirty else "")


def _load() -> str:
    """The 1, 5 and 15-minute load averages ("n/a" where the system has none)."""
    try:
        return ", ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "n/a"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plots", type=int, default=100_000, help="plots in the synthetic inventory")
    parser.add_argument("--decisions", type=int, default=1_000, help="decisions recorded one by one")
    parser.add_argument("--park", default=DEFAULT_PARK, help="park_id read by the filtered load")
    parser.add_argument("--backends", default="gpkg,postgis", help=f"comma-separated: {', '.join(BACKENDS)}")
    parser.add_argument("--worker", nargs=2, metavar=("STEP", "ADDRESS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker[0], args.worker[1], args.plots, args.decisions, args.park)))
        return 0
    if args.plots < 16:
        parser.error("--plots must be at least 16 (one per park)")
    if not 0 < args.decisions <= args.plots:
        parser.error("--decisions must be between 1 and --plots (each decision is on another plot)")
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if unknown := [b for b in backends if b not in BACKENDS]:
        parser.error(f"unknown backend(s) {', '.join(unknown)}; valid: {', '.join(BACKENDS)}")

    print(f"zgc-geo workspace benchmark on {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(
        f"geopandas {gpd.__version__}, shapely {shapely.__version__} (GEOS {shapely.geos_version_string}), "
        f"SQLite {sqlite3.sqlite_version}"
    )
    print(
        "(seconds: the store call alone, in a fresh process after its imports; peak MiB: the process's "
        "peak RSS during the call (kernel VmHWM, reset when it starts); +MiB: that peak above the RSS "
        "at the start of the call. The PostgreSQL server's own memory is not included.)"
    )
    print(f"zgc-geo at {_commit()}; load average at start: {_load()}")
    os.environ["ZGC_GEO_USER"] = ADMIN  # whoever creates a workspace is its admin
    all_results: dict[str, dict[str, dict[str, Any]]] = {}
    skipped: str | None = None
    if "gpkg" in backends:
        all_results["GeoPackage"] = _bench_geopackage(args)
    if "postgis" in backends:
        postgis, skipped = _bench_postgis(args)
        if postgis is not None:
            all_results["PostGIS"] = postgis
    if skipped:
        print(f"\nPostGIS half skipped: {skipped}")
    if len(all_results) > 1:
        _summary(all_results, args)
    print(f"\nload average at the end: {_load()} (other work on the machine slows every figure)")
    intact = all(r["verify"]["intact"] for r in all_results.values())
    print("\nevery workspace verified intact" if intact else "\nVERIFICATION FAILED")
    return 0 if intact else 1


if __name__ == "__main__":
    sys.exit(main())
