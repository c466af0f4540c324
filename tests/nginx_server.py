"""A private nginx serving the shipped site ``deploy/nginx/zgc-geo.conf`` for the tests, never the system's.

``NginxServer(upstream_ports, users).start()`` makes a temporary folder holding a main ``nginx.conf`` of
its own (``daemon off``, its pid file, logs and temp folders all in that folder, so nothing touches
/etc/nginx, /var/lib/nginx or /var/log/nginx), a password file for ``users`` (``openssl passwd -apr1``)
and the site file as shipped, with only three things swapped (:func:`site_for_test`): the listen address
becomes a free port of 127.0.0.1, the app processes' ports become ``upstream_ports`` (the site's first
process the first port given, and so on; fewer ports than the site has processes are used in turn), and
the password file's path becomes the temporary one. Everything else (sign-in, headers, WebSocket, upload
cap, which process serves whom) is what the test puts to the proof. ``stop()`` ends nginx (fast shutdown,
then SIGKILL to its process group) and removes the folder; should the test process be killed outright,
nginx gets SIGTERM from the kernel (``PR_SET_PDEATHSIG``), so none outlives the run.

As root (CI) the master stays root, but its workers run as ``www-data`` (else ``nobody``), named in the
main config; the folder belongs to that user, so the workers can read the password file and write their
temporary files.

Binary: ``$ZGC_GEO_NGINX`` if set, else ``/usr/sbin/nginx`` (Debian's package ``nginx``), else ``nginx`` on
``PATH``. ``NginxUnavailableError`` says what is missing.
"""

from __future__ import annotations

import contextlib
import ctypes
import grp
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SITE_FILE = REPO_ROOT / "deploy" / "nginx" / "zgc-geo.conf"
BINARY_ENV = "ZGC_GEO_NGINX"
DEBIAN_NGINX = "/usr/sbin/nginx"
HOST = "127.0.0.1"
#: What the shipped site says, and so what :func:`site_for_test` replaces: the app processes (those the site
#: sends new browsers to, in order) and the password file.
_PROCESSES = re.compile(r"upstream\s+zgc_geo_any\s*\{(?P<servers>[^}]*)\}")
_SERVER = re.compile(r"server\s+127\.0\.0\.1:(\d+)\s*;")
SITE_PASSWORD_FILE = "/etc/nginx/zgc-geo.htpasswd"
INSTALL_HINT = (
    "the nginx tests need Debian's nginx: sudo apt-get install nginx (or run make test, which installs it "
    "as root)"
)
READY_TIMEOUT_S = 15.0
_PR_SET_PDEATHSIG = 1
_LISTEN = re.compile(r"^(?P<indent>[ \t]*)listen[ \t]+[^;#]+;", re.MULTILINE)

MAIN_CONF = """\
# Written by tests/nginx_server.py: a private nginx for one test run; removed when it stops.
daemon off;
master_process on;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log info;
{user}
events {{
    worker_connections 256;
}}

http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/temp/client_body;
    proxy_temp_path {folder}/temp/proxy;
    fastcgi_temp_path {folder}/temp/fastcgi;
    uwsgi_temp_path {folder}/temp/uwsgi;
    scgi_temp_path {folder}/temp/scgi;

    include {folder}/zgc-geo.conf;
}}
"""


class NginxUnavailableError(RuntimeError):
    """nginx (or openssl, for the password file) is not installed; the message says which."""


def find_nginx() -> str:
    """The nginx binary to run; NginxUnavailableError when there is none."""
    override = os.environ.get(BINARY_ENV)
    candidates = [override] if override else [DEBIAN_NGINX, shutil.which("nginx")]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    looked = override or f"{DEBIAN_NGINX} and PATH"
    raise NginxUnavailableError(f"nginx not found (looked at {looked})")


