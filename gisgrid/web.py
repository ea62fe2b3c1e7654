"""Request-argument parsing shared by blueprints (InvalidInput on nonsense) and the one upload reader."""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from flask import request

from gisgrid import coords
from gisgrid.errors import InvalidInput, TooLarge

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def parse_day(raw: str | None, name: str = "at") -> date | None:
    """The one parser of a day parameter: ``YYYY-MM-DD`` → a date, absent/empty → None, else InvalidInput."""
    if raw in (None, ""):
        return None
    try:
        if not _ISO_DAY.fullmatch(raw):  # fromisoformat also takes 20240101 and week dates
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"参数 {name} 应为 YYYY-MM-DD 日期，收到 {raw!r} ({name} must be YYYY-MM-DD)") from None


def at_day() -> date | None:
    """``?at=YYYY-MM-DD`` → a date (None when absent): the day whose published version is wanted."""
    return parse_day(request.args.get("at"))


def finite_number(value, label: str, key: str) -> float:
    """A JSON or form value → a finite float (``coords.finite_number``), or InvalidInput naming ``label`` and ``key``."""
    try:
        return coords.finite_number(value)
    except ValueError as err:
        raise InvalidInput(f"{label}（{key}）{err}", details={key: [str(err)]}) from None


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def refuse_hostile_fields() -> None:
    """before_request (ahead of CSRF): InvalidInput for a NUL character or an unreadable form field name.

    PostgreSQL text cannot hold NUL, so such a value would otherwise fail deep inside a query as a 500;
    a multipart field whose name cannot be parsed comes out as None and breaks the CSRF check.
    """
    query = request.environ.get("QUERY_STRING", "")
    # a NUL reaches a value only as %00 or a raw NUL: without either, decoding the arguments here is waste
    values = [*request.args.values()] if "%00" in query or "\x00" in query else []
    values += [str(v) for v in (request.view_args or {}).values()]
    body = bool(request.environ.get("CONTENT_TYPE"))  # none on a GET of the public API: no form, no JSON
    if body and request.mimetype in _FORM_TYPES:
        if None in request.form or None in request.files:
            raise InvalidInput("表单字段名无效 (unreadable form field name)")
        values += request.form.values()
    if any("\x00" in v for v in values) or (body and request.is_json and b"\\u0000" in request.get_data(cache=True)):
        raise InvalidInput("请求中含有 NUL 字符 (input must not contain NUL characters)")


# --- uploads: every route that takes a file reads it here; services get bytes or a path, never a FileStorage

_CHUNK = 64 * 1024


def copy_capped(stream, out, limit: int, field: str, label: str = "文件") -> int:
    """Copy ``stream`` to ``out`` in chunks, refusing (413) as soon as it passes ``limit``; never reads it all."""
    total = 0
    while chunk := stream.read(_CHUNK):
        total += len(chunk)
        if total > limit:
            raise TooLarge.upload(field, limit, label)
        out.write(chunk)
    return total


def _sent(field: str) -> list:
    # the file parts of ``field`` that carry a file: a form with no file chosen sends an empty, unnamed part
    return [f for f in request.files.getlist(field) if f.filename]


def upload_name(field: str, label: str = "文件") -> str:
    """The client's file name of the one file in ``field``; InvalidInput naming the field when none was chosen."""
    sent = _sent(field)
    if not sent:
        raise InvalidInput(f"请选择{label}（字段 {field}）({field} is required)", {"field": field})
    return sent[0].filename


def read_upload(field: str, limit: int, label: str = "文件") -> tuple[str, bytes]:
    """The one file in ``field`` as (client file name, bytes), at most ``limit`` bytes (else 413)."""
    name = upload_name(field, label)
    buffer = io.BytesIO()
    copy_capped(_sent(field)[0].stream, buffer, limit, field, label)
    return name, buffer.getvalue()


def read_uploads(field: str, limit: int, label: str = "文件") -> list[tuple[str, bytes]]:
    """Every file in ``field`` (none chosen → []) as (client file name, bytes), each at most ``limit`` bytes."""
    files = []
    for upload in _sent(field):
        buffer = io.BytesIO()
        copy_capped(upload.stream, buffer, limit, field, label)
        files.append((upload.filename, buffer.getvalue()))
    return files


@contextmanager
def upload_to_temp(field: str, limit: int, label: str = "文件", suffix: str = "") -> Iterator[Path]:
    """The one file in ``field`` streamed (capped) to ``upload<suffix>`` in a private temp dir, removed after."""
    upload_name(field, label)
    with tempfile.TemporaryDirectory(prefix="gisgrid-upload-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        with path.open("wb") as out:
            copy_capped(_sent(field)[0].stream, out, limit, field, label)
        yield path
