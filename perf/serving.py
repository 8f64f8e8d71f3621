"""The app under gunicorn with production settings, as docker-compose runs it
(gunicorn.conf.py), bound to the loopback only: for the soak and the fault tests."""

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from perf.cluster import free_port

ROOT = Path(__file__).resolve().parent.parent


def production_env(database_url: str, **extra) -> dict:
    return {
        **os.environ,
        "SAHEL_ENV": "production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "HTTPS": "0",  # plain HTTP on the loopback, as docker-compose on localhost
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        **extra,
    }


def manage(*args, env: dict, timeout: float = 600) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result


class Gunicorn:
    """`with Gunicorn(database_url) as server:` serves on `server.base`; `kill_worker()`
    kills one worker (SIGKILL) and the arbiter starts another."""

    def __init__(
        self,
        database_url: str,
        *,
        workers: int = 2,
        threads: int = 4,
        static: bool = False,
        log=None,
        **env,
    ):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.workdir = Path(tempfile.mkdtemp(prefix="sahel-serve-"))
        self.env = production_env(
            database_url,
            STATIC_ROOT=str(self.workdir / "static"),
            WEB_CONCURRENCY=str(workers),
            GUNICORN_THREADS=str(threads),
            **env,
        )
        self.static = static
        self.log = log or (lambda message: None)
        self.process: subprocess.Popen | None = None
        self.last_log = ""

    @property
    def logfile(self) -> Path:
        return self.workdir / "server.log"

    def __enter__(self) -> "Gunicorn":
        began = time.monotonic()
        if self.static:  # the pages need the collected static files' manifest
            manage("collectstatic", "--noinput", env=self.env)
        log = self.logfile.open("w")
        self.process = subprocess.Popen(
            # The container's settings, but bound to the loopback only.
            [
                "gunicorn",
                "--config",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{self.port}",
                "sahel.wsgi:application",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.logfile.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz/", timeout=5) as response:
                    if json.load(response) == {"status": "ok"}:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer:\n{self.logfile.read_text()}")
            time.sleep(0.2)
        self.log(f"gunicorn on {self.base} in {time.monotonic() - began:.1f} s")
        return self

    def workers(self) -> list[int]:
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(child) for child in children]

    def kill_worker(self) -> int:
        victim = self.workers()[0]
        os.kill(victim, signal.SIGKILL)
        return victim

    def __exit__(self, *exc_info) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.last_log = self.logfile.read_text() if self.logfile.exists() else ""
        shutil.rmtree(self.workdir, ignore_errors=True)
