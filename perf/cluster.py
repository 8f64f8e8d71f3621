"""A throwaway PostgreSQL cluster: `initdb` into a temporary directory, served on a free
port of 127.0.0.1 (and a socket in that directory), stopped and removed afterwards.

The fault tests and `manage.py soak --restart-db` restart a database under a running
server; they do it to a cluster of their own, never to a shared one. The server binaries
are PostgreSQL's own (`pg_config --bindir`, or `PG_BINDIR`). PostgreSQL refuses to run as
root, so as root the cluster runs as the `postgres` system user.
"""

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


class ClusterUnavailable(RuntimeError):
    """No PostgreSQL server binaries here (or no user to run them as)."""


def bindir() -> Path:
    configured = os.environ.get("PG_BINDIR")
    if configured:
        return Path(configured)
    pg_config = shutil.which("pg_config")
    if pg_config is None:
        raise ClusterUnavailable("pg_config is not on PATH (set PG_BINDIR)")
    found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True)
    return Path(found.stdout.strip())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """Use as a context manager; `url(name)` is a DATABASE_URL for a database in it."""

    def __init__(self, *, log=None):
        self.bin = bindir()
        for program in ("initdb", "pg_ctl", "postgres"):
            if not (self.bin / program).exists():
                raise ClusterUnavailable(f"{self.bin / program} is missing")
        self.user = None
        if os.geteuid() == 0:
            try:
                self.user = pwd.getpwnam("postgres")
            except KeyError:
                raise ClusterUnavailable("running as root, and no 'postgres' user") from None
        self.port = free_port()
        self.log = log or (lambda message: None)
        self.root: Path | None = None

    # Paths -------------------------------------------------------------------------------

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def logfile(self) -> Path:
        return self.root / "server.log"

    def url(self, name: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    # Running ------------------------------------------------------------------------------

    def _run(self, *args, check=True, timeout=60):
        return subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            user=self.user.pw_uid if self.user else None,
            group=self.user.pw_gid if self.user else None,
            capture_output=True,
            text=True,
            check=check,
            timeout=timeout,
            cwd=self.root,
        )

    def __enter__(self) -> "Cluster":
        self.root = Path(tempfile.mkdtemp(prefix="sahel-pg-"))
        if self.user:
            os.chown(self.root, self.user.pw_uid, self.user.pw_gid)
        began = time.monotonic()
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")
        # A throwaway cluster: durability off (nothing in it is kept), only the loopback.
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {self.port}\n"
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.root}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                "max_connections = 100\nshared_buffers = 32MB\n"
            )
        self.start()
        self.log(f"cluster on port {self.port} in {time.monotonic() - began:.1f} s")
        return self

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.logfile), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        """`fast` ends every session (clients get "terminating connection due to
        administrator command") and shuts down, as a restart by an operator does."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self, down_seconds: float) -> tuple[float, float]:
        """Stop, stay down for `down_seconds`, start; returns (went down, back up) as
        `time.monotonic()` instants."""
        began = time.monotonic()
        self.stop()
        time.sleep(down_seconds)
        self.start()
        return began, time.monotonic()

    def __exit__(self, *exc_info) -> None:
        with contextlib.suppress(Exception):
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def psql(self, sql: str, database: str = "postgres") -> str:
        return self._run(
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            database,
            "-v",
            "ON_ERROR_STOP=1",
            "-qAtc",
            sql,
        ).stdout
