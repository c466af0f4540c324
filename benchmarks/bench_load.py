"""Many people on one server at the same moment: Streamlit's own WebSocket protocol, no browser (#17).

The deployment of deploy/README.md, started privately: a PostgreSQL + PostGIS workspace
(``tests/postgis_server.py``) seeded with the demo inventory, K app processes (``streamlit run app.py``,
signed in by the proxy's header) and nginx in front of them with the site ``deploy/nginx/make_site.py``
writes for K processes (``tests/nginx_server.py``: a private nginx on a free port). For K = 1 and K = 2
(``--processes``) and N = 1, 2, 4, 8, 16 people at once (``--sessions``), each person signed in under a
name of their own (an editor of 海淀园) in a session of their own (``benchmarks/load/session.py``: the
page's cookies, so nginx keeps each on one process, then the WebSocket), every action runs for all N at
once and each session's run is timed from its request to the server's "script finished":

- ``open_stock``: a new browser opens the Stock page (the first run of a tab);
- ``filter``: they narrow the park filter to 海淀园 (a widget change, a rerun);
- ``record``: each finds a plot of that park by its id in the page's search box, which opens its record
  (each person a plot of their own, never one decided before in the run);
- ``decide``: each records a decision on that plot (the form's status and note, then its submit button) and
  must see the page say it was recorded;
- ``open_siting`` and ``siting``: each opens the Siting page and runs the siting of the first cluster.

The app processes run with the memory settings of the shipped unit (``deploy/zgc-geo@.service``). Before
the levels, each process is warmed up: one person goes through every action, then runs the siting of as
many clusters as the process keeps shared results (``MAX_SHARED_RUNS``), so that "warm" is the memory of
full caches. Afterwards every decision the page said it recorded is looked for in the workspace's audit log
(by plot, person and status): one missing is a lost decision. Per K, N and action: median and p95 seconds,
the bytes the server sent (opening Stock: the page with its map), errors, the app processes' resident
memory (summed) after the action and their CPU seconds during it; per K, the memory when warm, with the
sessions open, and every 10 s for a minute (``--settle``) after they all closed. Results: a table on stdout
and ``benchmarks/results/load.json`` (machine, date, versions).

    python benchmarks/bench_load.py                          # K = 1, 2; N = 1, 2, 4, 8, 16
    python benchmarks/bench_load.py --processes 2 --sessions 1,8 --settle 0
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any, Final

REPO_ROOT: Final = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO_ROOT), str(REPO_ROOT / "benchmarks"), str(REPO_ROOT / "deploy" / "nginx")]

import geopandas as gpd  # noqa: E402
from load.session import RunResult, Session  # noqa: E402
from make_site import make_site  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402

from tests.browser.app_server import app_server  # noqa: E402
from tests.nginx_server import NginxServer  # noqa: E402
from tests.postgis_server import PostgisServer  # noqa: E402
from tests.ui.workspaces import seed_elsewhere  # noqa: E402
from zgc_geo.catalogue import layer_spec  # noqa: E402
from zgc_geo.i18n import translate  # noqa: E402
from zgc_geo.settings import AUTH_HEADER_ENV, USER_ENV  # noqa: E402
from zgc_geo.ui.siting_runs import MAX_SHARED_RUNS  # noqa: E402
from zgc_geo.workspace import REVIEW_STATUSES, open_workspace  # noqa: E402

ADMIN: Final = "bench-admin"
HEADER: Final = "X-Remote-User"
PASSWORD: Final = "bench-load-密码"
RESULTS: Final = REPO_ROOT / "benchmarks" / "results" / "load.json"
#: The park the filter action narrows to (as the Chinese page lists it), and its id.
FILTER_PARK: Final = "海淀园"
FILTER_PARK_ID: Final = "haidian"
#: The statuses a decision sets: the first one the plot does not have already.
DECISION_STATUSES: Final = ("recommended", "deferred")
ACTIONS: Final = ("open_stock", "filter", "record", "decide", "open_siting", "siting")
#: What the README's table calls them (English; the bench prints for developers).
ACTION_NAMES: Final = {
    "open_stock": "open Stock",
    "filter": "change a filter",
    "record": "open a plot's record",
    "decide": "record a decision",
    "open_siting": "open Siting",
    "siting": "run siting",
}


def person(number: int) -> str:
    return f"planner{number:02d}"


@dataclass
class Person:
    """One person's browser: their session, the plot they look at, the decision they recorded."""

    name: str
    session: Session
    plot_id: str = ""
    decided: str | None = None  # the status key the page said it recorded


