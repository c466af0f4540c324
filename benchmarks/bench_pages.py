"""Browser benchmark of the app's pages: how long until each page's map is really drawn.

Starts ``streamlit run app.py`` on a free loopback port over a temporary workspace (the demo inventory,
plus a 20,000-plot inventory made by ``bench_stock.make_plots`` and imported with ``zgc-geo workspace
import``), and drives Debian's Chromium through Playwright with every request to another host failing
(:data:`OFFLINE_ARGS`; the browser's own cache stays on, as a user's does).

    python benchmarks/bench_pages.py                  # = make bench-pages
    python benchmarks/bench_pages.py --repeat 5 --plots 20000

Per page (overview, stock, siting, coverage, bth, data) it measures the time from navigation until the
Leaflet map inside the streamlit-folium frame has its layers drawn (SVG paths, a canvas or an image in
the overlay pane, plus two animation frames so they are painted): **cold** is the page's first visit
after the server started, **warm** the median of later fresh loads (``page.goto``), **switch** the
median of moves to the page through the sidebar (same session, as a user goes from page to page).
Siting draws its map only after a run, and Data after an upload: their figures include the run (button
clicked as soon as it shows) or the upload, and ``action`` is the part from the click to the map.

On Stock it also times a click on a plot until that plot's record heading shows; N people opening it at
the same moment, each in a browser context of their own (``--at-once``, default 1 and 8); and with the
20k-plot inventory chosen: the time to the first map with the plots, what the browser received over
Streamlit's WebSocket meanwhile (the payload), and how long a zoom and a pan take to settle (the page's
reruns done, nothing running for a second). Targets from issue #14: first map ≤ 2 s warm, click → record
≤ 1 s. Results: a table on stdout and benchmarks/results/pages.json (machine, date, versions).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Any, Final

REPO_ROOT: Final = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO_ROOT), str(REPO_ROOT / "benchmarks")]

from bench_stock import make_plots  # noqa: E402
from playwright.sync_api import Browser, Frame, Page, sync_playwright  # noqa: E402

from tests.browser.app_server import app_server  # noqa: E402
from tests.browser.conftest import _is_local  # noqa: E402
from tests.browser.streamlit_widgets import wait_idle, wait_settled  # noqa: E402
from tests.ui.workspaces import seed_elsewhere  # noqa: E402
from zgc_geo.export.printing import CHROMIUM_ARGS, chromium_path  # noqa: E402
from zgc_geo.settings import USER_ENV, WORKSPACE_ENV  # noqa: E402

PAGES: Final = ("overview", "stock", "siting", "coverage", "bth", "data")
USER: Final = "bench-pages"
BIG_NAME: Final = "zz_bench_big"  # after "demo": the pages open on the demo
BIG_TITLE: Final = "bench 20k plots"
TIMEOUT_S: Final = 180.0
RESULTS: Final = REPO_ROOT / "benchmarks" / "results" / "pages.json"
#: The CLI run from this checkout (``python -c`` puts the working folder first on the path).
CLI: Final = "import sys; from zgc_geo.cli import main; sys.exit(main())"
TARGETS: Final = {"first_map_warm_s": 2.0, "click_to_record_s": 1.0}

#: True once the frame's Leaflet map (not one marked as the previous page's) has drawn its layers.
DRAWN_JS: Final = """async (feature) => {
    const m = window.map;
    if (!m || m.__zgcOld) { return false; }
    const pane = document.querySelector('.leaflet-overlay-pane');
    if (!pane || !pane.querySelector('path, canvas, img')) { return false; }
    if (feature) {
        let found = false;
        const visit = layer => {
            if (found) { return; }
            const p = layer.feature && layer.feature.properties;
            if (p && feature in p) { found = true; }
            else if (layer.eachLayer) { layer.eachLayer(visit); }
        };
        m.eachLayer(visit);
        if (!found) { return false; }
    }
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    return true;
}"""
MARK_OLD_JS: Final = "() => { if (window.map) { window.map.__zgcOld = true; } }"
#: The first few plot ids on the map (for clicks).
PLOT_IDS_JS: Final = """(n) => {
    const ids = [];
    const visit = layer => {
        const p = layer.feature && layer.feature.properties;
        const fresh = p && p.plot_id && layer._path && !ids.includes(p.plot_id);
        if (fresh && ids.length < n) { ids.push(p.plot_id); }
        if (layer.eachLayer) { layer.eachLayer(visit); }
    };
    window.map.eachLayer(visit);
    return ids;
}"""
#: A user's click on a plot's polygon: the click event on its Leaflet layer (SVG path or canvas alike).
CLICK_JS: Final = """(plotId) => {
    let hit = null;
    const visit = layer => {
        const p = layer.feature && layer.feature.properties;
        if (p && p.plot_id === plotId && layer.getBounds && !hit) { hit = layer; }
        if (layer.eachLayer) { layer.eachLayer(visit); }
    };
    window.map.eachLayer(visit);
    if (!hit) { return false; }
    const latlng = hit.getBounds().getCenter();
    if (hit._path) {
        hit._path.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true}));
    } else {
        hit.fire('click', {latlng, layerPoint: window.map.latLngToLayerPoint(latlng),
                           containerPoint: window.map.latLngToContainerPoint(latlng),
                           originalEvent: new MouseEvent('click')}, true);
    }
    return true;
}"""
#: In the main page: when the script last went from running to idle, and how many runs began.
RUN_WATCH_JS: Final = """() => {
    if (window.__zgcWatch) { return; }
    window.__zgcWatch = {runs: 0, lastIdle: performance.now(), running: false};
    setInterval(() => {
        const app = document.querySelector('[data-testid="stApp"]');
        const running = app !== null && app.dataset.testScriptState === 'running';
        const w = window.__zgcWatch;
        if (running && !w.running) { w.runs += 1; }
        if (!running && w.running) { w.lastIdle = performance.now(); }
        w.running = running;
    }, 10);
}"""


# --------------------------------------------------------------------------------------------- browser
def _map_frames(page: Page) -> list[Frame]:
    return [f for f in page.frames if "streamlit_folium" in f.url and not f.is_detached()]


def _drawn(page: Page, feature: str | None) -> bool:
    for frame in _map_frames(page):
        try:
            if frame.evaluate(DRAWN_JS, feature):
                return True
        except Exception:
            continue
    return False


def wait_map(page: Page, start: float, feature: str | None = None) -> float:
    """Seconds from ``start`` (perf_counter) until a fresh map has drawn its layers."""
    deadline = time.perf_counter() + TIMEOUT_S
    while time.perf_counter() < deadline:
        if _drawn(page, feature):
            return time.perf_counter() - start
        page.wait_for_timeout(25)
    raise TimeoutError("no map drawn")


def mark_old_maps(page: Page) -> None:
    for frame in _map_frames(page):
        try:
            frame.evaluate(MARK_OLD_JS)
        except Exception:
            continue


def _map_frame(page: Page) -> Frame:
    """The frame of the map on the page now (the page shows one map)."""
    for frame in _map_frames(page):
        try:
            if frame.evaluate("() => Boolean(window.map)"):
                return frame
        except Exception:
            continue
    page.screenshot(path=str(Path(tempfile.gettempdir()) / "bench_pages_failure.png"), full_page=True)
    raise RuntimeError(f"no map frame among {[f.url for f in page.frames]}")


#: Bytes received over the pages' WebSockets (Streamlit's protocol) so far.
RECEIVED: list[int] = [0]


@contextmanager
def counted_bytes() -> Iterator[list[int]]:
    """Bytes received over the WebSockets while the block runs (in the one list item yielded)."""
    total = [0]
    before = RECEIVED[0]
    try:
        yield total
    finally:
        total[0] = RECEIVED[0] - before


#: Every host name but this machine's resolves to nothing, so no request can leave it. Chromium does this
#: itself: Playwright's request routing would do it too, but routing turns the browser's HTTP cache off, and
#: every "warm" load would then fetch Streamlit's scripts again as on a first visit (2.1 s against 1.3 s).
OFFLINE_ARGS: Final = ("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",)


def new_page(browser: Browser, blocked: list[str]) -> Page:
    """A tab whose requests to other hosts fail (:data:`OFFLINE_ARGS`, set at launch) and are listed."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, service_workers="block")
    context.on("request", lambda request: None if _is_local(request.url) else blocked.append(request.url))
    page = context.new_page()

    def count(payload: str | bytes) -> None:
        RECEIVED[0] += len(payload)

    page.on("websocket", lambda ws: ws.on("framereceived", count))
    page.set_default_timeout(TIMEOUT_S * 1000)
    return page


