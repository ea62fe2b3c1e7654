"""Helpers of the backup and crash-safety tests: the real CLI in a subprocess, and database fingerprints."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
# ``python -c`` from the repository root imports this checkout's gisgrid, not another installed one
CLI = [sys.executable, "-c", "from gisgrid.cli import main; main()"]


def cli_env(url: str, media: Path, cache: Path | None = None) -> dict:
    """The environment of a ``gisgrid`` process working on ``url`` and ``media``."""
    env = {**os.environ, "GISGRID_DATABASE_URL": url, "GISGRID_MEDIA_DIR": str(media)}
    if cache:
        env["GISGRID_CACHE_DIR"] = str(cache)
    return env


def run_cli(env: dict, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    """Run one ``gisgrid`` command to its end."""
    return subprocess.run([*CLI, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def start_cli(env: dict, *args: str) -> subprocess.Popen:
    """Start one ``gisgrid`` command; its progress output is on stderr."""
    return subprocess.Popen([*CLI, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def fingerprint(url: str) -> dict:
    """Row count of every table, md5 of every geometry column and the value of every sequence."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = (
                conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"))
                .scalars()
                .all()
            )
            counts = {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables}
            geoms = {
                f"{t}.{c}": conn.execute(
                    text(
                        f"SELECT md5(string_agg(encode(ST_AsEWKB(\"{c}\"), 'hex'), ',' ORDER BY encode(ST_AsEWKB(\"{c}\"), "
                        f"'hex'))) FROM \"{t}\""
                    )
                ).scalar()
                for t, c in conn.execute(
                    text("SELECT f_table_name, f_geometry_column FROM geometry_columns WHERE f_table_schema = 'public'")
                )
            }
            sequences = dict(
                conn.execute(
                    text("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
                ).all()
            )
    finally:
        engine.dispose()
    return {"counts": counts, "geoms": geoms, "sequences": sequences}


def media_snapshot(media: Path) -> dict:
    """Relative path → bytes of every file under the media directory."""
    return {p.relative_to(media).as_posix(): p.read_bytes() for p in sorted(media.rglob("*")) if p.is_file()}