@dataclass
class Deployment:
    """K app processes behind nginx over one PostGIS workspace."""

    base_url: str
    pids: list[int]
    workspace: str
    plot_ids: list[str]
    used_plots: int = 0
    recorded: list[tuple[str, str, str]] = field(default_factory=list)  # (plot, person, status)

    def next_plots(self, count: int) -> list[str]:
        """``count`` plots of 海淀园 no one has decided in this run yet."""
        if self.used_plots + count > len(self.plot_ids):
            raise RuntimeError(f"only {len(self.plot_ids)} plots of {FILTER_PARK} to decide on")
        chosen = self.plot_ids[self.used_plots : self.used_plots + count]
        self.used_plots += count
        return chosen


def server_pid(base_url: str) -> int:
    """The streamlit process serving ``base_url`` (found by its port on the command line)."""
    port = base_url.rsplit(":", 1)[1]
    found = subprocess.run(
        ["pgrep", "-f", f"streamlit run .*--server.port {port}"], capture_output=True, text=True, check=False
    )
    return int(found.stdout.split()[0])


def rss_mib(pids: list[int]) -> float:
    """The processes' resident memory, summed."""
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def park_plot_ids() -> list[str]:
    """The demo inventory's plots in :data:`FILTER_PARK`, in id order."""
    plots = gpd.read_file(layer_spec("demo_stock_inventory").path)
    ids = plots.loc[plots["plot_id"].astype(str).str.contains(FILTER_PARK_ID), "plot_id"].astype(str)
    return sorted(ids)


def widget_state(widget_id: str, **value: Any) -> dict[str, WidgetState]:
    state = WidgetState()
    for name, content in value.items():
        if name == "string_array_value":
            state.string_array_value.data.extend(content)
        else:
            setattr(state, name, content)
    return {widget_id: state}


def _opened(result: RunResult, plot_id: str) -> str | None:
    return None if any(plot_id in text for text in result.texts) else f"the record of {plot_id} did not open"


async def decide(someone: Person) -> tuple[RunResult, str | None]:
    """Submit the decision form of the person's plot: a status it does not have, and a note."""
    session = someone.session
    form = session.form_widgets(f"decision_{someone.plot_id}")
    boxes = [(wid, proto) for wid, kind, proto in form if kind == "selectbox"]
    notes = [wid for wid, kind, _ in form if kind == "text_area"]
    submit = [wid for wid, kind, proto in form if kind == "button" and proto.is_form_submitter]
    if not boxes or not notes or not submit:
        raise RuntimeError(f"no decision form for {someone.plot_id} on the page")
    status_id, status_box = boxes[0]
    current = status_box.options[status_box.default] if status_box.HasField("default") else ""
    status = next(key for key in DECISION_STATUSES if REVIEW_STATUSES[key].zh != current)
    label = REVIEW_STATUSES[status].zh
    widgets = {
        **widget_state(status_id, string_value=label),
        **widget_state(notes[0], string_value=f"bench-load: {someone.name}"),
        **widget_state(submit[0], trigger_value=True),
    }
    result = await session.run(widgets=widgets)
    said = translate("stock.recorded", "zh", plot=someone.plot_id, status=label)
    if not any(said in text for text in result.texts):
        return result, f"the page did not say the decision on {someone.plot_id} was recorded"
    someone.decided = status
    return result, None


async def _siting(someone: Person) -> tuple[RunResult, str | None]:
    result = await someone.session.run(
        widgets=widget_state(someone.session.widget_id("site_run"), trigger_value=True)
    )
    heading = translate("siting.robustness", "zh", pct=20, runs=0).split("±")[0]  # the results' heading
    drawn = any(text.startswith(heading) for text in result.texts)
    return result, None if drawn else "the siting run drew no results"


async def _act(name: str, someone: Person) -> tuple[RunResult, str | None]:
    session = someone.session
    if name == "open_stock":
        await session.connect()
        return await session.run(page="stock"), None
    if name == "filter":
        return await session.run(
            widgets=widget_state(session.widget_id("f_parks"), string_array_value=[FILTER_PARK])
        ), None
    if name == "record":
        result = await session.run(
            widgets=widget_state(session.widget_id("stock_search"), string_value=someone.plot_id)
        )
        return result, _opened(result, someone.plot_id)
    if name == "decide":
        return await decide(someone)
    if name == "open_siting":
        return await session.run(page="siting"), None
    return await _siting(someone)


