"""A real, private PostgreSQL + PostGIS server for the tests: never a mock, never the system's cluster.

``PostgisServer().start()`` runs ``initdb`` in a fresh temporary folder, starts ``postgres`` on a free
port of 127.0.0.1 (its socket in that folder too, trust authentication, fsync off), makes a template
database ``zgc_template`` with the ``postgis`` extension, and the cluster roles the workspace uses:

* ``zgc_geo_app`` – NOLOGIN; the role the workspace grants its rights to;
* ``zgc_app`` – LOGIN, member of ``zgc_geo_app``: what the app connects as;
* ``zgc_other`` – LOGIN with no grants at all: for tests that expect a refusal.

``new_database()`` copies the template into a new database ``ws_<n>`` and returns its URLs (superuser
``postgres``, ``zgc_app``, ``zgc_other``). ``stop()`` stops the server (``pg_ctl stop -m fast``) and
removes the folder; it also runs at interpreter exit, and a watchdog process stops the server should the
test process be killed outright, so no server outlives the run.

As root (CI), initdb and postgres refuse to run: they then run as the ``postgres`` OS user (else
``nobody``) through ``runuser``, and the folder belongs to that user.

Binaries: ``$ZGC_GEO_PG_BINDIR`` if set (and nothing else), else ``pg_config --bindir``, else the newest
``/usr/lib/postgresql/*/bin``. ``PostgisUnavailableError`` says what is missing.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

BINDIR_ENV = "ZGC_GEO_PG_BINDIR"
TEMPLATE_DB = "zgc_template"
APP_GROUP_ROLE = "zgc_geo_app"
APP_ROLE = "zgc_app"
OTHER_ROLE = "zgc_other"
SUPERUSER = "postgres"
HOST = "127.0.0.1"
INSTALL_HINT = (
    "PostGIS tests need a local PostgreSQL with PostGIS: sudo apt-get install postgresql "
    "postgresql-15-postgis-3 (or run make test, which installs them as root)"
)
READY_TIMEOUT_S = 30.0
_NEEDED_BINARIES = ("initdb", "pg_ctl", "postgres")

# Stops the server if the test process dies without running its atexit handlers (SIGKILL, OOM …).
_WATCHDOG = """
import os, shutil, subprocess, sys, time
parent, folder, *pg_ctl_stop = sys.argv[1:]

def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")  # killed, not yet reaped
    except OSError:
        return True

while alive(int(parent)):
    time.sleep(0.5)
subprocess.run(pg_ctl_stop, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
shutil.rmtree(folder, ignore_errors=True)
"""


class PostgisUnavailableError(RuntimeError):
    """PostgreSQL's server binaries or the PostGIS extension are not installed; the message says which."""


@dataclass(frozen=True)
class PgInstall:
    """Where a PostgreSQL server installation lives."""

    bindir: Path
    sharedir: Path
    major: str

    def binary(self, name: str) -> str:
        return str(self.bindir / name)


@dataclass(frozen=True)
class PostgisDatabase:
    """One database of the private cluster, copied from ``zgc_template`` (so PostGIS is in it)."""

    name: str
    port: int
    host: str = HOST

    def url(self, user: str) -> str:
        return f"postgresql://{user}@{self.host}:{self.port}/{self.name}"

    @property
    def admin_url(self) -> str:
        """Superuser ``postgres`` (for ``workspace init`` and for tampering behind the app's back)."""
        return self.url(SUPERUSER)

    @property
    def app_url(self) -> str:
        """Login role ``zgc_app`` (member of ``zgc_geo_app``), trust authentication, no password."""
        return self.url(APP_ROLE)

    @property
    def other_url(self) -> str:
        """Login role ``zgc_other``, which holds no grants: for refusal tests."""
        return self.url(OTHER_ROLE)


def _run(args: list[str], timeout: float = 120) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=timeout).stdout.strip()