# --------------------------------------------------------------------------------------------- pages
class Bench:
    """One page in one browser tab over one server; every method returns seconds."""

    def __init__(self, page: Page, base_url: str, upload: Path) -> None:
        self.page, self.base_url, self.upload = page, base_url, upload

    def open(self, name: str) -> tuple[float, float | None]:
        """Fresh load of page ``name`` until its map is drawn; (total, action part or None)."""
        start = time.perf_counter()
        self.page.goto(f"{self.base_url}/{'' if name == 'overview' else name}", wait_until="commit")
        return self._after_arrival(name, start)

    def switch(self, name: str, via: str) -> tuple[float, float | None]:
        """From page ``via`` (loaded in this session) to ``name`` through the sidebar."""
        self.open(via)
        wait_settled(self.page, 500)
        mark_old_maps(self.page)
        link = self.page.locator(
            f'[data-testid="stSidebarNav"] a[href$="/{"" if name == "overview" else name}"]'
        )
        if name == "overview":
            link = self.page.locator('[data-testid="stSidebarNav"] a').first
        start = time.perf_counter()
        link.click()
        return self._after_arrival(name, start)

    def _after_arrival(self, name: str, start: float) -> tuple[float, float | None]:
        page = self.page
        if name == "siting":
            button = page.locator(".st-key-site_run button")
            button.wait_for(state="visible")
            wait_idle(page)
            action = time.perf_counter()
            button.click()
            total = wait_map(page, start)
            return total, total - (action - start)
        if name == "data":
            page.locator('input[type="file"]').first.wait_for(state="attached")
            action = time.perf_counter()
            page.locator('input[type="file"]').first.set_input_files(str(self.upload))
            total = wait_map(page, start)
            return total, total - (action - start)
        return wait_map(page, start, "plot_id" if name == "stock" else None), None

    def clicks(self, count: int) -> list[float]:
        """Stock page: click ``count`` plots in turn, each until its record heading shows."""
        page = self.page
        self.open("stock")
        wait_settled(page, 1000)
        ids = _map_frame(page).evaluate(PLOT_IDS_JS, count)
        times = []
        for plot_id in ids:
            wait_settled(page, 1000)
            heading = page.get_by_role("heading").filter(has_text=plot_id)
            start = time.perf_counter()
            assert _map_frame(page).evaluate(CLICK_JS, plot_id), plot_id
            heading.first.wait_for(state="visible")
            times.append(time.perf_counter() - start)
        return times

    def big_stock(self, repeat: int) -> dict[str, Any]:
        """Stock page with the 20k-plot inventory: first map, payload, zoom and pan settling."""
        page = self.page
        firsts, payloads = [], []
        for _ in range(repeat):
            self.open("stock")
            wait_settled(page, 500)
            mark_old_maps(page)
            box = page.locator(".st-key-stock_inventory [role='combobox']").first
            with counted_bytes() as received:
                box.click()
                option = page.get_by_role("option", name=BIG_TITLE, exact=True)
                option.wait_for()
                start = time.perf_counter()
                option.click()
                firsts.append(wait_map(page, start, "plot_id"))
                wait_settled(page, 1000)
            payloads.append(received[0])
        page.evaluate(RUN_WATCH_JS)
        moves = {
            "zoom_in": "m => m.setZoom(m.getZoom() + 1)",
            "pan": "m => m.panBy([350, 200])",
            "zoom_out": "m => m.setZoom(m.getZoom() - 1)",
        }
        settle: dict[str, float] = {}
        for label, move in moves.items():
            wait_settled(page, 1000)
            settle[label] = self._settle(move)
        return {
            "first_map_s": firsts,
            "payload_bytes": payloads,
            "settle_s": settle,
        }

    def _settle(self, move: str) -> float:
        """Seconds from a map move until the last rerun it caused ended (no run for a second after)."""
        page = self.page
        frame = _map_frame(page)
        t0 = page.evaluate("() => performance.now()")
        runs0 = page.evaluate("() => window.__zgcWatch.runs")
        frame.evaluate(f"() => {{ const m = window.map; ({move})(m); }}")
        page.wait_for_timeout(300)
        wait_settled(page, 1000)
        watch = page.evaluate("() => window.__zgcWatch")
        if watch["runs"] == runs0:
            return 0.0
        return float(watch["lastIdle"] - t0) / 1000


