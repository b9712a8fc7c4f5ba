"""Real servers for the integration tests: ``mlflow server`` and a throw-away PostgreSQL.

Every server runs in its own process group on 127.0.0.1 and a free port, is waited for
with a deadline, and is stopped (the whole group, SIGTERM then SIGKILL) by the caller's
finalizer. Nothing here is left behind when a test fails.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port that is free on the loopback interface right now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def wait_http(url: str, proc: subprocess.Popen | None, log: Path | None, timeout: float) -> None:
    """Poll ``url`` until it answers 200; raise (with the log tail) on exit or timeout."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        if (proc is not None and proc.poll() is not None) or time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-4000:] if log and log.exists() else ""
            state = "exited" if proc is not None and proc.poll() is not None else "timed out"
            raise RuntimeError(f"{url} did not come up ({state}):\n{tail}")
        time.sleep(0.25)


def stop_group(proc: subprocess.Popen, grace: float = 15.0) -> None:
    """SIGTERM the process group of ``proc`` (started with ``start_new_session``), then KILL."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    try:  # children (server workers) may outlive the leader
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:  # pragma: no cover - unkillable
        pass


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the whole process group at once: a crash, not a shutdown."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=30)


@dataclass
class MlflowServer:
    """An ``mlflow server`` subprocess; :meth:`start` again after :meth:`kill` (same port)."""

    backend_uri: str
    artifacts: Path
    root: Path
    port: int = 0
    workers: int = 1
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, timeout: float = 120.0) -> MlflowServer:
        if not self.port:
            self.port = free_port()
        cmd = [
            sys.executable,
            "-m",
            "mlflow",
            "server",
            "--backend-store-uri",
            self.backend_uri,
            "--artifacts-destination",
            str(self.artifacts),
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
        ]
        log = self.root / f"mlflow-server-{self.port}.log"
        with open(log, "a") as fh:
            self.proc = subprocess.Popen(
                cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=self.root, start_new_session=True
            )
        try:
            wait_http(f"{self.url}/health", self.proc, log, timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def kill(self) -> None:
        if self.proc is not None:
            kill_group(self.proc)

    def stop(self) -> None:
        if self.proc is not None:
            stop_group(self.proc)


# ------------------------------------------------------------------ PostgreSQL


def postgres_bindir() -> Path:
    """The directory of PostgreSQL's ``initdb`` / ``pg_ctl``; fail loudly if absent."""
    candidates = []
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl:
        candidates.append(Path(os.path.realpath(pg_ctl)).parent)
    candidates += [
        Path(p).parent for p in sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    ]
    for d in candidates:
        if (d / "initdb").is_file() and (d / "pg_ctl").is_file():
            return d
    raise FileNotFoundError(
        "PostgreSQL binaries (initdb, pg_ctl) not found on PATH nor in "
        "/usr/lib/postgresql/*/bin. CI installs them with .ci/setup-postgres.sh; locally run "
        "`bash .ci/setup-postgres.sh` (Debian: apt-get install postgresql)"
    )


@dataclass
class Postgres:
    """A private PostgreSQL cluster in a temp dir, TCP on 127.0.0.1:<port>, trust auth."""

    bindir: Path
    root: Path
    port: int
    user: str

    @property
    def data(self) -> Path:
        return self.root / "data"

    def uri(self, database: str) -> str:
        # explicit driver: SQLAlchemy 2.1 defaults postgresql:// to psycopg 3
        return f"postgresql+psycopg2://{self.user}@{HOST}:{self.port}/{database}"

    def _run(self, *args: str, timeout: float = 120.0) -> subprocess.CompletedProcess:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:  # postgres refuses to run as root
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        return subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, cwd=self.root, check=False
        )

    @classmethod
    def start(cls, timeout: float = 120.0) -> Postgres:
        bindir = postgres_bindir()
        root = Path(tempfile.mkdtemp(prefix="quantlab-pg-"))
        user = pwd.getpwuid(os.geteuid()).pw_name
        if os.geteuid() == 0:
            user = "postgres"
            try:
                pwd.getpwnam(user)
            except KeyError:
                subprocess.run(
                    ["useradd", "--system", "--no-create-home", "--shell", "/bin/false", user],
                    check=True,
                    timeout=60,
                )
            entry = pwd.getpwnam(user)
            os.chown(root, entry.pw_uid, entry.pw_gid)
        os.chmod(root, 0o700)
        pg = cls(bindir, root, free_port(), user)
        try:
            init = pg._run(
                "initdb", "-D", str(pg.data), "-U", user, "--auth=trust", "-E", "UTF8", "--no-sync"
            )
            if init.returncode != 0:
                raise RuntimeError(f"initdb failed:\n{init.stdout}\n{init.stderr}")
            opts = (
                f"-c listen_addresses={HOST} -p {pg.port} -k {root} -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
            )
            started = pg._run(
                "pg_ctl", "-D", str(pg.data), "-l", str(root / "postgres.log"), "-o", opts,
                "-w", "-t", str(int(timeout)), "start", timeout=timeout + 30,
            )  # fmt: skip
            if started.returncode != 0:
                log = (root / "postgres.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"pg_ctl start failed:\n{started.stdout}{started.stderr}{log}")
        except BaseException:
            pg.stop()
            raise
        return pg

    def create_database(self, name: str) -> str:
        import psycopg2

        conn = psycopg2.connect(host=HOST, port=self.port, user=self.user, dbname="postgres")
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{name}"')
        finally:
            conn.close()
        return self.uri(name)

    def query(self, database: str, sql: str, *params: object) -> list[tuple]:
        import psycopg2

        conn = psycopg2.connect(host=HOST, port=self.port, user=self.user, dbname=database)
        try:
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return list(cur.fetchall())
        finally:
            conn.close()

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "-t", "60", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def mlflow_globals(uri: str) -> Iterator[None]:
    """Point MLflow's process-wide tracking and registry URIs at ``uri``, then restore them.

    Some MLflow paths (``models:/`` downloads, logged-model lookups) use the process-wide
    URIs whatever client they are called from; ``mlflow.set_tracking_uri`` also writes
    ``MLFLOW_TRACKING_URI`` into ``os.environ``. Restoring both keeps later tests (and the
    subprocesses they start) from talking to a server that no longer exists.
    """
    import mlflow
    from mlflow.tracking._model_registry import utils as registry_utils
    from mlflow.tracking._tracking_service import utils as tracking_utils

    saved = (tracking_utils._tracking_uri, registry_utils._registry_uri)
    saved_env = {k: os.environ.get(k) for k in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")}
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    try:
        yield
    finally:
        tracking_utils._tracking_uri, registry_utils._registry_uri = saved
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
