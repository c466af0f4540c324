"""Two app processes behind the shipped nginx site, sharing one PostGIS workspace (issue #17).

Real processes (``streamlit run app.py``, signed in by nginx's header), a real nginx (tests/nginx_server.py)
and a real PostgreSQL + PostGIS (tests/postgis_server.py); each person's browser is a session over
Streamlit's own WebSocket protocol (benchmarks/load/session.py). What is put to the proof: two new
browsers are served by different processes; a browser's upload reaches the process holding its session
(the same upload sent to the other process is refused, which is why the site keeps a browser on one
process); and a decision recorded through one process is what the other shows.
"""

from __future__ import annotations

import asyncio
import base64
import sys
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.browser.app_server import app_server
from tests.nginx_server import NginxServer
from tests.postgis_server import PostgisDatabase
from tests.ui.workspaces import seed_elsewhere
from zgc_geo.settings import AUTH_HEADER_ENV, USER_ENV
from zgc_geo.workspace import REVIEW_STATUSES, open_workspace

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / "benchmarks")]
from bench_load import Person, decide, widget_state  # noqa: E402
from load.session import Session  # noqa: E402

ADMIN = "管理员"
PEOPLE = {"editor_one": "一号-secret", "editor_two": "二号-secret"}
PLOT = "demo-haidian-004"
COOKIE = "zgc_geo_process"
XSRF_COOKIE = "_streamlit_xsrf"


def _session(base_url: str, user: str) -> Session:
    credentials = base64.b64encode(f"{user}:{PEOPLE[user]}".encode()).decode()
    return Session(base_url, headers={"Authorization": f"Basic {credentials}"})


def _upload_status(base_url: str, session: Session, cookies: dict[str, str]) -> int:
    """HTTP status of a file upload for ``session`` sent with ``cookies`` (as its browser would send it)."""
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="plots.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\nplot_id,area\r\nA,1\r\n--{boundary}--\r\n"
    ).encode()
    request = urllib.request.Request(
        f"{base_url}/_stcore/upload_file/{session.session_id}/{uuid.uuid4()}",
        data=body,
        method="PUT",
        headers={
            **session.headers,
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            "X-Xsrftoken": cookies[XSRF_COOKIE],
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as refused:
        refused.close()  # its answer holds the connection
        return refused.code


async def _two_people(base_url: str) -> dict[str, object]:
    one, two = _session(base_url, "editor_one"), _session(base_url, "editor_two")
    try:
        for session in (one, two):
            await session.connect()
            opened = await session.run(page="stock")
            assert opened.exceptions == []
        cookies = {name: {c.name: c.value for c in s.cookies} for name, s in (("one", one), ("two", two))}
        uploads = {
            "own": [_upload_status(base_url, s, cookies[n]) for n, s in (("one", one), ("two", two))],
            "other's process": [
                _upload_status(base_url, one, {**cookies["one"], COOKIE: cookies["two"][COOKIE]}),
                _upload_status(base_url, two, {**cookies["two"], COOKIE: cookies["one"][COOKIE]}),
            ],
        }
        first = Person("editor_one", one, PLOT)
        found = await one.run(widgets=widget_state(one.widget_id("stock_search"), string_value=PLOT))
        assert any(PLOT in text for text in found.texts)
        _, problem = await decide(first)
        assert problem is None, problem
        seen = await two.run(widgets=widget_state(two.widget_id("stock_search"), string_value=PLOT))
        assert seen.exceptions == []
        (status_box, *_) = [p for _, kind, p in two.form_widgets(f"decision_{PLOT}") if kind == "selectbox"]
        return {
            "processes": (cookies["one"][COOKIE], cookies["two"][COOKIE]),
            "uploads": uploads,
            "decided": first.decided,
            "status_seen_by_two": status_box.options[status_box.default],
        }
    finally:
        await asyncio.gather(one.close(), two.close())


@pytest.mark.slow
def test_two_processes_share_the_workspace_and_each_browser_stays_on_its_own(
    postgis_db: PostgisDatabase, nginx_binary: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(USER_ENV, ADMIN)
    open_workspace(postgis_db.admin_url).init()  # its creator, the admin, grants the editors
    seed_elsewhere(postgis_db.app_url, ADMIN)
    store = open_workspace(postgis_db.app_url)
    for user in PEOPLE:
        store.grant(user, "editor", ("haidian",), by=ADMIN)
    env = {AUTH_HEADER_ENV: "X-Remote-User"}
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    with (
        app_server(postgis_db.app_url, ADMIN, tmp_path / "one", extra_env=env) as first_url,
        app_server(postgis_db.app_url, ADMIN, tmp_path / "two", extra_env=env) as second_url,
        NginxServer(
            [int(u.rsplit(":", 1)[1]) for u in (first_url, second_url)], PEOPLE, binary=nginx_binary
        ) as nginx,
        ThreadPoolExecutor(1) as pool,  # the sessions' loop in a thread of its own (see test_load_session)
    ):
        seen = pool.submit(asyncio.run, _two_people(nginx.base_url)).result()
    assert sorted(seen["processes"]) == ["1", "2"]  # two new browsers, two processes
    assert all(200 <= status < 300 for status in seen["uploads"]["own"]), seen["uploads"]
    assert seen["uploads"]["other's process"] == [400, 400]  # no such session there: stickiness is needed
    assert seen["status_seen_by_two"] == REVIEW_STATUSES[seen["decided"]].zh
    log = store.audit_log("demo", PLOT)
    assert list(log.loc[log["action"] == "decide", "user"].unique()) == ["editor_one"]
