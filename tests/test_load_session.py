"""The load benchmark's session speaks Streamlit's WebSocket protocol as a tab does (a real server)."""

from __future__ import annotations

import asyncio
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState

from tests.browser.app_server import app_server
from tests.ui.workspaces import seed_elsewhere

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from load.session import RunResult, Session

#: The Stock page's line saying how many plots the map shows: 地图显示筛选后 N 个地块中的 N 个（清单共 M 个）.
SHOWN = re.compile(r"地图显示筛选后 (\d+) 个地块")


PLOT_ID = "demo-haidian-003"


async def _open_filter_and_find(base_url: str) -> tuple[RunResult, RunResult, RunResult]:
    session = Session(base_url)
    await session.connect()
    try:
        opened = await session.run(page="stock")
        park = WidgetState()
        park.string_array_value.data.append("海淀园")
        filtered = await session.run(widgets={session.widget_id("f_parks"): park})
        search = WidgetState()
        search.string_value = PLOT_ID
        return opened, filtered, await session.run(widgets={session.widget_id("stock_search"): search})
    finally:
        await session.close()


def _shown(run: RunResult) -> int:
    (count,) = [int(m.group(1)) for text in run.texts if (m := SHOWN.search(text))]
    return count


@pytest.mark.slow
def test_a_session_opens_the_stock_page_filters_it_and_finds_a_plot(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace.gpkg"
    seed_elsewhere(workspace, "load-test")
    # The session's loop runs in a thread of its own: the browser tests' Playwright keeps one running here.
    with app_server(workspace, "load-test", tmp_path) as base_url, ThreadPoolExecutor(1) as pool:
        opened, filtered, found = pool.submit(asyncio.run, _open_filter_and_find(base_url)).result()
    assert opened.exceptions == filtered.exceptions == found.exceptions == []
    assert _shown(opened) == 300  # the demo inventory, all of it
    assert 0 < _shown(filtered) < 300  # the plots of 海淀园 only: the filter reached the server
    assert not any(PLOT_ID in text for text in filtered.texts)
    assert any(PLOT_ID in text for text in found.texts)  # its record's heading: the search opened it