def password_line(user: str, password: str) -> str:
    """One line of an nginx password file: ``user:`` and the apr1 (Apache MD5) hash of ``password``.

    apr1 because nginx computes it itself (ngx_crypt.c), whatever the system's crypt() supports.
    """
    openssl = shutil.which("openssl")
    if openssl is None:
        raise NginxUnavailableError(
            "openssl not found (Debian package openssl), needed for the password file"
        )
    hashed = subprocess.run(
        [openssl, "passwd", "-apr1", "-stdin"], input=password, capture_output=True, text=True, check=True
    ).stdout.strip()
    return f"{user}:{hashed}\n"


def site_ports(site: str) -> list[int]:
    """The app processes' ports ``site`` names, in order (its ``zgc_geo_any`` upstream)."""
    found = _PROCESSES.search(site)
    return [int(port) for port in _SERVER.findall(found.group("servers"))] if found else []


def site_for_test(site: str, *, port: int, upstream_ports: Sequence[int], password_file: Path) -> str:
    """The shipped ``site`` on ``127.0.0.1:port``, proxying to ``upstream_ports``, with ``password_file``.

    The first ``listen`` becomes the test's address and the others (IPv6) are commented out, so line
    numbers in nginx's messages still match the shipped file. A site that no longer has what is
    replaced raises ValueError naming it: update this function with the site.
    """
    shipped = site_ports(site)
    missing = [] if shipped else ["an upstream zgc_geo_any with the app processes"]
    missing += [text for text in (SITE_PASSWORD_FILE,) if text not in site]
    if not _LISTEN.search(site):
        missing.append("a listen directive")
    if missing:
        raise ValueError(
            f"{SITE_FILE} no longer contains {', '.join(missing)}: update tests/nginx_server.py "
            "(site_for_test) to what the site says now"
        )
    listens = iter(range(len(_LISTEN.findall(site))))

    def listen(match: re.Match[str]) -> str:
        indent = match.group("indent")
        if next(listens) == 0:
            return f"{indent}listen {HOST}:{port};"
        return f"{indent}# (test) {match.group(0).strip()}"

    site = _LISTEN.sub(listen, site)
    ports = {shipped_port: upstream_ports[i % len(upstream_ports)] for i, shipped_port in enumerate(shipped)}
    # Each address as the site writes it, and as a regular expression (how the site recognises it).
    address = re.compile(r"127(\\?)\.0\1\.0\1\.1:(\d+)\b")

    def swap(match: re.Match[str]) -> str:
        test_port = ports.get(int(match.group(2)))
        return match.group(0) if test_port is None else match.group(0).replace(match.group(2), str(test_port))

    site = address.sub(swap, site)
    return site.replace(SITE_PASSWORD_FILE, str(password_file))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _worker_account() -> tuple[str, str, int, int] | None:
    """As root: the unprivileged (user, group, uid, gid) nginx's workers run as; None when not root."""
    if os.geteuid() != 0:
        return None
    for name in ("www-data", "nobody"):
        with contextlib.suppress(KeyError):
            account = pwd.getpwnam(name)
            return name, grp.getgrgid(account.pw_gid).gr_name, account.pw_uid, account.pw_gid
    raise NginxUnavailableError(
        "running as root, but there is no 'www-data' or 'nobody' user for nginx's workers"
    )