async def _action(people: list[Person], name: str, deployment: Deployment) -> dict[str, Any]:
    """Run ``name`` for everyone at once; its figures."""
    cpu_before = cpu_seconds(deployment.pids)

    async def one(someone: Person) -> tuple[float | None, int, str | None]:
        try:
            result, problem = await _act(name, someone)
        except Exception as exc:  # every failure is counted and shown
            return None, 0, f"{someone.name}: {type(exc).__name__}: {exc}"
        problems = [*result.exceptions, *([problem] if problem else [])]
        said = "; ".join(f"{someone.name}: {p}" for p in problems) or None
        return result.seconds, result.bytes_received, said

    outcomes = await asyncio.gather(*(one(someone) for someone in people))
    seconds = sorted(s for s, _, _ in outcomes if s is not None)
    return {
        "median_s": statistics.median(seconds) if seconds else None,
        "p95_s": seconds[min(len(seconds) - 1, round(0.95 * (len(seconds) - 1)))] if seconds else None,
        # What the server sent for the action (for opening Stock: the page with its map), median over people.
        "median_bytes": statistics.median(b for s, b, _ in outcomes if s is not None) if seconds else None,
        "errors": [e for _, _, e in outcomes if e],
        "server_rss_mib": rss_mib(deployment.pids),
        "server_cpu_s": cpu_seconds(deployment.pids) - cpu_before,
    }


async def _level(deployment: Deployment, count: int) -> tuple[dict[str, Any], float]:
    """Every action for ``count`` people at once; the figures and the memory with them all still open."""
    people = []
    for number, plot_id in enumerate(deployment.next_plots(count), start=1):
        credentials = base64.b64encode(f"{person(number)}:{PASSWORD}".encode()).decode()
        session = Session(deployment.base_url, headers={"Authorization": f"Basic {credentials}"})
        people.append(Person(person(number), session, plot_id))
    try:
        figures = {name: await _action(people, name, deployment) for name in ACTIONS}
        open_rss = rss_mib(deployment.pids)
    finally:
        await asyncio.gather(*(someone.session.close() for someone in people))
    deployment.recorded += [(p.plot_id, p.name, p.decided) for p in people if p.decided]
    return figures, open_rss


async def _fill_siting_stores(deployment: Deployment, processes: int) -> None:
    """Each process's store of shared siting results filled to its bound (MAX_SHARED_RUNS): one run for
    each of that many clusters, so the warm memory is that of full caches."""
    people = []
    for number in range(1, processes + 1):
        credentials = base64.b64encode(f"{person(number)}:{PASSWORD}".encode()).decode()
        people.append(Session(deployment.base_url, headers={"Authorization": f"Basic {credentials}"}))
    try:
        for session in people:  # one after the other: nginx hands each new browser to the next process
            await session.connect()
            await session.run(page="siting")
        for session in people:
            clusters = session.widgets[session.widget_id("site_cluster")][1].options
            for label in clusters[1:MAX_SHARED_RUNS]:
                await session.run(widgets=widget_state(session.widget_id("site_cluster"), string_value=label))
                run = await session.run(
                    widgets=widget_state(session.widget_id("site_run"), trigger_value=True)
                )
                if run.exceptions:
                    raise RuntimeError(f"siting {label} while warming up: {run.exceptions}")
    finally:
        await asyncio.gather(*(session.close() for session in people))


def lost_decisions(deployment: Deployment) -> list[str]:
    """The decisions the page said it recorded that the audit log does not hold."""
    log = open_workspace(deployment.workspace).audit_log("demo")
    found = set(
        log.loc[
            (log["action"] == "decide") & (log["field"] == "review_status"), ["plot_id", "user", "new_value"]
        ]
        .astype(str)
        .itertuples(index=False, name=None)
    )
    return [
        f"{plot} by {who}: {status}"
        for plot, who, status in deployment.recorded
        if (plot, who, status) not in found
    ]


UNIT: Final = REPO_ROOT / "deploy" / "zgc-geo@.service"


def unit_memory_environment() -> dict[str, str]:
    """The memory settings the shipped systemd unit gives each app process (``PYTHON…``/``MALLOC…``), so that
    the processes measured here run as deployed."""
    found = {}
    for line in UNIT.read_text(encoding="utf-8").splitlines():
        if line.startswith("Environment="):
            name, _, value = line.removeprefix("Environment=").partition("=")
            if name.startswith(("PYTHON", "MALLOC")):
                found[name] = value
    return found


@contextlib.contextmanager
def deployment(processes: int, people: int, scratch: Path) -> Iterator[Deployment]:
    """PostGIS, ``processes`` app processes and nginx in front of them, all private to this run."""
    with PostgisServer() as postgis:
        database = postgis.new_database()
        os.environ[USER_ENV] = ADMIN  # the workspace's creator is its first admin
        open_workspace(database.admin_url).init()
        seed_elsewhere(database.app_url, ADMIN)
        store = open_workspace(database.app_url)
        for number in range(1, people + 1):
            store.grant(person(number), "editor", (FILTER_PARK_ID,), by=ADMIN)
        env = {AUTH_HEADER_ENV: HEADER, **unit_memory_environment()}
        site = scratch / "site.conf"
        site.write_text(make_site(processes), encoding="utf-8")
        users = {person(n): PASSWORD for n in range(1, people + 1)}
        with contextlib.ExitStack() as stack:
            urls = []
            for index in range(processes):
                folder = scratch / f"app{index + 1}"
                folder.mkdir()
                urls.append(stack.enter_context(app_server(database.app_url, ADMIN, folder, extra_env=env)))
            ports = [int(url.rsplit(":", 1)[1]) for url in urls]
            nginx = stack.enter_context(NginxServer(ports, users, site=site))
            yield Deployment(
                nginx.base_url, [server_pid(url) for url in urls], database.app_url, park_plot_ids()
            )


