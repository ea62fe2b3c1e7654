"""The one media store: atomic writes, files dropped with a transaction that does not commit, no escape."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from gisgrid import media, web
from gisgrid.errors import InvalidInput, TooLarge


def png_header(width: int, height: int) -> bytes:
    """A PNG signature and IHDR chunk declaring ``width`` × ``height`` (no pixel data)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))


def files_in(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_commit_keeps_the_file(session, tmp_path):
    relative = media.save(session, str(tmp_path), "incidents/1", b"abc", ".png")
    session.execute(text("SELECT 1"))
    session.commit()
    assert (tmp_path / relative).read_bytes() == b"abc"
    assert files_in(tmp_path) == [tmp_path / relative]  # no .part left behind


def test_rollback_drops_the_file(session, tmp_path):
    session.execute(text("SELECT 1"))
    relative = media.save(session, str(tmp_path), "sources/7", b"abc", "_x.pdf")
    assert (tmp_path / relative).is_file()
    session.rollback()
    assert files_in(tmp_path) == []


def test_failed_commit_drops_the_file(session, tmp_path):
    from gisgrid.sources.models import SourceDocument

    media.save(session, str(tmp_path), "sources/999999", b"abc", "_x.pdf")
    # no such source: the foreign key fails at commit time
    session.add(SourceDocument(source_id=999999, title="t", filename="x.pdf", stored_path="x", size=3, uploaded_by="u"))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    assert files_in(tmp_path) == []


@pytest.mark.parametrize("relative", ["../outside.png", "/etc/passwd", "a/../../b", ""])
def test_resolve_cannot_escape(tmp_path, relative):
    with pytest.raises(InvalidInput):
        media.resolve(str(tmp_path / "media"), relative)


def test_save_refuses_a_folder_outside(session, tmp_path):
    with pytest.raises(InvalidInput):
        media.save(session, str(tmp_path / "media"), "../../tmp", b"x", ".png")
    assert files_in(tmp_path) == []


class Endless(io.RawIOBase):
    """A stream that never ends; counts what was read."""

    def __init__(self):
        self.read_bytes = 0

    def read(self, n=-1):
        n = 65536 if n is None or n < 0 else n
        self.read_bytes += n
        return b"x" * n


def test_the_upload_reader_stops_at_the_limit():
    stream, out = Endless(), io.BytesIO()
    with pytest.raises(TooLarge, match="1 MB") as refused:
        web.copy_capped(stream, out, 1024 * 1024, "photos")
    assert stream.read_bytes < 1024 * 1024 + 2 * 65536
    assert refused.value.details == {"field": "photos", "limit_bytes": 1024 * 1024}
    out = io.BytesIO()
    assert web.copy_capped(io.BytesIO(b"abc"), out, 3, "file") == 3 and out.getvalue() == b"abc"


def test_photo_sniffing():
    assert media.sniff_photo(png_header(640, 480)) == ("image/png", ".png")
    with pytest.raises(InvalidInput, match="过大"):
        media.sniff_photo(png_header(100_000, 100_000))  # a decompression bomb's header
    for fake in (b"GIF89a....", b"<script>alert(1)</script>", b"MZ\x90\x00", b""):
        with pytest.raises(InvalidInput, match="JPEG"):
            media.sniff_photo(fake)


def test_document_sniffing():
    assert media.sniff_document(b"%PDF-1.7 ...") == "application/pdf"
    assert media.sniff_document(b"PK\x03\x04 docx") == "application/zip"
    assert media.sniff_document("排污许可证编号 123".encode("gbk")) == "text/plain"
    for bad in (b"<html><script>alert(1)</script>", b"\x7fELF\x02\x01\x01\x00", b"MZ\x90\x00\x03\x00\x00\x00"):
        with pytest.raises(InvalidInput, match="不支持"):
            media.sniff_document(bad)
