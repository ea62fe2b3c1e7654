"""A real primary/hot-standby pair: a private cluster (scripts/bench/cluster.py) and its pg_basebackup -R clone.

Both are throwaway clusters on free loopback ports, never the shared one: a standby of the shared
cluster would copy every other test's database and feel every other test's DROP DATABASE.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg2
import pytest

from tests.conftest import free_port

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from bench import cluster  # noqa: E402

OPTIONS = "-c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60"  # the standby must match the primary


@contextlib.contextmanager
def primary():
    """A started private cluster (removed afterwards)."""
    reason = cluster.available()
    if reason:
        pytest.fail(f"no private PostgreSQL cluster possible: {reason}")
    pg = cluster.PrivateCluster(free_port())
    try:
        pg.start()
        yield pg
    finally:
        pg.destroy()


@contextlib.contextmanager
def standby(pg: cluster.PrivateCluster, database: str):
    """Clone ``pg`` into a streaming hot standby; yields (URL of ``database`` on it, its Controls)."""
    port, root = free_port(), Path(tempfile.mkdtemp(prefix="gisgrid_replica_"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    controls = Controls(root, data, port, database)
    try:
        # initdb -A trust allows replication connections on loopback; -R writes standby.signal + primary_conninfo
        _run("pg_basebackup", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres", "-D", str(data), "-R",
             "-X", "stream", "-c", "fast")  # fmt: skip
        options = f"-p {port} -k {root} {OPTIONS} -c hot_standby=on"
        _run("pg_ctl", "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start")
        controls.wait_up()
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/{database}", controls
    finally:
        controls.stop()
        shutil.rmtree(root, ignore_errors=True)


def _run(tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    cmd = [str(cluster.BIN / tool), *args]
    if os.geteuid() == 0:  # PostgreSQL's tools refuse to run as root
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    if check and run.returncode != 0:
        pytest.fail(f"{tool} failed ({run.returncode}): {run.stderr[-2000:]}")
    return run


class Controls:
    """Pause/resume WAL replay (a lagging replica) and stop the standby (a replica lost mid-load)."""

    def __init__(self, root: Path, data: Path, port: int, database: str) -> None:
        self.root, self.data, self.port, self.database = root, data, port, database

    def _connect(self):
        return psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=self.database)

    def wait_up(self, timeout: float = 60.0) -> None:
        """Wait until the standby accepts connections to the database."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self._connect().close()
                return
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def sql(self, statement: str):
        """Run one statement on the standby."""
        with contextlib.closing(self._connect()) as conn:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(statement)

    def scalar(self, statement: str):
        """The first column of the first row of a query on the standby."""
        with contextlib.closing(self._connect()) as conn:
            with conn.cursor() as cur:
                cur.execute(statement)
                return cur.fetchone()[0]

    def pause_replay(self) -> None:
        self.sql("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        self.sql("SELECT pg_wal_replay_resume()")

    def stop(self) -> None:
        """Stop the standby at once (as a crash or a pulled cable would)."""
        _run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
