"""``zgc-geo stock`` as a user runs it, beside the plain GeoPandas script, at 100k and 1M plots.

The issue's yardstick for the vector path (#14): the whole command — interpreter start-up, reading, the
import checks, the analysis and writing — against ``benchmarks/peers/scripts/geopandas_stock.py`` (read,
repair, reproject, join to the parks, sums per park, write a GeoPackage) on the same seeded data, and the
command again with ``--workspace`` (the inventory stored in a new GeoPackage workspace first). The three
run in turn, ``--repeat`` rounds (so a busy spell touches all of them alike): median, min, max seconds and
the highest peak RSS, each process timed and measured by ``benchmarks/peers/run.py``'s launcher.

    python benchmarks/bench_stock_command.py                  # 100k and 1M, 3 rounds
    python benchmarks/bench_stock_command.py --sizes 100k --repeat 5

This is the subset of ``make bench-peers`` that the stock targets are judged on (no GDAL, QGIS or PostGIS
rows, so it takes minutes, not an hour). Writes ``benchmarks/results/stock_command.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Final

HERE: Final = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "peers"))
import report  # noqa: E402
import run as peers  # noqa: E402


def commands(data: Path, work: Path, size: str) -> dict[str, list[list[str]]]:
    """Each contender's command line(s) on the ``size`` inventory."""
    zgc = str(Path(peers.PY).parent / "zgc-geo")
    plots, parks = str(data / f"plots_{size}.gpkg"), str(data / "parks.gpkg")
    return {
        "geopandas": [
            [peers.PY, str(peers.SCRIPTS / "geopandas_stock.py"), plots, parks, str(work / "g.gpkg")]
        ],
        "zgc-geo": [[zgc, "stock", plots, "--out", str(work / "z.gpkg")]],
        "zgc-geo --workspace": [
            [zgc, "stock", plots, "--out", str(work / "w.gpkg"), "--workspace", str(work / "ws.gpkg")]
        ],
    }


def measure_size(data: Path, work: Path, size: str, repeat: int, timeout_s: float) -> dict[str, Any]:
    """Every contender on one size, round after round; the summaries with their ratios to GeoPandas."""
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in commands(data, work, size)}
    for round_ in range(repeat):
        for name, steps in commands(data, work, size).items():
            for old in work.iterdir():
                old.unlink()
            result = peers.measure(steps, timeout_s)
            if result["code"] != 0 or result["timed_out"]:
                raise SystemExit(f"{name} failed on {size}: {result['stderr'][-800:]}")
            runs[name].append(result)
            print(
                f"  {size} round {round_ + 1}: {name:<20} {result['seconds']:7.2f} s "
                f"{result['peak_bytes'] / report.MIB:7,.0f} MiB",
                flush=True,
            )
    summaries = {name: report.summarise(rows, timeout_s) for name, rows in runs.items()}
    base = summaries["geopandas"]
    for summary in summaries.values():
        summary["time_ratio"] = summary["median_s"] / base["median_s"]
        summary["peak_ratio"] = summary["peak_bytes"] / base["peak_bytes"]
    return summaries


def table(results: dict[str, Any]) -> str:
    """The Markdown table of one run: each size and contender, with its ratios to the GeoPandas script."""
    lines = [
        "| plots | command | median s | min–max s | peak MiB | time ÷ GeoPandas | peak ÷ GeoPandas |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for size, summaries in results["sizes"].items():
        for name, s in summaries.items():
            lines.append(
                f"| {size} | {name} | {s['median_s']:.2f} | {s['min_s']:.2f}–{s['max_s']:.2f} | "
                f"{s['peak_bytes'] / report.MIB:,.0f} | {s['time_ratio']:.2f}× | {s['peak_ratio']:.2f}× |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100k,1M", help="plot counts, e.g. 100k,1M")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (each runs every command once)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds before a run is given up")
    parser.add_argument("--data", type=Path, help="folder to write (and reuse) the synthetic data in")
    parser.add_argument("--results", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="zgc-stock-command-") as scratch:
        data = args.data or Path(scratch) / "data"
        work = Path(scratch) / "work"
        work.mkdir()
        counts = [str(peers._size(s)) for s in sizes]
        print(f"writing the synthetic data to {data} (not timed) …", flush=True)
        subprocess.run([peers.PY, str(peers.HERE / "prepare.py"), str(data), *counts], check=True)
        results: dict[str, Any] = {
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": peers.machine(load_before),
            "repeat": args.repeat,
            "sizes": {s: measure_size(data, work, s, args.repeat, args.timeout) for s in sizes},
        }
    results["load_after"] = os.getloadavg()[0]
    args.results.mkdir(parents=True, exist_ok=True)
    out = args.results / "stock_command.json"
    out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    m = results["machine"]
    print(
        f"\n{m['cpus']} CPUs ({m['cpu']}), load average {m['load_before']:.1f} before and "
        f"{results['load_after']:.1f} after; {results['date']}; {args.repeat} rounds\n"
    )
    print(table(results))
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
