"""A private, throwaway PostgreSQL cluster (initdb + pg_ctl) that may be stopped and restarted.

The shared cluster on 5432 must never be restarted (other tests run on it), so the
PostgreSQL-restart fault is played on one of these instead: trust auth, unix socket and
data in a temporary directory, owned by the ``postgres`` OS user when run as root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg2

BIN = Path("/usr/lib/postgresql/15/bin")


def available() -> str | None:
    """None when a private cluster can be made here, else the reason it cannot."""
    if not (BIN / "initdb").exists() or not (BIN / "pg_ctl").exists():
        return f"initdb/pg_ctl not found in {BIN}"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root but runuser is missing (initdb refuses to run as root)"
    return None


class PrivateCluster:
    """initdb a cluster on ``port``; start/stop/restart it; remove it with ``destroy``."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="gisgrid_pg_"))
        self.data, self.log = self.dir / "data", self.dir / "postgres.log"
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-instructions")

    def _run(self, tool: str, *args: str) -> None:
        cmd = [str(BIN / tool), *args]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if run.returncode != 0:
            raise RuntimeError(f"{tool} failed ({run.returncode}): {run.stderr[-2000:]}")

    def url(self, database: str = "postgres") -> str:
        """SQLAlchemy URL of ``database`` on this cluster (TCP on loopback, like production)."""
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "start")
        self._wait_up()

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``fast``: open sessions are terminated, as in a real restart)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def _wait_up(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres").close()
                return
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def create_database(self, name: str) -> str:
        """Create ``name`` with PostGIS and migrate it to the current schema; its URL."""
        from gisgrid.migrate import upgrade

        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
        conn.close()
        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=name)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        conn.close()
        upgrade(self.url(name))
        return self.url(name)

    def destroy(self) -> None:
        """Stop the server if it runs and delete its directory."""
        try:
            self.stop("immediate")
        except RuntimeError:
            pass  # already stopped
        shutil.rmtree(self.dir, ignore_errors=True)