# --------------------------------------------------------------------------------------------- driver
def together(browser: Browser, base_url: str, blocked: list[str], count: int) -> list[float]:
    """``count`` people open the Stock page at the same moment, each in a browser of their own (a context:
    own cookies, own session) that has visited it once before: seconds until each one's map has its plots.

    The tabs share this machine's cores with the server, as the people's browsers do not: a bound on what
    each waits, the browser's drawing included (the issue measured 3.2 s for one and 34 s for eight)."""
    pages = [new_page(browser, blocked) for _ in range(count)]
    url = f"{base_url}/stock"
    try:
        for page in pages:  # a returning user: Streamlit's own scripts are in the browser's cache
            page.goto(url, wait_until="commit")
            wait_map(page, time.perf_counter(), "plot_id")
        started = []
        for page in pages:
            started.append(time.perf_counter())
            page.goto(url, wait_until="commit")
        drawn: dict[int, float] = {}
        deadline = time.perf_counter() + TIMEOUT_S
        while len(drawn) < count and time.perf_counter() < deadline:
            for number, page in enumerate(pages):
                if number not in drawn and _drawn(page, "plot_id"):
                    drawn[number] = time.perf_counter() - started[number]
            pages[0].wait_for_timeout(25)
        if len(drawn) < count:
            raise TimeoutError(f"{count - len(drawn)} of {count} Stock maps not drawn in {TIMEOUT_S} s")
        return [drawn[number] for number in range(count)]
    finally:
        for page in pages:
            page.context.close()


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _workspace(folder: Path, plots: int, reuse: Path | None) -> Path:
    """The demo inventory (as the app seeds it) plus ``plots`` synthetic plots, imported by the CLI.

    With ``reuse``: a copy of that workspace if it exists, else the new one is also saved there.
    """
    workspace = folder / "workspace.gpkg"
    if reuse is not None and reuse.exists():
        shutil.copyfile(reuse, workspace)
        return workspace
    seed_elsewhere(workspace, USER)
    if plots:
        source = folder / f"plots_{plots}.gpkg"
        make_plots(plots, source, seed=14)
        env = {**os.environ, WORKSPACE_ENV: str(workspace), USER_ENV: USER, "PYTHONWARNINGS": "ignore"}
        done = subprocess.run(
            [sys.executable, "-c", CLI, "workspace", "import", "--name", BIG_NAME, "--title", BIG_TITLE,
             str(source)],
            cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"import of {source} failed:\n{done.stdout}\n{done.stderr}")
    if reuse is not None:
        shutil.copyfile(workspace, reuse)
    return workspace


