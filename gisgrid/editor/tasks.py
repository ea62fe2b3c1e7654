"""The worker's editor import: an edited GeoPackage repaired, validated and previewed (or applied) in the background.

The upload is kept under ``CACHE_DIR/job-uploads`` until the run is done, so a run interrupted by a worker
restart reads it again. Idempotent: a preview only reads; applying replaces the draft's grids in one
transaction guarded by the preview's stamp (a second apply after a committed first one is refused as
changed, never applied twice).
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from gisgrid.editor import roundtrip
from gisgrid.grids.service import RepairLimits
from gisgrid.jobs.registry import kind

IMPORT = "editor.import"


def keep_upload(cache_dir: str, source: Path) -> str:
    """Move a request's temporary upload to where the worker reads it; → its path."""
    folder = Path(cache_dir).resolve() / "job-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{uuid.uuid4().hex}.gpkg"
    shutil.copyfile(source, target)  # the request's temporary file is removed when the request ends
    return str(target)


@kind(IMPORT)
def run_import(session, cfg, args: dict, progress) -> dict:
    """``roundtrip.import_upload`` with the arguments the planner gave; → the preview (with the repair report)."""
    repair = RepairLimits(**args["repair"]) if args.get("repair") else None
    progress(0, 1, "正在读取、修复并校验 (reading, repairing, validating)")
    result = roundtrip.import_upload(
        session,
        args["version_id"],
        Path(args["path"]),
        args["user"],
        stamp=args.get("stamp"),
        tolerance_m2=args["tolerance_m2"],
        unit_depths=tuple(args.get("unit_depths", ())),
        repair=repair,
    )
    if result["applied"]:
        Path(args["path"]).unlink(missing_ok=True)
    return result