def _reachable_by_all(folder: Path) -> bool:
    """Whether every folder above ``folder`` lets other users through (a root-only $TMPDIR does not)."""
    return all(parent.stat().st_mode & stat.S_IXOTH for parent in folder.resolve().parents)


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM (nginx's fast shutdown) when the test process dies."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class NginxServer:
    """A private nginx, the shipped site in front of the app processes on ``upstream_ports``; see the module
    docstring."""

    def __init__(
        self,
        upstream_ports: int | Sequence[int],
        users: Mapping[str, str],
        site: Path = SITE_FILE,
        binary: str | None = None,
    ) -> None:
        self.binary = binary or find_nginx()
        self.upstream_ports = [upstream_ports] if isinstance(upstream_ports, int) else list(upstream_ports)
        self.users = dict(users)
        self.site = site
        self.folder: Path | None = None
        self.port = 0
        self._account = _worker_account()
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def _make_folder(self) -> Path:
        folder = Path(tempfile.mkdtemp(prefix="zgc-nginx-"))
        if self._account is None:
            return folder
        if not _reachable_by_all(folder):
            # $TMPDIR is private to root: the workers could not read the password file there; /tmp it is.
            folder.rmdir()
            folder = Path(tempfile.mkdtemp(prefix="zgc-nginx-", dir="/tmp"))
        os.chown(folder, self._account[2], self._account[3])
        return folder

    def _write_config(self, folder: Path) -> Path:
        password_file = folder / "htpasswd"
        lines = [password_line(name, password) for name, password in self.users.items()]
        password_file.write_text("".join(lines), encoding="utf-8")
        user = ""
        if self._account is not None:
            os.chown(password_file, self._account[2], self._account[3])
            user = f"user {self._account[0]} {self._account[1]};"
        (folder / "temp").mkdir()
        site = site_for_test(
            self.site.read_text(encoding="utf-8"),
            port=self.port,
            upstream_ports=self.upstream_ports,
            password_file=password_file,
        )
        (folder / "zgc-geo.conf").write_text(site, encoding="utf-8")
        conf = folder / "nginx.conf"
        conf.write_text(MAIN_CONF.format(folder=folder, user=user), encoding="utf-8")
        return conf

    def log_tail(self, lines: int = 30) -> str:
        """The end of nginx's error log and of its own output (for failure messages)."""
        if self.folder is None:
            return "(not started)"
        parts = []
        for name in ("error.log", "output.log"):
            with contextlib.suppress(OSError):
                text = (self.folder / name).read_text(errors="replace").splitlines()[-lines:]
                parts.append(f"--- {name}\n" + "\n".join(text))
        return "\n".join(parts) or "(no log)"

    def _launch(self, conf: Path) -> bool:
        """Start nginx and wait until it accepts connections; False when its port was taken meanwhile."""
        assert self.folder is not None
        error_log = str(self.folder / "error.log")  # also for what nginx says before it reads the config
        command = [self.binary, "-p", f"{self.folder}/", "-c", str(conf), "-e", error_log]
        with (self.folder / "output.log").open("ab") as output:
            self._proc = subprocess.Popen(
                command,
                cwd=self.folder,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # own process group: stop() reaches the workers too
                preexec_fn=_die_with_parent,  # noqa: PLW1509 - only prctl, no locks or Python state
            )
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                if "Address already in use" in self.log_tail():
                    return False
                raise RuntimeError(f"nginx exited with code {self._proc.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(OSError), socket.create_connection((HOST, self.port), timeout=1):
                return True
            time.sleep(0.05)
        raise RuntimeError(
            f"nginx did not listen on {HOST}:{self.port} within {READY_TIMEOUT_S:.0f} s:\n{self.log_tail()}"
        )

    def start(self) -> NginxServer:
        """Write the configuration, start nginx on a free port (another if it was taken). Returns self."""
        if self._proc is not None:
            return self
        try:
            for _attempt in range(3):
                self._terminate()
                if self.folder is not None:
                    shutil.rmtree(self.folder, ignore_errors=True)
                self.folder = self._make_folder()
                self.port = _free_port()
                if self._launch(self._write_config(self.folder)):
                    return self
            raise RuntimeError(f"nginx found no free port in three tries:\n{self.log_tail()}")
        except BaseException:
            self.stop()
            raise

    def _terminate(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()  # the master's fast shutdown: it ends its workers and open WebSockets
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def stop(self) -> None:
        """Stop nginx and remove its folder. Safe to repeat."""
        self._terminate()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def __enter__(self) -> NginxServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