def run_deployment(processes: int, levels: list[int], settle_s: float) -> dict[str, Any]:
    most = max(levels)
    with (
        tempfile.TemporaryDirectory(prefix="zgc_bench_load_") as scratch,
        deployment(processes, max(most, processes), Path(scratch)) as target,
    ):
        # Warm: one person per process goes through every page and action (caches filled, code loaded).
        warm, _ = asyncio.run(_level(target, processes))
        asyncio.run(_fill_siting_stores(target, processes))
        baseline = rss_mib(target.pids)
        results, open_rss = {}, {}
        for count in levels:
            results[str(count)], open_rss[str(count)] = asyncio.run(_level(target, count))
        closed = rss_mib(target.pids)
        settling = []  # (seconds after the last session closed, RSS)
        start = time.monotonic()
        while (waited := time.monotonic() - start) < settle_s:
            time.sleep(min(10.0, settle_s - waited))
            settling.append((round(time.monotonic() - start), rss_mib(target.pids)))
        settled = rss_mib(target.pids)
        lost = lost_decisions(target)
    return {
        "processes": processes,
        "warm_up": warm,
        "levels": results,
        "decisions": {"recorded": len(target.recorded), "lost": lost},
        "server_rss_mib": {
            "warm": baseline,
            "with_sessions_open": open_rss,
            # What the sessions themselves held: the most with everyone at once, less what stayed after.
            "per_open_session": (open_rss[str(most)] - settled) / most,
            "just_after_close": closed,
            "settling": settling,
            "after_settle": settled,
            "settle_s": settle_s,
        },
    }


def report(result: dict[str, Any]) -> None:
    print(f"\n{result['date']}  {result['machine']['cpus']} CPUs")
    for run in result["runs"]:
        memory = run["server_rss_mib"]
        print(
            f"\n{run['processes']} app process(es) behind nginx: RSS warm {memory['warm']:.0f} MiB, "
            f"{memory['after_settle']:.0f} MiB {memory['settle_s']:.0f} s after the last session closed; "
            f"{memory['per_open_session']:.1f} MiB per open session; decisions recorded "
            f"{run['decisions']['recorded']}, lost {len(run['decisions']['lost'])}"
        )
        opened = run["warm_up"]["open_stock"]["median_bytes"]
        print(f"the Stock page as sent (its map included): {opened / 1e6:.2f} MB")
        heads = ("people", "action", "median s", "p95 s", "errors", "RSS MiB", "CPU s")
        print(f"{heads[0]:>6} {heads[1]:<22} " + " ".join(f"{h:>8}" for h in heads[2:]))
        for count, actions in run["levels"].items():
            for name, row in actions.items():
                median = "—" if row["median_s"] is None else f"{row['median_s']:.2f}"
                p95 = "—" if row["p95_s"] is None else f"{row['p95_s']:.2f}"
                print(
                    f"{count:>6} {ACTION_NAMES[name]:<22} {median:>8} {p95:>8} {len(row['errors']):>8} "
                    f"{row['server_rss_mib']:>8.0f} {row['server_cpu_s']:>8.1f}"
                )
                for error in row["errors"][:3]:
                    print(f"{'':>6}   error: {error[:200]}")
        for lost in run["decisions"]["lost"][:5]:
            print(f"       lost: {lost}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", default="1,2", help="app processes behind nginx, one run per value")
    parser.add_argument("--sessions", default="1,2,4,8,16", help="people at once, one level per value")
    parser.add_argument("--settle", type=float, default=60.0, help="seconds to wait after the last session")
    args = parser.parse_args(argv)
    levels = [int(n) for n in args.sessions.split(",")]
    runs = [run_deployment(int(k), levels, args.settle) for k in args.processes.split(",")]
    result = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "app_environment": unit_memory_environment(),
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_at_end": os.getloadavg(),
            "versions": {"streamlit": version("streamlit"), "python": platform.python_version()},
        },
        "runs": runs,
    }
    report(result)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten {RESULTS}")
    lost = sum(len(run["decisions"]["lost"]) for run in runs)
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
