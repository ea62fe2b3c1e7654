#!/usr/bin/env python
"""Time ``gisgrid backup`` and ``gisgrid restore`` of the demo deployment against a bare pg_dump baseline.

Creates a scratch database from the PostGIS template, loads the demo deployment (``gisgrid demo load``)
plus MEDIA_MB of media files, then runs, each as the real command in a subprocess:

* baseline -- ``pg_dump -Fc`` alone (what any backup must at least cost);
* backup   -- ``gisgrid backup``: dump, checksums, one tar, atomic rename;
* restore  -- ``gisgrid restore --force``: verify, scratch database, pg_restore, migrate, swap;
* startup  -- ``gisgrid --help``: the Python start-up both commands pay.

Prints archive size, seconds and the ratios backup / baseline and restore / baseline.

    .venv/bin/python scripts/bench_backup.py [--media-mb 20] [--json]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gisgrid.backup import pgtools  # noqa: E402
from tests.backup_support import cli_env, run_cli  # noqa: E402
from tests.conftest import fresh_database  # noqa: E402


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _check(run: subprocess.CompletedProcess) -> None:
    if run.returncode != 0:
        sys.exit(run.stderr[-2000:])


def measure(url: str, folder: Path, media_mb: int) -> dict:
    """Load the demo into ``url`` and time baseline, backup and restore."""
    env = cli_env(url, folder / "media", folder / "cache")
    _check(run_cli(env, "demo", "load"))
    (folder / "media" / "incidents" / "1").mkdir(parents=True, exist_ok=True)
    for i in range(media_mb):
        (folder / "media" / "incidents" / "1" / f"{i}.jpg").write_bytes(bytes([i % 256]) * (1 << 20))
    baseline = _timed(lambda: pgtools.dump(url, folder / "baseline.dump"))
    startup = _timed(lambda: _check(run_cli(env, "--help")))  # the command's own import time, in both runs
    archive = folder / "backup.tar"
    backup = _timed(lambda: _check(run_cli(env, "backup", str(archive))))
    restore = _timed(lambda: _check(run_cli(env, "restore", "--force", str(archive))))
    return {
        "dump_bytes": (folder / "baseline.dump").stat().st_size,
        "archive_bytes": archive.stat().st_size,
        "media_mb": media_mb,
        "baseline_s": round(baseline, 2),
        "backup_s": round(backup, 2),
        "restore_s": round(restore, 2),
        "startup_s": round(startup, 2),
        "backup_ratio": round(backup / baseline, 1),
        "restore_ratio": round(restore / baseline, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--media-mb", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with fresh_database("gisgrid_bench_backup") as url, tempfile.TemporaryDirectory() as folder:
        result = measure(url, Path(folder), args.media_mb)
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"demo deployment + {result['media_mb']} MB media: dump {result['dump_bytes']:,} B, "
        f"archive {result['archive_bytes']:,} B"
    )
    print(
        f"pg_dump alone (baseline) {result['baseline_s']} s; gisgrid backup {result['backup_s']} s "
        f"({result['backup_ratio']}x); gisgrid restore {result['restore_s']} s ({result['restore_ratio']}x); "
        f"of each, {result['startup_s']} s is the command starting up (gisgrid --help)"
    )


if __name__ == "__main__":
    main()
