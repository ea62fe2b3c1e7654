"""``gisgrid backup`` and ``gisgrid restore``: the archive round trip, written and replaced all or nothing."""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import make_url
from tqdm import tqdm

from gisgrid.backup import archive, databases, media, pgtools
from gisgrid.errors import Conflict
from gisgrid.migrate import upgrade


def backup(url: str, media_dir: str, dest: str, force: bool = False) -> dict:
    """Write one archive at ``dest`` (a temporary name renamed at the end); returns its manifest."""
    dest_path = Path(dest).resolve()
    if dest_path.exists() and not force:
        raise Conflict(f"{dest} 已存在，加 --force 覆盖 (the file exists: use --force to overwrite)")
    meta = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": make_url(url).database,
        "alembic_revisions": databases.revisions(url),
    }
    with tempfile.TemporaryDirectory(prefix="gisgrid-backup-") as work:
        dump_path = Path(work) / archive.DUMP
        with tqdm(total=1, desc="pg_dump", unit="db") as bar:
            pgtools.dump(url, dump_path)
            bar.update(1)
        handle, partial = tempfile.mkstemp(dir=dest_path.parent, prefix=f".{dest_path.name}.", suffix=".partial")
        try:
            with os.fdopen(handle, "wb") as out:
                manifest = archive.write(out, dump_path, Path(media_dir), meta)
                out.flush()
                os.fsync(out.fileno())
            _publish(partial, dest_path, force)
        finally:
            if os.path.exists(partial):
                os.unlink(partial)
    return manifest


def _publish(partial: str, dest: Path, force: bool) -> None:
    if force:
        os.replace(partial, dest)
        return
    try:
        os.link(partial, dest)  # no-clobber: fails if someone created the file meanwhile
    except FileExistsError:
        raise Conflict(f"{dest} 已存在，加 --force 覆盖 (the file exists: use --force to overwrite)") from None


def restore(url: str, media_dir: str, src: str, force: bool = False, template: str = "gisgrid_template") -> dict:
    """Verify the archive, rebuild database and media beside the live ones, then swap both in; returns the manifest."""
    manifest = archive.verify(Path(src))
    databases.check_known(manifest.get("alembic_revisions") or [])
    if databases.exists(url) and databases.has_data(url) and not force:
        raise Conflict("目标数据库中已有数据，加 --force 以备份内容替换 (the database is not empty: use --force)")
    staging = media.staging_dir(Path(media_dir))
    scratch = databases.create_scratch(url, template)
    try:
        _rebuild(Path(src), scratch, staging)
        aside = media.swap_in(Path(media_dir), staging)
    except BaseException:
        databases.drop(scratch)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _switch_database(url, scratch, Path(media_dir), aside)
    return manifest


def _rebuild(src: Path, scratch: str, staging: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="gisgrid-restore-") as work:
        dump_path, list_path = Path(work) / archive.DUMP, Path(work) / "restore.list"
        archive.extract(src, dump_path, staging)
        list_path.write_text(pgtools.restore_list(dump_path))
        with tqdm(total=2, desc="pg_restore", unit="step") as bar:
            pgtools.restore(scratch, dump_path, list_path)
            bar.update(1)
            upgrade(scratch)  # an older backup is brought to this code's schema before it goes live
            bar.update(1)


def _switch_database(url: str, scratch: str, media_dir: Path, aside: Path | None) -> None:
    try:
        replaced = databases.swap_in(url, scratch)
    except BaseException:
        media.swap_back(media_dir, aside)
        databases.drop(scratch)
        raise
    if replaced:
        databases.drop(replaced)
    if aside:
        shutil.rmtree(aside, ignore_errors=True)
