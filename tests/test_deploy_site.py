"""The nginx site for several app processes (deploy/nginx/make_site.py): each browser kept on one process.

The routing is put to the proof in a private nginx (tests/nginx_server.py) running the site as written for
three processes, in front of three small HTTP servers that answer with their own number: what a browser
new to the site gets, what it gets with the cookie, with a cookie naming no process, and when its process
is down. The shipped ``deploy/nginx/zgc-geo.conf`` must be the script's output for two processes.
"""

from __future__ import annotations

import base64
import contextlib
import http.server
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from tests.nginx_server import (
    SITE_FILE,
    NginxServer,
    site_ports,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "deploy" / "nginx"))
from make_site import COOKIE, main, make_site

USER, PASSWORD = "planner", "密码-secret"


def test_the_shipped_site_is_the_scripts_output_for_two_processes() -> None:
    assert SITE_FILE.read_text(encoding="utf-8") == make_site(2)
    assert site_ports(make_site(2)) == [8501, 8502]
    assert site_ports(make_site(4, first_port=9001)) == [9001, 9002, 9003, 9004]


def test_the_script_refuses_an_impossible_number_of_processes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--processes", "0"]) == 2
    assert "--processes must be 1 to 64, not 0" in capsys.readouterr().err
    assert main(["--processes", "3", "--first-port", "65534"]) == 2


class _Numbered(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = str(self.server.number).encode()  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def _backend(number: int) -> Iterator[http.server.ThreadingHTTPServer]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Numbered)
    server.number = number  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def three_processes(
    nginx_binary: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, list]]:
    """nginx with the site for three processes in front of three numbered servers."""
    site = tmp_path_factory.mktemp("site") / "zgc-geo.conf"
    site.write_text(make_site(3), encoding="utf-8")
    with _backend(1) as one, _backend(2) as two, _backend(3) as three:
        servers = [one, two, three]
        ports = [s.server_address[1] for s in servers]
        with NginxServer(ports, {USER: PASSWORD}, site=site, binary=nginx_binary) as nginx:
            yield nginx.base_url, servers


def _get(base_url: str, cookie: str | None = None) -> tuple[str, str | None]:
    """Which process answered, and the process cookie the answer set (None: it set none)."""
    credentials = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    headers = {"Authorization": f"Basic {credentials}"}
    if cookie is not None:
        headers["Cookie"] = f"{COOKIE}={cookie}"
    with urllib.request.urlopen(
        urllib.request.Request(f"{base_url}/", headers=headers), timeout=10
    ) as answer:
        body = answer.read().decode()
        set_cookies = answer.headers.get_all("Set-Cookie") or []
    values = [SimpleCookie(line)[COOKIE].value for line in set_cookies if line.startswith(f"{COOKIE}=")]
    return body, values[0] if values else None


@pytest.mark.slow
def test_new_browsers_go_to_the_processes_in_turn_and_are_told_which(three_processes: tuple) -> None:
    base_url, _ = three_processes
    answers = [_get(base_url) for _ in range(6)]
    assert sorted(body for body, _ in answers[:3]) == ["1", "2", "3"]  # each process once, then again
    assert [body for body, _ in answers[3:]] == [body for body, _ in answers[:3]]
    assert all(cookie == body for body, cookie in answers)


@pytest.mark.slow
def test_a_browser_with_the_cookie_stays_on_its_process_and_no_cookie_is_sent_again(
    three_processes: tuple,
) -> None:
    base_url, _ = three_processes
    for number in ("1", "2", "3"):
        assert [_get(base_url, number) for _ in range(4)] == [(number, None)] * 4


@pytest.mark.slow
def test_a_cookie_naming_no_process_is_replaced(three_processes: tuple) -> None:
    base_url, _ = three_processes
    for stale in ("7", "0", "abc", "1x", "127.0.0.1:22"):
        body, cookie = _get(base_url, stale)
        assert body in {"1", "2", "3"}
        assert cookie == body


@pytest.mark.slow
def test_the_browsers_of_a_process_that_is_down_move_to_another_with_the_cookie(
    three_processes: tuple,
) -> None:
    base_url, servers = three_processes
    servers[1].shutdown()
    servers[1].server_close()  # process 2 stops listening (as while systemd restarts it)
    body, cookie = _get(base_url, "2")
    assert body in {"1", "3"}
    assert cookie == body  # from now on the browser stays where it was answered
    assert _get(base_url, body) == (body, None)


def test_nginx_refuses_without_credentials(three_processes: tuple) -> None:
    base_url, _ = three_processes
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{base_url}/", timeout=10)
    refused.value.close()  # its answer holds the connection
    assert refused.value.code == 401
