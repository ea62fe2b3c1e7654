"""Request-argument parsing shared by blueprints (InvalidInput on nonsense)."""

from __future__ import annotations

import math
import re
from datetime import date

from flask import request

from gisgrid import coords
from gisgrid.errors import InvalidInput

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


def bbox(raw: str | None) -> tuple[float, float, float, float]:
    """``w,s,e,n`` in WGS84 degrees → a tuple, or InvalidInput; for routes not yet declared with a schema.

    The check itself is ``coords.parse_bbox``, shared with the ``BBox`` schema field.
    """
    try:
        return coords.parse_bbox(raw or "")
    except ValueError as err:
        raise InvalidInput(f"bbox: {err}") from None


def finite_number(value, label: str, key: str) -> float:
    """A JSON or form value → a finite float, or InvalidInput naming ``label`` (``key`` in the English gloss)."""
    if isinstance(value, bool):  # float(True) is 1.0: a checkbox value sent by mistake is not a number
        raise InvalidInput(f"{label} 须为数字 ({key} must be a number)")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{label} 须为数字 ({key} must be a number)") from None
    if not math.isfinite(number):
        raise InvalidInput(f"{label} 须为有限数字 ({key} must be finite)")
    return number


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def refuse_hostile_fields() -> None:
    """before_request (ahead of CSRF): InvalidInput for a NUL character or an unreadable form field name.

    PostgreSQL text cannot hold NUL, so such a value would otherwise fail deep inside a query as a 500;
    a multipart field whose name cannot be parsed comes out as None and breaks the CSRF check.
    """
    values = [*request.args.values(), *(str(v) for v in (request.view_args or {}).values())]
    if request.mimetype in _FORM_TYPES:
        if None in request.form or None in request.files:
            raise InvalidInput("表单字段名无效 (unreadable form field name)")
        values += request.form.values()
    if any("\x00" in v for v in values) or (request.is_json and b"\\u0000" in request.get_data(cache=True)):
        raise InvalidInput("请求中含有 NUL 字符 (input must not contain NUL characters)")