def _major_of(bindir: Path) -> str | None:
    """The major version of the server in ``bindir`` (``postgres --version``), or None."""
    try:
        out = _run([str(bindir / "postgres"), "--version"], timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    return match.group(1) if match else None


def _has_binaries(bindir: Path) -> bool:
    return all(os.access(bindir / name, os.X_OK) for name in _NEEDED_BINARIES)


def _candidate_bindirs() -> list[Path]:
    override = os.environ.get(BINDIR_ENV)
    if override:
        return [Path(override)]
    found: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            found.append(Path(_run([pg_config, "--bindir"], timeout=30)))

    def version_key(path: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", path.parent.name)) or (0,)

    found += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version_key, reverse=True)
    return found


def find_postgres() -> PgInstall:
    """The PostgreSQL installation (with PostGIS) to use; PostgisUnavailableError names what is missing."""
    candidates = _candidate_bindirs()
    bindir = next((path for path in candidates if _has_binaries(path)), None)
    if bindir is None:
        where = ", ".join(str(path) for path in candidates) or "no pg_config and no /usr/lib/postgresql/*/bin"
        raise PostgisUnavailableError(
            f"PostgreSQL server binaries ({', '.join(_NEEDED_BINARIES)}) not found (looked in: {where})"
        )
    major = _major_of(bindir)
    sharedirs: list[Path] = []
    if os.access(bindir / "pg_config", os.X_OK):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            sharedirs.append(Path(_run([str(bindir / "pg_config"), "--sharedir"], timeout=30)))
    if major:
        sharedirs.append(Path("/usr/share/postgresql") / major)
    for sharedir in sharedirs:
        if (sharedir / "extension" / "postgis.control").is_file():
            return PgInstall(bindir=bindir, sharedir=sharedir, major=major or "?")
    looked = ", ".join(str(path / "extension" / "postgis.control") for path in sharedirs) or "nowhere"
    raise PostgisUnavailableError(
        f"the PostGIS extension for PostgreSQL {major or '?'} ({bindir}) is not installed "
        f"(no {looked}; Debian package postgresql-{major or '<major>'}-postgis-3)"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _unprivileged_user() -> pwd.struct_passwd:
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise PostgisUnavailableError(
        "running as root, but there is no 'postgres' or 'nobody' user to run PostgreSQL"
    )


class PostgisServer:
    """A private PostgreSQL cluster with PostGIS in a temporary folder; see the module docstring."""

    def __init__(self, install: PgInstall | None = None) -> None:
        self.install = install or find_postgres()
        self.folder: Path | None = None
        self.port = 0
        self.start_seconds = 0.0
        self._user: pwd.struct_passwd | None = _unprivileged_user() if os.geteuid() == 0 else None
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        self._running = False
        self._watchdog: subprocess.Popen[bytes] | None = None

    # -- paths and commands ---------------------------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        assert self.folder is not None, "server not started"
        return self.folder / "data"

    @property
    def log_file(self) -> Path:
        assert self.folder is not None, "server not started"
        return self.folder / "server.log"

    def _as_owner(self, args: list[str]) -> list[str]:
        """``args`` run as the cluster's owner: ourselves, or (as root) the unprivileged user."""
        if self._user is None:
            return args
        return ["runuser", "-u", self._user.pw_name, "--", *args]

    def _env(self) -> dict[str, str]:
        # PGDATA, PGPORT, PGHOST … of the calling environment must not steer the private cluster.
        env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        env["LC_ALL"] = "C"  # initdb's messages and locale checks do not depend on the developer's locale
        return env

    def _owner_run(self, args: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
        assert self.folder is not None
        return subprocess.run(
            self._as_owner(args),
            cwd=self.folder,
            env=self._env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def _pg_ctl_stop(self, mode: str) -> list[str]:
        return [self.install.binary("pg_ctl"), "stop", "-D", str(self.data_dir), "-m", mode, "-w", "-t", "30"]

    def _stop_command(self, mode: str) -> list[str]:
        return self._as_owner(self._pg_ctl_stop(mode))

    def _postmaster_pid(self) -> int | None:
        try:
            return int((self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None

    def _log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    # -- lifecycle -----------------------------------------------------------------------------------
    def _make_folder(self) -> Path:
        folder = Path(tempfile.mkdtemp(prefix="zgc-pg-"))
        if self._user is None:
            return folder
        os.chown(folder, self._user.pw_uid, self._user.pw_gid)
        probe = subprocess.run(
            ["runuser", "-u", self._user.pw_name, "--", "test", "-w", str(folder)], check=False
        )
        if probe.returncode != 0 and not str(folder).startswith("/tmp/"):
            # $TMPDIR is private to root: the unprivileged user cannot reach it; /tmp it is.
            folder.rmdir()
            folder = Path(tempfile.mkdtemp(prefix="zgc-pg-", dir="/tmp"))
            os.chown(folder, self._user.pw_uid, self._user.pw_gid)
        return folder

    def _initdb(self) -> None:
        base = [self.install.binary("initdb"), "-D", str(self.data_dir), "-U", SUPERUSER, "--auth=trust"]
        base += ["-E", "UTF8", "--no-sync"]
        errors = []
        for locale in ("C.UTF-8", "C"):
            result = self._owner_run([*base, f"--locale={locale}"])
            if result.returncode == 0:
                return
            errors.append(f"--locale={locale}: {result.stderr.strip() or result.stdout.strip()}")
            shutil.rmtree(self.data_dir, ignore_errors=True)
        raise RuntimeError("initdb failed:\n" + "\n".join(errors))

    def _configure(self) -> None:
        assert self.folder is not None
        settings = {
            "listen_addresses": f"'{HOST}'",
            "unix_socket_directories": f"'{self.folder}'",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "shared_buffers": "'32MB'",
            "max_connections": "50",
            "logging_collector": "off",
            "timezone": "'UTC'",
        }
        with (self.data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n# zgc-geo tests (tests/postgis_server.py)\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())

    def _start_postgres(self) -> None:
        """``pg_ctl start`` on a free port; a port taken in between is retried with another one."""
        failure = ""
        for _attempt in range(3):
            self.port = _free_port()
            result = self._owner_run(
                [
                    self.install.binary("pg_ctl"),
                    "start",
                    "-D",
                    str(self.data_dir),
                    "-l",
                    str(self.log_file),
                    "-o",
                    f"-p {self.port}",
                    "-w",
                    "-t",
                    str(int(READY_TIMEOUT_S)),
                ],
                timeout=READY_TIMEOUT_S + 30,
            )
            if result.returncode == 0:
                self._running = True
                return
            failure = f"{result.stderr.strip()}\n{self._log_tail()}"
            # pg_ctl may have given up waiting while the server still comes up: make sure it is down.
            self._owner_run(self._pg_ctl_stop("immediate"))
            if "Address already in use" not in failure and "could not bind" not in failure:
                break
        raise RuntimeError(f"PostgreSQL did not start (port {self.port}):\n{failure}")

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        url = f"postgresql://{SUPERUSER}@{HOST}:{self.port}/postgres"
        while True:
            try:
                with psycopg.connect(url, connect_timeout=5):
                    return
            except psycopg.OperationalError as error:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"PostgreSQL not ready after {READY_TIMEOUT_S:.0f} s: {error}"
                    ) from error
                time.sleep(0.1)

    def _start_watchdog(self) -> None:
        assert self.folder is not None
        self._watchdog = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _WATCHDOG,
                str(os.getpid()),
                str(self.folder),
                *self._stop_command("immediate"),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C to the test run's process group does not reach it
            env=self._env(),
        )

    def _set_up_cluster(self) -> None:
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE ROLE {APP_GROUP_ROLE} NOLOGIN")
            conn.execute(f"CREATE ROLE {APP_ROLE} LOGIN IN ROLE {APP_GROUP_ROLE}")
            conn.execute(f"CREATE ROLE {OTHER_ROLE} LOGIN")
            conn.execute(f"CREATE DATABASE {TEMPLATE_DB}")
        with psycopg.connect(self.url(TEMPLATE_DB), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION postgis")
            # PostgreSQL 15's default, also on older servers: only owners may create in schema public.
            conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            # Nobody may connect to the template: a stray session would make CREATE DATABASE … TEMPLATE fail.
            conn.execute(f"ALTER DATABASE {TEMPLATE_DB} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false")

    def start(self) -> PostgisServer:
        """initdb, start, wait until ready, create the template and the roles. Returns self."""
        if self._running:
            return self
        began = time.monotonic()
        self.folder = self._make_folder()
        atexit.register(self.stop)
        try:
            self._initdb()
            self._configure()
            self._start_postgres()
            self._start_watchdog()
            self._wait_ready()
            self._set_up_cluster()
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.monotonic() - began
        return self

    def stop(self) -> None:
        """Stop the server (fast shutdown: sessions are cut) and remove its folder. Safe to repeat."""
        if self.folder is None:
            return
        if self._running or (self.data_dir / "postmaster.pid").exists():
            result = subprocess.run(
                self._stop_command("fast"),
                cwd=self.folder,
                env=self._env(),
                capture_output=True,
                check=False,
                timeout=60,
            )
            if result.returncode != 0 and (self.data_dir / "postmaster.pid").exists():
                postmaster = self._postmaster_pid()
                subprocess.run(
                    self._stop_command("immediate"),
                    env=self._env(),
                    capture_output=True,
                    check=False,
                    timeout=60,
                )
                if postmaster is not None:
                    with contextlib.suppress(OSError):
                        os.kill(postmaster, signal.SIGKILL)  # last resort: never leave a server behind
            self._running = False
        if self._watchdog is not None:
            self._watchdog.kill()
            self._watchdog.wait()
            self._watchdog = None
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder = None
        atexit.unregister(self.stop)

    def __enter__(self) -> PostgisServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- databases -----------------------------------------------------------------------------------
    def url(self, database: str, user: str = SUPERUSER) -> str:
        return f"postgresql://{user}@{HOST}:{self.port}/{database}"

    def new_database(self) -> PostgisDatabase:
        """A new, empty database ``ws_<n>`` with PostGIS (a copy of ``zgc_template``)."""
        if not self._running:
            raise RuntimeError("the PostGIS test server is not running")
        with self._lock:
            name = f"ws_{next(self._numbers)}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB}")
        return PostgisDatabase(name=name, port=self.port)

    def drop_database(self, database: PostgisDatabase) -> None:
        """Drop a database made by ``new_database``, cutting any session still connected to it."""
        if not self._running:
            return
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {database.name} WITH (FORCE)")
