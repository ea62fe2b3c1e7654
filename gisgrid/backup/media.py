"""The media directory is replaced by renames inside its parent, so it is always the old or the new one whole."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path


def staging_dir(media_dir: Path) -> Path:
    """A fresh hidden directory next to the media directory (same filesystem, so a rename can swap it in)."""
    media_dir = media_dir.resolve()
    media_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = media_dir.parent / f".{media_dir.name}.restore-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    return staging


def swap_in(media_dir: Path, staging: Path) -> Path | None:
    """Rename the media directory aside and the staging one into its place; returns where the old one went."""
    media_dir = media_dir.resolve()
    if not media_dir.exists():
        os.rename(staging, media_dir)
        return None
    aside = media_dir.parent / f".{media_dir.name}.replaced-{uuid.uuid4().hex[:8]}"
    os.rename(media_dir, aside)
    try:
        os.rename(staging, media_dir)
    except OSError:
        os.rename(aside, media_dir)
        raise
    return aside


def swap_back(media_dir: Path, aside: Path | None) -> None:
    """Undo ``swap_in`` (the database swap after it failed): the old media directory comes back."""
    media_dir = media_dir.resolve()
    if aside is None:
        shutil.rmtree(media_dir, ignore_errors=True)
        return
    restored = media_dir.parent / f".{media_dir.name}.undone-{uuid.uuid4().hex[:8]}"
    os.rename(media_dir, restored)
    os.rename(aside, media_dir)
    shutil.rmtree(restored, ignore_errors=True)
