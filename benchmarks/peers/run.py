"""``make bench-peers``: zgc-geo's whole commands beside GDAL, QGIS, PostGIS, GeoPandas and friends.

The same seeded synthetic data (``prepare.py``: 10k / 100k / 1M plots over Beijing, the 16 parks, the
suitability factor layers with synthetic rail-station points) go through every peer. Each figure is a
whole process — interpreter or program start-up, reading, computing and writing included — run
``--repeat`` times (default 3): median, min and max wall-clock seconds and the highest peak RSS of any
run. A peer that is not installed is reported as *skipped*, one that fails or runs out of time as
*failed* / *timeout*, each with its reason and no number (``report.check`` refuses anything else).

    python benchmarks/peers/run.py                       # 10k, 100k, 1M; every installed peer
    python benchmarks/peers/run.py --sizes 10k --repeat 3
    python benchmarks/peers/run.py --readme README.md --quiet-machine   # publish in the README

Writes ``benchmarks/results/peers.json`` and ``peers.md``; with ``--readme`` it rewrites the README's
marker-delimited block (figures there only with ``--quiet-machine``: say so only when nothing else ran).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

HERE: Final = Path(__file__).resolve().parent
ROOT: Final = HERE.parents[1]
sys.path.insert(0, str(HERE))
import report  # noqa: E402

PY: Final = sys.executable
SCRIPTS: Final = HERE / "scripts"
QGIS_BIN_DIRS: Final = ("/usr/lib/qgis", "/usr/libexec/qgis")

#: Runs a list of commands one after the other in a bare interpreter and prints their total time and the
#: highest peak RSS among them (kernel rusage from wait4). A bare interpreter launches them because Linux
#: carries a process's RSS high-water mark across fork + exec: launched from the driver, a command would
#: inherit the driver's peak. A command past the deadline is killed with its whole process group.
LAUNCHER: Final = """
import json, os, signal, subprocess, sys, time
steps, timeout = json.loads(sys.argv[1]), float(sys.argv[2])
start, peak, code, stderr, timed_out = time.perf_counter(), 0, 0, b"", False
for step in steps:
    proc = subprocess.Popen(step, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    os.set_blocking(proc.stderr.fileno(), False)
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        chunk = proc.stderr.read()
        if chunk:
            stderr = (stderr + chunk)[-4000:]
        if pid:
            break
        if time.perf_counter() - start > timeout:
            os.killpg(proc.pid, signal.SIGKILL)
            pid, status, usage = os.wait4(proc.pid, 0)
            timed_out = True
            break
        time.sleep(0.005)
    peak = max(peak, usage.ru_maxrss * 1024)
    code = os.waitstatus_to_exitcode(status)
    if code != 0 or timed_out:
        break
print(json.dumps({"seconds": time.perf_counter() - start, "peak_bytes": peak, "code": code,
                  "timed_out": timed_out, "stderr": stderr.decode(errors="replace")[-2000:]}))
"""


def measure(steps: list[list[str]], timeout_s: float, env: dict[str, str] | None = None) -> dict[str, Any]:
    """One whole run of ``steps`` (see :data:`LAUNCHER`)."""
    done = subprocess.run(
        [PY, "-S", "-c", LAUNCHER, json.dumps(steps), str(timeout_s)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    )
    return json.loads(done.stdout)


# --------------------------------------------------------------------------------------------- peers
@dataclass
class Peer:
    """One tool on one task: how to run it, what it needs, what to delete before each run."""

    tool: str
    label: str
    steps: Callable[[], list[list[str]]]
    needs: tuple[str, ...] = ()  # executables on PATH, or "py:module" importable in this interpreter
    outputs: tuple[Path, ...] = ()
    subset: bool = False
    note: str = ""
    env: dict[str, str] = field(default_factory=dict)
    missing: str | None = None  # set when something else it needs is absent (e.g. PostGIS)


@dataclass
class Context:
    data: Path
    work: Path
    zgc: str
    qgis: str | None
    postgis: Any | None  # tests.postgis_server.PostgisDatabase
    postgis_missing: str


def _module_available(name: str) -> bool:
    done = subprocess.run([PY, "-c", f"import {name}"], capture_output=True, check=False)
    return done.returncode == 0


def missing(peer: Peer) -> str | None:
    """Why ``peer`` cannot run here (None when it can)."""
    if peer.missing:
        return peer.missing
    absent = [
        need
        for need in peer.needs
        if not (_module_available(need[3:]) if need.startswith("py:") else shutil.which(need))
    ]
    if absent:
        names = ", ".join(n.removeprefix("py:") for n in absent)
        return f"not installed: {names} (sudo tools/install_peers.sh)"
    return None


def qgis_process() -> str | None:
    """Debian 12's ``qgis_process.bin`` (its wrapper passes an option 3.22 rejects), else ``qgis_process``."""
    for folder in QGIS_BIN_DIRS:
        candidate = Path(folder) / "qgis_process.bin"
        if candidate.exists():
            return str(candidate)
    return shutil.which("qgis_process.bin") or shutil.which("qgis_process")


def stock_peers(ctx: Context, size: str) -> list[Peer]:
    plots, parks, w = ctx.data / f"plots_{size}.gpkg", ctx.data / "parks.gpkg", ctx.work
    sql_join = (
        "SELECT p.plot_id, p.far_current, COALESCE((SELECT k.park_id FROM parks k "
        "WHERE ST_Within(ST_PointOnSurface(p.geom), k.geom)), 'outside') AS park_id, "
        "ST_Area(p.geom) AS area_m2, ST_Area(p.geom) * p.far_current AS floor_area_m2, p.geom FROM plots p"
    )
    sql_sums = (
        "SELECT park_id, COUNT(*) AS plots, SUM(area_m2) AS area_m2, SUM(floor_area_m2) AS floor_area_m2 "
        "FROM plots GROUP BY park_id"
    )
    q = ctx.qgis or "qgis_process"
    qgis_env = {"QT_QPA_PLATFORM": "offscreen"}
    peers = [
        Peer(
            "zgc-geo",
            "`zgc-geo stock`",
            lambda: [[ctx.zgc, "stock", str(plots), "--out", str(w / "zgc.gpkg")]],
            outputs=(w / "zgc.gpkg",),
            note="whole command: validation report, per-park summary, FAR scenario, priorities",
        ),
        Peer(
            "geopandas",
            "plain GeoPandas script",
            lambda: [[PY, str(SCRIPTS / "geopandas_stock.py"), str(plots), str(parks), str(w / "gpd.gpkg")]],
            needs=("py:geopandas",),
            outputs=(w / "gpd.gpkg",),
            note="read, repair, reproject, join (point on surface), sum per park, write GeoPackage",
        ),
        Peer(
            "ogr2ogr",
            "GDAL `ogr2ogr` + SQL",
            lambda: [
                [
                    "ogr2ogr",
                    "-f",
                    "GPKG",
                    str(w / "ogr_work.gpkg"),
                    str(plots),
                    "plots",
                    "-makevalid",
                    "-t_srs",
                    "EPSG:4548",
                    "-nlt",
                    "PROMOTE_TO_MULTI",
                    "-nln",
                    "plots",
                ],
                [
                    "ogr2ogr",
                    "-update",
                    str(w / "ogr_work.gpkg"),
                    str(parks),
                    "parks",
                    "-t_srs",
                    "EPSG:4548",
                    "-nln",
                    "parks",
                ],
                [
                    "ogr2ogr",
                    "-f",
                    "GPKG",
                    str(w / "ogr.gpkg"),
                    str(w / "ogr_work.gpkg"),
                    "-dialect",
                    "SQLite",
                    "-sql",
                    sql_join,
                    "-nln",
                    "plots",
                ],
                [
                    "ogr2ogr",
                    "-update",
                    str(w / "ogr.gpkg"),
                    str(w / "ogr.gpkg"),
                    "-dialect",
                    "SQLite",
                    "-sql",
                    sql_sums,
                    "-nln",
                    "per_park_summary",
                ],
            ],
            needs=("ogr2ogr",),
            outputs=(w / "ogr_work.gpkg", w / "ogr.gpkg"),
            note="4 commands: -makevalid -t_srs; point-on-surface join and area in SpatiaLite SQL; sums",
        ),
        Peer(
            "qgis",
            "QGIS `qgis_process`",
            lambda: [
                [
                    q,
                    "run",
                    "native:fixgeometries",
                    "--",
                    f"INPUT={plots}|layername=plots",
                    f"OUTPUT={w / 'q1.gpkg'}",
                ],
                [
                    q,
                    "run",
                    "native:reprojectlayer",
                    "--",
                    f"INPUT={w / 'q1.gpkg'}",
                    "TARGET_CRS=EPSG:4548",
                    f"OUTPUT={w / 'q2.gpkg'}",
                ],
                [
                    q,
                    "run",
                    "native:fieldcalculator",
                    "--",
                    f"INPUT={w / 'q2.gpkg'}",
                    "FIELD_NAME=area_m2",
                    "FIELD_TYPE=0",
                    "FIELD_LENGTH=20",
                    "FIELD_PRECISION=3",
                    "FORMULA=area($geometry)",
                    f"OUTPUT={w / 'q3.gpkg'}",
                ],
                [
                    q,
                    "run",
                    "native:pointonsurface",
                    "--",
                    f"INPUT={w / 'q3.gpkg'}",
                    "ALL_PARTS=false",
                    f"OUTPUT={w / 'q4.gpkg'}",
                ],
                [
                    q,
                    "run",
                    "native:joinattributesbylocation",
                    "--",
                    f"INPUT={w / 'q4.gpkg'}",
                    f"JOIN={parks}",
                    "PREDICATE=5",
                    "METHOD=1",
                    "JOIN_FIELDS=park_id",
                    f"OUTPUT={w / 'qgis.gpkg'}",
                ],
                [
                    q,
                    "run",
                    "qgis:statisticsbycategories",
                    "--",
                    f"INPUT={w / 'qgis.gpkg'}",
                    "VALUES_FIELD_NAME=area_m2",
                    "CATEGORIES_FIELD_NAME=park_id",
                    f"OUTPUT={w / 'qgis_sums.csv'}",
                ],
            ],
            needs=(q,),
            env=qgis_env,
            outputs=tuple(
                w / n for n in ("q1.gpkg", "q2.gpkg", "q3.gpkg", "q4.gpkg", "qgis.gpkg", "qgis_sums.csv")
            ),
            note="6 algorithms: fix, reproject, area, point on surface, join (within), statistics by park; "
            "its result layer holds the points, not the outlines; floor area not summed",
        ),
    ]
    peers += postgis_peers(ctx, plots, parks)
    return peers


def postgis_peers(ctx: Context, plots: Path, parks: Path) -> list[Peer]:
    db = ctx.postgis
    pg = "" if db is None else f"PG:host={db.host} port={db.port} dbname={db.name} user=postgres"
    url = "" if db is None else db.admin_url
    load = [
        [
            "ogr2ogr",
            "-f",
            "PostgreSQL",
            pg,
            str(plots),
            "plots",
            "-nln",
            "plots",
            "-overwrite",
            "-lco",
            "GEOMETRY_NAME=geom",
        ],
        [
            "ogr2ogr",
            "-f",
            "PostgreSQL",
            pg,
            str(parks),
            "parks",
            "-nln",
            "parks",
            "-overwrite",
            "-lco",
            "GEOMETRY_NAME=geom",
        ],
    ]
    query = (
        "DROP TABLE IF EXISTS stock_result; "
        "CREATE TABLE stock_result AS WITH k AS (SELECT park_id, ST_Transform(geom, 4548) AS g FROM parks), "
        "p AS (SELECT plot_id, far_current, ST_Transform(ST_MakeValid(geom), 4548) AS g FROM plots) "
        "SELECT p.plot_id, COALESCE((SELECT k.park_id FROM k WHERE ST_Within(ST_PointOnSurface(p.g), k.g) "
        "LIMIT 1), 'outside') AS park_id, ST_Area(p.g) AS area_m2, ST_Area(p.g) * p.far_current "
        "AS floor_area_m2, p.g AS geom FROM p; "
        "SELECT park_id, COUNT(*), SUM(area_m2), SUM(floor_area_m2) FROM stock_result GROUP BY park_id;"
    )
    absent = None if db is not None else ctx.postgis_missing
    return [
        Peer(
            "postgis-load",
            "PostGIS: load (`ogr2ogr` → PostgreSQL)",
            lambda: load,
            needs=("ogr2ogr",),
            missing=absent,
            note="plots and parks into a private PostGIS cluster, GiST index included",
        ),
        Peer(
            "postgis-query",
            "PostGIS: query (`psql`)",
            lambda: [["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", query]],
            needs=("psql", "ogr2ogr"),
            missing=absent,
            note="make valid, transform, point-on-surface join, area, sums; after the load",
        ),
    ]


def zonal_peers(ctx: Context, size: str) -> list[Peer]:
    plots, raster, w = ctx.data / f"zonal_{size}.gpkg", ctx.data / "zonal.tif", ctx.work

    def script(name: str) -> Callable[[], list[list[str]]]:
        return lambda: [
            [PY, str(SCRIPTS / f"zonal_{name}.py"), str(plots), str(raster), str(w / f"{name}.csv")]
        ]

    return [
        Peer(
            "zgc-geo",
            "zgc-geo zonal path (`zgc_geo.siting.zonal`)",
            script("zgc"),
            subset=True,
            outputs=(w / "zgc.csv",),
            note="library call in a small script (`zgc-geo site` runs it inside "
            "its ranking); cell centres inside",
        ),
        Peer(
            "exactextract",
            "exactextract (Python)",
            script("exactextract"),
            needs=("py:exactextract",),
            outputs=(w / "exactextract.csv",),
            note="mean weighted by each cell's covered fraction",
        ),
        Peer(
            "rasterstats",
            "rasterstats `zonal_stats`",
            script("rasterstats"),
            needs=("py:rasterstats",),
            outputs=(w / "rasterstats.csv",),
            note="cell centres inside",
        ),
    ]


#: The --distance-layer of each suitability comparison: a point layer and a line layer.
EXTRA_LAYERS: Final = {"stations": "station points", "rail_lines": "rail lines"}


def suitability_peers(ctx: Context, extra: str) -> list[Peer]:
    meta = json.loads((ctx.data / "suitability.json").read_text(encoding="utf-8"))
    w, gpkg, res = ctx.work, str(ctx.data / "suitability.gpkg"), f"{meta['resolution_m']:g}"
    extent = ["-te", *(f"{v:.3f}" for v in meta["bounds"]), "-tr", res, res]
    steps: list[list[str]] = []
    letters: dict[str, Path] = {}
    terms = []
    for letter, factor in zip("ABCDFGH", meta["factors"], strict=False):
        burnt, fid = w / f"gdal_{factor['id']}_burnt.tif", factor["id"]
        touched = ["-at"] if factor["kind"] == "distance" else []
        layer = extra if fid == "user_distance" else fid
        steps.append(
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
        if factor["kind"] == "distance":
            letters[letter] = w / f"gdal_{fid}.tif"
            steps.append(
                [
                    "gdal_proximity.py",
                    "-q",
                    str(burnt),
                    str(letters[letter]),
                    "-values",
                    "1",
                    "-distunits",
                    "GEO",
                    "-maxdist",
                    f"{factor['upper']:g}",
                    "-nodata",
                    f"{factor['upper']:g}",
                    "-ot",
                    "Float32",
                ]
            )
        lower, upper = factor["lower"], factor["upper"]
        ramp = f"({letter}-{lower:g})" if factor["direction"] == "benefit" else f"({upper:g}-{letter})"
        terms.append(f"{factor['weight']:.6g}*clip({ramp}/{upper - lower:g},0,1)")
    mask = w / "gdal_mask.tif"
    steps.append(
        ["gdal_rasterize", "-q", "-l", "study_area", "-burn", "1", "-ot", "Byte", *extent, gpkg, str(mask)]
    )
    inputs = [arg for letter, path in letters.items() for arg in (f"-{letter}", str(path))]
    steps.append(
        [
            "gdal_calc.py",
            "--quiet",
            *inputs,
            "-E",
            str(mask),
            f"--outfile={w / 'gdal_suit.tif'}",
            "--type=Float32",
            "--NoDataValue=nan",
            "--hideNoData",
            f"--calc=where(E==1, 100*({' + '.join(terms)}), nan)",
            "--overwrite",
            "--co=TILED=YES",
            "--co=COMPRESS=DEFLATE",
            "--co=PREDICTOR=3",
            "--co=BIGTIFF=IF_SAFER",
        ]
    )
    outputs = (
        *letters.values(),
        *(w / f"gdal_{f['id']}_burnt.tif" for f in meta["factors"]),
        mask,
        w / "gdal_suit.tif",
    )
    zgc = [
        ctx.zgc,
        "site",
        meta["cluster"],
        "--plots",
        str(ctx.data / "candidates.gpkg"),
        "--study-area",
        "beijing",
        "--resolution",
        res,
        "--distance-layer",
        str(ctx.data / f"{extra}.gpkg"),
        "--distance-range",
        ",".join(f"{v:g}" for v in meta["station_range"]),
        "--out",
        str(w / "site.gpkg"),
        "--raster",
        str(w / "site.tif"),
    ]
    return [
        Peer(
            "zgc-geo",
            "`zgc-geo site`",
            lambda: [zgc],
            outputs=(w / "site.gpkg", w / "site.tif"),
            note=f"whole command, --distance-layer {extra}.gpkg: 4 factors over Beijing, overlay, "
            "GeoTIFF, and ranks the 10k candidates with a ±20 % weight sensitivity test "
            "(GDAL does the raster only)",
        ),
        Peer(
            "gdal",
            "GDAL `gdal_rasterize` + `gdal_proximity.py` + `gdal_calc.py`",
            lambda: steps,
            needs=("gdal_rasterize", "gdal_proximity.py", "gdal_calc.py"),
            outputs=outputs,
            note=f"{len(steps)} commands: the same 4 factors, ramps and weights; suitability raster only",
        ),
    ]


def agreement(entries: list[dict[str, Any]], work: Path) -> None:
    """Note on GDAL's row how far its raster is from zgc-geo's (both left by their last run; not timed)."""
    if any(entry["status"] != report.OK for entry in entries):
        return
    done = subprocess.run(
        [PY, str(SCRIPTS / "compare_rasters.py"), str(work / "site.tif"), str(work / "gdal_suit.tif")],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        entries[1]["note"] += f"; rasters not compared: {done.stderr.strip().splitlines()[-1:]}"
        return
    found = json.loads(done.stdout)
    entries[1]["agreement"] = found
    entries[1]["note"] += (
        f"; its raster differs from zgc-geo's by at most {found['max_difference']:.2f} of 100 points, "
        f"{found['nodata_mismatches']:,} cells no data in only one"
        if found["same_grid"]
        else "; its grid differs from zgc-geo's"
    )


#: The per-park table each land-stock tool leaves in the work folder (PostGIS keeps its own in the database).
STOCK_TABLES: Final = {
    "zgc-geo": "zgc.gpkg",
    "geopandas": "gpd.gpkg",
    "ogr2ogr": "ogr.gpkg",
    "qgis": "qgis_sums.csv",
}


def stock_agreement(entries: list[dict[str, Any]], work: Path, parks: Path) -> None:
    """Note on each peer's row whether it counts the same plots per park as zgc-geo (not timed)."""
    done_ok = {e["tool"] for e in entries if e["status"] == report.OK and e["tool"] in STOCK_TABLES}
    if "zgc-geo" not in done_ok or len(done_ok) < 2:
        return
    pairs = [f"{tool}={work / STOCK_TABLES[tool]}" for tool in STOCK_TABLES if tool in done_ok]
    done = subprocess.run(
        [PY, str(SCRIPTS / "compare_stock.py"), str(parks), *pairs],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print(f"  per-park counts not compared: {done.stderr.strip()[-300:]}", flush=True)
        return
    found = json.loads(done.stdout)
    for entry in entries:
        if entry["tool"] in found:
            diff = found[entry["tool"]]
            entry["agreement"] = diff
            entry["note"] += (
                "; per-park plot counts equal zgc-geo's"
                if diff["parks_differing"] == 0
                else f"; per-park plot counts differ from zgc-geo's in {diff['parks_differing']} parks "
                f"(by up to {diff['max_difference']})"
            )


def zonal_agreement(entries: list[dict[str, Any]], work: Path) -> None:
    """Note on each zonal peer's row how far its means are from zgc-geo's (not timed)."""
    done_ok = [e["tool"] for e in entries if e["status"] == report.OK]
    if "zgc-geo" not in done_ok or len(done_ok) < 2:
        return
    pairs = [f"{tool}={work / ('zgc' if tool == 'zgc-geo' else tool)}.csv" for tool in done_ok]
    done = subprocess.run(
        [PY, str(SCRIPTS / "compare_zonal.py"), *pairs], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        print(f"  zonal means not compared: {done.stderr.strip()[-300:]}", flush=True)
        return
    found = json.loads(done.stdout)
    for entry in entries:
        if entry["tool"] in found and found[entry["tool"]]["max_difference"] is not None:
            diff = entry["agreement"] = found[entry["tool"]]
            entry["note"] += (
                f"; its means are within 0.01 of zgc-geo's for {diff['within_0_01']:,} of {diff['plots']:,} "
                f"plots, at most {diff['max_difference']:.3g} apart ({diff['missing']:,} without a mean)"
            )


# --------------------------------------------------------------------------------------------- running
def run_peer(peer: Peer, repeat: int, timeout_s: float) -> dict[str, Any]:
    entry: dict[str, Any] = {"tool": peer.tool, "label": peer.label, "subset": peer.subset, "note": peer.note}
    why = missing(peer)
    if why:
        print(f"  {peer.tool:<14} skipped: {why}", flush=True)
        return entry | report.skipped(why)
    steps = peer.steps()
    entry["command"] = " && ".join(" ".join(step) for step in steps)
    runs = []
    for _ in range(repeat):
        for path in peer.outputs:
            path.unlink(missing_ok=True)
        run = measure(steps, timeout_s, peer.env)
        runs.append(run)
        if run["code"] != 0 or run["timed_out"]:
            break  # a failed peer is not run again
    summary = report.summarise(runs, timeout_s)
    if summary["status"] == report.OK:
        print(
            f"  {peer.tool:<14} median {summary['median_s']:8.2f} s  (min {summary['min_s']:.2f}, "
            f"max {summary['max_s']:.2f})  peak {summary['peak_bytes'] / report.MIB:,.0f} MiB",
            flush=True,
        )
    else:
        print(f"  {peer.tool:<14} {summary['status']}: {summary['reason']}", flush=True)
    return entry | summary


@contextlib.contextmanager
def postgis_database(wanted: bool = True) -> Iterator[tuple[Any | None, str]]:
    """A private PostgreSQL + PostGIS cluster (tests/postgis_server.py), or None and why not."""
    if not wanted:
        yield None, "not requested"
        return
    sys.path.insert(0, str(ROOT))
    try:
        # Lazily: the helper lives in tests/ and only this peer needs it.
        from tests.postgis_server import PostgisServer, PostgisUnavailableError  # noqa: PLC0415
    except ImportError as exc:
        yield None, f"PostGIS helper not importable: {exc}"
        return
    server = PostgisServer()
    try:
        server.start()
        database = server.new_database()
    except PostgisUnavailableError as exc:
        server.stop()
        yield None, f"not installed: {exc}"
        return
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:  # e.g. runuser missing, no free port
        with contextlib.suppress(OSError, RuntimeError, subprocess.SubprocessError):
            server.stop()
        yield None, f"the private PostGIS cluster did not start: {exc}"
        return
    try:
        yield database, ""
    finally:
        server.stop()


def _version(command: list[str], env: dict[str, str] | None = None) -> str | None:
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env={**os.environ, **(env or {})},
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = [line.strip() for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    return lines[0] if done.returncode == 0 and lines else None


def versions(ctx: Context) -> dict[str, str]:
    found: dict[str, str | None] = {"Python": platform.python_version()}
    probe = (
        "import zgc_geo, geopandas, shapely, pyogrio; print(zgc_geo.__version__, geopandas.__version__, "
        "shapely.__version__, pyogrio.__gdal_version_string__)"
    )
    line = _version([PY, "-c", probe])
    if line:
        zgc, gpd, shp, gdal = line.split()
        found |= {"zgc-geo": zgc, "geopandas": gpd, "shapely": shp, "GDAL (pyogrio)": gdal}
    found["GDAL tools"] = _version(["ogr2ogr", "--version"])
    if ctx.qgis:
        qgis = _version([ctx.qgis, "--version"], {"QT_QPA_PLATFORM": "offscreen"})
        found["QGIS"] = qgis.removeprefix("QGIS ") if qgis else None
    for name in ("exactextract", "rasterstats"):
        found[name] = _version([PY, "-c", f"import {name}; print({name}.__version__)"])
    if ctx.postgis is not None:
        found["PostgreSQL / PostGIS"] = _version(
            [
                "psql",
                "-X",
                "-A",
                "-t",
                ctx.postgis.admin_url,
                "-c",
                "SELECT split_part(version(), ' ', 2) || ' / ' || postgis_lib_version()",
            ]
        )
    return {name: value for name, value in found.items() if value}


def machine(load_before: float) -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    memory = 0.0
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) / 2**20
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": memory,
        "load_before": load_before,
        "system": f"{platform.system()} {platform.release()}",
    }


def _size(text: str) -> int:
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def _label(size: int) -> str:
    return f"{size // 1_000_000}M" if size % 1_000_000 == 0 else f"{size // 1_000}k"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k,1M", help="plot counts: 10k,100k,1M")
    parser.add_argument("--repeat", type=int, default=3, help="whole runs per figure (at least 3)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds before a run is given up")
    parser.add_argument("--tasks", default="stock,zonal,suitability", help="which comparisons")
    parser.add_argument("--data", type=Path, help="folder to write (and reuse) the synthetic data in")
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--readme", type=Path, help="rewrite this README's bench-peers block")
    parser.add_argument(
        "--quiet-machine",
        action="store_true",
        help="declare that nothing else ran: only then the README gets the figures",
    )
    parser.add_argument(
        "--readme-only", action="store_true", help="regenerate peers.md and README from peers.json"
    )
    args = parser.parse_args(argv)
    if args.readme_only:
        publish(
            json.loads((args.results / "peers.json").read_text(encoding="utf-8")), args.results, args.readme
        )
        return 0
    if args.repeat < 3:
        print("note: fewer than 3 runs per figure; the issue asks for at least 3", file=sys.stderr)
    sizes = [_size(s) for s in args.sizes.split(",") if s.strip()]
    tasks = {t.strip() for t in args.tasks.split(",")}
    load_before = os.getloadavg()[0]
    zgc = shutil.which("zgc-geo", path=str(Path(PY).parent)) or shutil.which("zgc-geo") or "zgc-geo"
    with (
        tempfile.TemporaryDirectory(prefix="zgc-peers-") as scratch,
        postgis_database("stock" in tasks) as (db, why_not),
    ):
        data = args.data or Path(scratch) / "data"
        work = Path(scratch) / "work"
        work.mkdir(parents=True)
        print(f"writing the synthetic data to {data} (not timed) …", flush=True)
        subprocess.run([PY, str(HERE / "prepare.py"), str(data), *(str(s) for s in sizes)], check=True)
        ctx = Context(data, work, zgc, qgis_process(), db, why_not)
        results: dict[str, Any] = {
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine(load_before),
            "versions": versions(ctx),
            "repeat": args.repeat,
            "timeout_s": args.timeout,
            "quiet_machine": bool(args.quiet_machine),
            "sizes": [_label(s) for s in sizes],
            "tasks": [],
        }
        plan: list[tuple[str, str, str, list[Peer]]] = []
        for size in sizes:
            label = _label(size)
            if "stock" in tasks:
                plan.append(("stock", "land stock", label, stock_peers(ctx, label)))
            if "zonal" in tasks:
                plan.append(("zonal", "zonal means (30 m raster)", label, zonal_peers(ctx, label)))
        if "suitability" in tasks:
            for extra, what in EXTRA_LAYERS.items():
                label = f"10k candidates + {what}"
                plan.append(
                    ("suitability", "suitability, Beijing 30 m", label, suitability_peers(ctx, extra))
                )
        for key, title, label, peers in plan:
            print(f"\n== {title}, {label}", flush=True)
            entries = [run_peer(peer, args.repeat, args.timeout) for peer in peers]
            if key == "suitability":
                agreement(entries, work)
            if key == "zonal":
                zonal_agreement(entries, work)
            if key == "stock":
                stock_agreement(entries, work, data / "parks.gpkg")
            task = {"task": key, "title": title, "size": label, "entries": entries}
            report.add_ratios(task)
            results["tasks"].append(task)
    publish(results, args.results, args.readme)
    return 0


def publish(results: dict[str, Any], folder: Path, readme: Path | None) -> None:
    """Check, then write peers.json, peers.md and (optionally) the README block."""
    report.check(results)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "peers.json").write_text(
        json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (folder / "peers.md").write_text(report.markdown(results), encoding="utf-8")
    print(f"\nwrote {folder / 'peers.json'} and {folder / 'peers.md'}")
    if readme is not None:
        readme.write_text(
            report.replace_block(readme.read_text(encoding="utf-8"), report.readme_block(results)),
            encoding="utf-8",
        )
        print(f"rewrote the bench-peers block of {readme}")


if __name__ == "__main__":
    sys.exit(main())
