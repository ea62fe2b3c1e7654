"""Case photos: type checked by magic bytes, size limited, stored on disk outside the database."""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from gisgrid.errors import InvalidInput

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 5
_SIGNATURES = ((b"\xff\xd8\xff", "image/jpeg", ".jpg"), (b"\x89PNG\r\n\x1a\n", "image/png", ".png"))


def sniff(data: bytes) -> tuple[str, str]:
    """(mime type, extension) from the first bytes; only JPEG, PNG and WebP are accepted."""
    for magic, mime, ext in _SIGNATURES:
        if data.startswith(magic):
            return mime, ext
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", ".webp"
    raise InvalidInput("照片只接受 JPEG、PNG 或 WebP 图片 (photo must be JPEG, PNG or WebP)")


def check(uploads: list[tuple[str, bytes]], max_bytes: int) -> list[tuple[bytes, str, str]]:
    """Validate every upload before anything is written: (data, mime, extension) each."""
    uploads = [(name, data) for name, data in uploads if data]
    if len(uploads) > MAX_PHOTOS:
        raise InvalidInput(f"最多上传 {MAX_PHOTOS} 张照片 (at most {MAX_PHOTOS} photos)")
    checked = []
    for name, data in uploads:
        if len(data) > max_bytes:
            raise InvalidInput(f"照片 {name} 超过 {max_bytes // 1024 // 1024} MB (photo too large)")
        checked.append((data, *sniff(data)))
    return checked


# form fields that carry photos, per workflow action → the stage the photos are filed under
ACTION_FIELDS = {"handle": {"photos_before": "before", "photos_after": "after", "photos": "after"},
                 "verify": {"photos": "verify"}, "rework": {"photos": "verify"}}


@dataclass
class Upload:
    """Files sent with a workflow action (form field → [(filename, bytes)]) and where to store them."""

    files: dict = field(default_factory=dict)
    media_dir: str = "var/media"
    max_bytes: int = DEFAULT_MAX_BYTES

    def given(self) -> dict:
        """The fields that hold at least one non-empty file."""
        return {name: [f for f in items if f[1]] for name, items in self.files.items() if any(f[1] for f in items)}


def check_for(action: str, upload: Upload | None) -> list[tuple[str, bytes, str, str]]:
    """Validate the photos sent with ``action``: (stage, data, mime, extension) each; none → []."""
    given = upload.given() if upload else {}
    fields = ACTION_FIELDS.get(action, {})
    if set(given) - set(fields):
        raise InvalidInput("此操作不能附照片 (this action takes no photos)")
    flat = [(fields[name], item) for name, items in given.items() for item in items]
    checked = check([item for _stage, item in flat], upload.max_bytes) if flat else []
    return [(stage, *c) for (stage, _item), c in zip(flat, checked)]


def save_all(session, incident, checked, media_dir: str, user_id: int | None) -> None:
    """Write the checked photos, add their rows and commit; all or nothing (files removed on failure)."""
    from gisgrid.incidents.models import IncidentPhoto
    written = []
    try:
        for stage, data, mime, ext in checked:
            written.append(store(media_dir, incident.id, data, ext))
            incident.photos.append(IncidentPhoto(incident_id=incident.id, path=written[-1], mime=mime,
                                                 size=len(data), stage=stage, user_id=user_id))
        session.commit()
    except Exception:
        # no photo file may outlive a change that was not stored
        session.rollback()
        remove(media_dir, written)
        raise


def store(media_dir: str, incident_id: int, data: bytes, ext: str) -> str:
    """Write one photo atomically; returns its path relative to ``media_dir``."""
    relative = Path("incidents") / str(incident_id) / f"{uuid.uuid4().hex}{ext}"
    target = Path(media_dir) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    os.replace(partial, target)
    return str(relative)


def resolve(media_dir: str, relative: str) -> Path:
    """The absolute path of a stored photo, refusing anything outside ``media_dir``."""
    root = Path(media_dir).resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise InvalidInput("非法路径 (bad path)")
    return path


def remove(media_dir: str, relatives: list[str]) -> None:
    """Delete stored photos (cleanup after a failed transaction); missing files are ignored."""
    for relative in relatives:
        resolve(media_dir, relative).unlink(missing_ok=True)