def _machine() -> dict[str, Any]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_at_start": load,
        "versions": {
            name: version(name) for name in ("streamlit", "streamlit-folium", "folium", "playwright")
        },
        "chromium": subprocess.run(
            [str(chromium_path()), "--version"], capture_output=True, text=True, check=False
        ).stdout.strip(),
    }


def run(
    repeat: int, plots: int, only: tuple[str, ...], reuse: Path | None = None, at_once: tuple[int, ...] = ()
) -> dict[str, Any]:
    machine = _machine()
    blocked: list[str] = []
    with tempfile.TemporaryDirectory(prefix="zgc-bench-pages-") as scratch:
        folder = Path(scratch)
        print(f"preparing the workspace ({plots} plots) …", flush=True)
        workspace = _workspace(folder, plots, reuse)
        upload = folder / "upload.gpkg"
        make_plots(200, upload, seed=7)
        pages: dict[str, Any] = {}
        with app_server(workspace, USER, folder) as base_url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(chromium_path()), args=[*CHROMIUM_ARGS, *OFFLINE_ARGS]
            )
            try:
                bench = Bench(new_page(browser, blocked), base_url, upload)
                for name in only:
                    print(f"  {name} …", flush=True)
                    cold, cold_action = bench.open(name)
                    warm = [bench.open(name) for _ in range(repeat)]
                    via = "bth" if name == "overview" else "overview"
                    switch = [bench.switch(name, via) for _ in range(repeat)]
                    pages[name] = {
                        "cold_s": cold,
                        "warm_s": [w for w, _ in warm],
                        "switch_s": [s for s, _ in switch],
                        "action_s": [a for _, a in [(0, cold_action), *warm, *switch] if a is not None],
                    }
                extra: dict[str, Any] = {}
                if "stock" in only:
                    print("  stock: clicks …", flush=True)
                    extra["click_to_record_s"] = bench.clicks(max(repeat, 3))
                    for count in at_once:
                        print(f"  stock: {count} people at once …", flush=True)
                        extra.setdefault("at_once_s", {})[str(count)] = together(
                            browser, base_url, blocked, count
                        )
                    if plots:
                        print(f"  stock: {plots} plots …", flush=True)
                        extra["big"] = {"plots": plots, **bench.big_stock(repeat)}
            except Exception:
                log = (folder / "server.log").read_text(encoding="utf-8", errors="replace")
                print("server log (end):", log[-6000:], sep="\n", file=sys.stderr)
                raise
            finally:
                browser.close()
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "repeat": repeat,
        "pages": pages,
        "stock": extra,
        "blocked_requests": blocked,
        "targets": TARGETS,
    }


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:6.2f}"


