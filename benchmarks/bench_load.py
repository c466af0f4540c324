"""Many people on one server at the same moment: Streamlit's own WebSocket protocol, no browser (#17).

Starts ``streamlit run app.py`` (one process) on a free loopback port over a temporary GeoPackage workspace
seeded with the demo inventory, then for N = 1, 2, 4, 8, 16 simultaneous sessions (each its own WebSocket,
see ``benchmarks/load/session.py``) runs each action for all N at once and times every session's run from
its request to the server's "script finished":

- ``open_stock``: a fresh session opens the Stock page (the first run of a tab);
- ``filter``: the same sessions narrow the park filter to one park (a widget change, a rerun);
- ``record``: each finds a plot of that park by its id in the page's search box, which opens the plot's
  record (each session its own plot, as people look at different plots).

For each N and action: median and p95 seconds, errors (a refused connection, an exception on the page), and
the server's resident memory after the action and its CPU seconds during it. Results: a table on stdout and
``benchmarks/results/load.json`` (machine, date, versions).

    python benchmarks/bench_load.py                 # N = 1, 2, 4, 8, 16
    python benchmarks/bench_load.py --sessions 1,4

Not yet covered (issue #17): recording a decision, a siting run, and several app processes behind nginx;
``make bench-load`` will run them all once they are.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any, Final

REPO_ROOT: Final = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO_ROOT), str(REPO_ROOT / "benchmarks")]

import geopandas as gpd  # noqa: E402
from load.session import Session  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402

from tests.browser.app_server import app_server  # noqa: E402
from tests.ui.workspaces import seed_elsewhere  # noqa: E402
from zgc_geo.catalogue import layer_spec  # noqa: E402

USER: Final = "bench-load"
RESULTS: Final = REPO_ROOT / "benchmarks" / "results" / "load.json"
#: The park the filter action narrows to (as the Chinese page lists it).
FILTER_PARK: Final = "海淀园"


def server_pid(base_url: str) -> int:
    """The streamlit process serving ``base_url`` (found by its port on the command line)."""
    port = base_url.rsplit(":", 1)[1]
    found = subprocess.run(
        ["pgrep", "-f", f"streamlit run .*--server.port {port}"], capture_output=True, text=True, check=False
    )
    return int(found.stdout.split()[0])


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _filter_state(session: Session) -> dict[str, WidgetState]:
    state = WidgetState()
    state.string_array_value.data.append(FILTER_PARK)
    return {session.widget_id("f_parks"): state}


def _search_state(session: Session, plot_id: str) -> dict[str, WidgetState]:
    state = WidgetState()
    state.string_value = plot_id
    return {session.widget_id("stock_search"): state}


def park_plot_ids() -> list[str]:
    """The demo inventory's plots in :data:`FILTER_PARK` (haidian), in id order."""
    plots = gpd.read_file(layer_spec("demo_stock_inventory").path)
    ids = plots.loc[plots["plot_id"].astype(str).str.contains("haidian"), "plot_id"].astype(str)
    return sorted(ids)


async def _action(sessions: list[Session], name: str, pid: int, plot_ids: list[str]) -> dict[str, Any]:
    """Run ``name`` in every session at once; its figures."""
    cpu_before = cpu_seconds(pid)

    async def one(number: int, session: Session) -> tuple[float | None, str | None]:
        try:
            if name == "open_stock":
                await session.connect()
                result = await session.run(page="stock")
            elif name == "filter":
                result = await session.run(widgets=_filter_state(session))
            else:
                plot_id = plot_ids[number % len(plot_ids)]
                result = await session.run(widgets=_search_state(session, plot_id))
                if not any(plot_id in text for text in result.texts):
                    return result.seconds, f"the record of {plot_id} did not open"
        except Exception as exc:  # every failure is counted and shown
            return None, f"{type(exc).__name__}: {exc}"
        return result.seconds, "; ".join(result.exceptions) or None

    outcomes = await asyncio.gather(*(one(n, s) for n, s in enumerate(sessions)))
    seconds = sorted(s for s, _ in outcomes if s is not None)
    errors = [e for _, e in outcomes if e]
    return {
        "median_s": statistics.median(seconds) if seconds else None,
        "p95_s": seconds[min(len(seconds) - 1, round(0.95 * (len(seconds) - 1)))] if seconds else None,
        "errors": errors,
        "server_rss_mib": rss_mib(pid),
        "server_cpu_s": cpu_seconds(pid) - cpu_before,
    }


ACTIONS: Final = ("open_stock", "filter", "record")


async def _level(base_url: str, count: int, pid: int, plot_ids: list[str]) -> dict[str, Any]:
    sessions = [Session(base_url) for _ in range(count)]
    try:
        return {name: await _action(sessions, name, pid, plot_ids) for name in ACTIONS}
    finally:
        await asyncio.gather(*(s.close() for s in sessions))


def run(levels: list[int]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="zgc_bench_load_") as scratch:
        folder = Path(scratch)
        workspace = folder / "workspace.gpkg"
        seed_elsewhere(workspace, USER)
        with app_server(workspace, USER, folder) as base_url:
            pid = server_pid(base_url)
            plot_ids = park_plot_ids()
            warm = asyncio.run(_level(base_url, 1, pid, plot_ids))  # caches filled: a warm server is measured
            baseline = rss_mib(pid)
            results = {str(n): asyncio.run(_level(base_url, n, pid, plot_ids)) for n in levels}
            after = rss_mib(pid)
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_at_end": os.getloadavg(),
            "versions": {"streamlit": version("streamlit"), "python": platform.python_version()},
        },
        "warm_up": warm,
        "server_rss_mib": {"warm": baseline, "after_all_levels": after},
        "levels": results,
    }


def report(result: dict[str, Any]) -> None:
    print(f"\n{result['date']}  one app process, warm RSS {result['server_rss_mib']['warm']:.0f} MiB")
    heads = ("sessions", "action", "median s", "p95 s", "errors", "RSS MiB", "CPU s")
    print(f"{heads[0]:>8} {heads[1]:<11} " + " ".join(f"{h:>8}" for h in heads[2:]))
    for count, actions in result["levels"].items():
        for name, row in actions.items():
            median = "—" if row["median_s"] is None else f"{row['median_s']:.2f}"
            p95 = "—" if row["p95_s"] is None else f"{row['p95_s']:.2f}"
            print(
                f"{count:>8} {name:<11} {median:>8} {p95:>8} {len(row['errors']):>8} "
                f"{row['server_rss_mib']:>8.0f} {row['server_cpu_s']:>8.1f}"
            )
            for error in row["errors"][:3]:
                print(f"{'':>8}   error: {error[:200]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", default="1,2,4,8,16", help="simultaneous sessions per level")
    args = parser.parse_args(argv)
    result = run([int(n) for n in args.sessions.split(",")])
    report(result)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
