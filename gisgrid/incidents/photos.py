"""Case photos: type checked by magic bytes, size limited, stored on disk outside the database."""

from __future__ import annotations

from dataclasses import dataclass, field

from gisgrid import media
from gisgrid.errors import InvalidInput, TooLarge

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 5


def sniff(data: bytes) -> tuple[str, str]:
    """(mime type, extension) from the first bytes; only JPEG, PNG and WebP are accepted."""
    return media.sniff_photo(data)


def check(uploads: list[tuple[str, bytes]], max_bytes: int, field: str = "photos") -> list[tuple[bytes, str, str]]:
    """Validate every upload before anything is written: (data, mime, extension) each."""
    uploads = [(name, data) for name, data in uploads if data]
    if len(uploads) > MAX_PHOTOS:
        raise InvalidInput(f"最多上传 {MAX_PHOTOS} 张照片 (at most {MAX_PHOTOS} photos)")
    checked = []
    for _name, data in uploads:
        if len(data) > max_bytes:  # the upload reader refuses these first; this guards other callers
            raise TooLarge.upload(field, max_bytes, "照片")
        checked.append((data, *sniff(data)))
    return checked


# form fields that carry photos, per workflow action → the stage the photos are filed under
ACTION_FIELDS = {
    "handle": {"photos_before": "before", "photos_after": "after", "photos": "after"},
    "verify": {"photos": "verify"},
    "rework": {"photos": "verify"},
}


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
    """Write the checked photos and add their rows: a step of the caller's unit of work, which commits.

    A file written here is deleted again when that unit rolls back (``gisgrid.media`` ties it to the session)."""
    from gisgrid.incidents.models import IncidentPhoto

    for stage, data, mime, ext in checked:
        path = media.save(session, media_dir, f"incidents/{incident.id}", data, ext)
        incident.photos.append(
            IncidentPhoto(incident_id=incident.id, path=path, mime=mime, size=len(data), stage=stage, user_id=user_id)
        )


resolve = media.resolve
