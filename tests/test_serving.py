"""`streamlit run app.py` with the shipped settings listens on loopback addresses only."""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser.conftest import _free_port, _stop, _wait_healthy

REPO_ROOT = Path(__file__).resolve().parents[1]
LISTEN = "0A"  # TCP state LISTEN in /proc/net/tcp and tcp6


def listening_addresses(port: int) -> set[str]:
    """The local addresses with a listening TCP socket on ``port``, read from /proc/net (IPv4 and IPv6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        lines = Path(table).read_text().splitlines()[1:] if Path(table).exists() else []
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state != LISTEN or int(port_hex, 16) != port:
                continue
            raw = bytes.fromhex(address)
            # /proc prints each 32-bit word in host (little-endian) order
            words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
            found.add(str(ipaddress.ip_address(words)))
    return found


@pytest.mark.slow
@pytest.mark.skipif(
    not Path("/proc/net/tcp").exists(), reason="reads the listening sockets from Linux's /proc"
)
def test_the_app_listens_on_loopback_only_by_default(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "ZGC_GEO_WORKSPACE": str(tmp_path / "workspace.gpkg")}
    env.pop("STREAMLIT_SERVER_ADDRESS", None)
    log_path = tmp_path / "server.log"
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]  # nothing else
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command, cwd=REPO_ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True, env=env,
        )  # fmt: skip
    try:
        _wait_healthy(proc, f"http://127.0.0.1:{port}/_stcore/health", log_path)
        addresses = listening_addresses(port)
    finally:
        _stop(proc)
    assert addresses, f"nothing listens on port {port}"
    assert all(ipaddress.ip_address(a).is_loopback for a in addresses), addresses