def report(result: dict[str, Any]) -> None:
    print(f"\n{result['date']}  load at start {result['machine']['load_average_at_start']}")
    print(f"{'page':10} {'cold s':>7} {'warm s':>7} {'switch s':>8} {'action s':>8}  (medians)")
    for name, row in result["pages"].items():
        warm = _median(row["warm_s"])
        verdict = "PASS" if warm is not None and warm <= TARGETS["first_map_warm_s"] else "FAIL"
        print(
            f"{name:10} {_fmt(row['cold_s']):>7} {_fmt(warm):>7} {_fmt(_median(row['switch_s'])):>8} "
            f"{_fmt(_median(row['action_s'])):>8}  {verdict}"
        )
    stock = result["stock"]
    if "click_to_record_s" in stock:
        click = _median(stock["click_to_record_s"])
        verdict = "PASS" if click is not None and click <= TARGETS["click_to_record_s"] else "FAIL"
        print(f"stock click → record: {_fmt(click)} s  {verdict}")
    for count, seconds in stock.get("at_once_s", {}).items():
        ordered = sorted(seconds)
        print(
            f"stock, {count} people at once in browsers: median {_fmt(_median(ordered))} s, "
            f"slowest {ordered[-1]:.2f} s"
        )
    if "big" in stock:
        big = stock["big"]
        print(
            f"stock {big['plots']} plots: first map {_fmt(_median(big['first_map_s']))} s, payload "
            f"{statistics.median(big['payload_bytes']) / 2**20:.2f} MiB, settle "
            + ", ".join(f"{k} {v:.2f} s" for k, v in big["settle_s"].items())
        )
    if result["blocked_requests"]:
        print("blocked requests to other hosts:", *result["blocked_requests"], sep="\n  ")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="warm visits per page (≥ 3)")
    parser.add_argument("--plots", type=int, default=20_000, help="plots of the big inventory (0: none)")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated pages")
    parser.add_argument(
        "--at-once",
        default="1,8",
        help="people opening Stock together, each in a browser (comma-separated; '')",
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--reuse-workspace", type=Path, help="keep the prepared workspace here and reuse it on the next run"
    )
    args = parser.parse_args(argv)
    only = tuple(p for p in args.pages.split(",") if p)
    at_once = tuple(int(n) for n in args.at_once.split(",") if n)
    result = run(max(args.repeat, 1), args.plots, only, args.reuse_workspace, at_once)
    report(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
