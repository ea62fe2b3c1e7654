"""pg_dump / pg_restore of PostgreSQL 15, called by path so Debian's wrapper cannot pick another version."""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import subprocess
from pathlib import Path

from sqlalchemy import make_url

from gisgrid.errors import InvalidInput

PG15_BINDIR = "/usr/lib/postgresql/15/bin"
# the target database is created from the PostGIS template, and the role may not create extensions;
# spatial_ref_sys belongs to the extension's owner: the role cannot have added rows, nor can it restore them
_SKIPPED = (" EXTENSION ", " COMMENT - EXTENSION ", " TABLE DATA public spatial_ref_sys ")


def bindir() -> Path:
    """The directory of the PostgreSQL 15 client programs."""
    if Path(PG15_BINDIR, "pg_dump").exists():
        return Path(PG15_BINDIR)
    found = shutil.which("pg_config")
    if found:
        return Path(subprocess.run([found, "--bindir"], capture_output=True, text=True, check=True).stdout.strip())
    raise InvalidInput("找不到 PostgreSQL 15 的 pg_dump (install postgresql-client-15)")


def connection_args(url: str) -> tuple[list[str], dict]:
    """(libpq command-line options, environment with the password) for a SQLAlchemy URL."""
    parsed = make_url(url)
    args = [
        "--host",
        parsed.host or "127.0.0.1",
        "--port",
        str(parsed.port or 5432),
        "--username",
        parsed.username or "gisgrid",
        "--dbname",
        parsed.database,
    ]
    env = {**os.environ, "PGPASSWORD": parsed.password or ""}
    return args, env


def _die_with_parent() -> None:
    # a killed gisgrid must not leave pg_dump/pg_restore running on their own (Linux prctl PR_SET_PDEATHSIG)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def _run(program: str, args: list[str], env: dict | None = None) -> str:
    run = subprocess.run(
        [str(bindir() / program), *args], capture_output=True, text=True, env=env, preexec_fn=_die_with_parent
    )
    if run.returncode != 0:
        raise InvalidInput(f"{program} 失败 ({program} failed): {run.stderr.strip()[-2000:]}")
    return run.stdout


def dump(url: str, target: Path) -> None:
    """Write the database as a custom-format dump (no owners, no grants: restorable by any role)."""
    args, env = connection_args(url)
    _run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--file", str(target), *args], env)


def restore_list(dump_path: Path) -> str:
    """The dump's table of contents without the PostGIS extension entries (the template provides them)."""
    listing = _run("pg_restore", ["--list", str(dump_path)])
    return "".join(line for line in listing.splitlines(keepends=True) if not any(mark in line for mark in _SKIPPED))


def restore(url: str, dump_path: Path, list_path: Path) -> None:
    """Restore the listed items into ``url`` in ONE transaction: any error leaves that database as it was."""
    args, env = connection_args(url)
    _run(
        "pg_restore",
        [
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            "--use-list",
            str(list_path),
            *args,
            str(dump_path),
        ],
        env,
    )
