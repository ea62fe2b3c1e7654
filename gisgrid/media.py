"""The one file store under GISGRID_MEDIA_DIR (case photos, source documents).

Files get random names inside the media directory only, are written to a temp file, fsynced and
renamed into place, and are tied to the SQLAlchemy session that stored their rows: a file written
in a transaction that does not commit is deleted when that transaction ends.
"""

from __future__ import annotations

import io
import os
import struct
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from gisgrid.errors import InvalidInput

_PENDING = "gisgrid_media_pending"


def resolve(media_dir: str, relative: str) -> Path:
    """The absolute path of a stored file, refusing anything that would escape ``media_dir``."""
    root = Path(media_dir).resolve()
    path = (root / relative).resolve()
    if root not in path.parents:
        raise InvalidInput("非法路径 (bad path)")
    return path


def save(session: Session, media_dir: str, folder: str, data: bytes, suffix: str) -> str:
    """Write ``data`` atomically under ``media_dir/folder``; returns the relative path.

    The file is removed again unless ``session``'s current transaction commits."""
    relative = f"{folder}/{uuid.uuid4().hex}{suffix}"
    target = resolve(media_dir, relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".part")
    try:
        os.chmod(partial, 0o644)  # as a plain write would be (mkstemp makes it private)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())  # the bytes are on disk before the row that names them
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    session.info.setdefault(_PENDING, []).append(target)
    return relative


def remove(media_dir: str, relatives: list[str]) -> None:
    """Delete stored files; missing ones are ignored."""
    for relative in relatives:
        resolve(media_dir, relative).unlink(missing_ok=True)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    # the rows naming these files are stored: keep the files
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction) -> None:
    # an outermost transaction ended without a commit (rollback, close, failed commit): drop its files
    if transaction.parent is None:
        for path in session.info.pop(_PENDING, []):
            path.unlink(missing_ok=True)


MAX_PIXELS = 40_000_000  # 40 MP: more than any phone camera, far less than a decompression bomb
_PHOTOS = ((b"\xff\xd8\xff", "image/jpeg", ".jpg"), (b"\x89PNG\r\n\x1a\n", "image/png", ".png"))
_DOCUMENTS = (
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
)


def sniff_photo(data: bytes) -> tuple[str, str]:
    """(mime type, extension) from the magic bytes; only JPEG, PNG and WebP, and not a pixel bomb."""
    kind = next(((mime, ext) for magic, mime, ext in _PHOTOS if data.startswith(magic)), None)
    if kind is None and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        kind = ("image/webp", ".webp")
    if kind is None:
        raise InvalidInput("照片只接受 JPEG、PNG 或 WebP 图片 (photo must be JPEG, PNG or WebP)")
    width, height = _declared_size(data)
    if width * height > MAX_PIXELS:
        raise InvalidInput(f"图片尺寸 {width}×{height} 过大 (image dimensions too large)")
    return kind


def _declared_size(data: bytes) -> tuple[int, int]:
    # the header's width × height, read without decoding pixels; (0, 0) when the header is unreadable
    from PIL import Image

    if data[12:16] == b"IHDR" and len(data) >= 24:  # PNG: read directly (Pillow wants the whole file)
        return struct.unpack(">II", data[16:24])
    try:
        with Image.open(io.BytesIO(data)) as img:
            return img.size
    except Image.DecompressionBombError:
        return MAX_PIXELS, 2
    except Exception:  # not parseable past the magic bytes: the type check above is what applies
        return 0, 0


def sniff_document(data: bytes) -> str:
    """The mime type of a dossier document: PDF, image, Office (zip or OLE) or plain text; else refused."""
    for magic, mime in _DOCUMENTS:
        if data.startswith(magic):
            return mime
    try:
        return sniff_photo(data)[0]
    except InvalidInput:
        pass
    if _plain_text(data):
        return "text/plain"
    raise InvalidInput("文件类型不支持：只接受 PDF、图片、Office 文档或纯文本 (unsupported document type)")


def _plain_text(data: bytes) -> bool:
    # UTF-8 or GBK text without NULs, and not markup a browser could run
    head = data[:4096]
    if b"\x00" in head or head.lstrip().startswith(b"<"):
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False
