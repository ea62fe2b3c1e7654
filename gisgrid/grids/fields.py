"""The standard grid attribute schema: column aliases and value coercion.

Coercers raise ``ValueError`` with a Chinese reason for a value they cannot
understand. The reader keeps such values raw in their column and validation
re-runs the same coercers to report them per feature, so one bad cell never
aborts a whole import and never silently turns into a default.
"""

from __future__ import annotations

import json
import math
import re
from numbers import Integral, Real

import numpy as np
import pandas as pd

REQUIRED = ("code", "name", "level")
TEXT_FIELDS = ("name", "entity", "leader_name", "leader_title", "duties")
CODE_FIELDS = ("code", "parent_code", "leader_phone", "contact_phone")
BOOL_DEFAULTS = {"leader_phone_public": False, "contact_phone_public": True, "sample_data": False}
OUTPUT_COLUMNS = (
    "code",
    "name",
    "level",
    "parent_code",
    "entity",
    "leader_name",
    "leader_title",
    "leader_phone",
    "leader_phone_public",
    "contact_phone",
    "contact_phone_public",
    "duties",
    "sample_data",
    "staff",
    "source_index",
    "geometry",
)
DEFAULT_STAFF_ROLE = "网格员"

# Accepted column names per standard field, best first. The truncated forms are
# what GDAL writes to a shapefile (10-character names) for the standard names in
# schema order; tests/unit/test_reader.py writes one to keep this table honest.
ALIASES = {
    "code": ("code",),
    "name": ("name",),
    "level": ("level",),
    "parent_code": ("parent_code", "parent_cod"),
    "entity": ("entity",),
    "leader_name": ("leader_name", "leader", "leader_nam"),
    "leader_title": ("leader_title", "leader_tit"),
    "leader_phone": ("leader_phone", "leader_pho"),
    "leader_phone_public": ("leader_phone_public", "leader_p_1", "leader_pub"),
    "contact_phone": ("contact_phone", "contact_ph"),
    "contact_phone_public": ("contact_phone_public", "contact__1", "contact_pu"),
    "duties": ("duties",),
    "sample_data": ("sample_data", "sample_dat"),
    "staff": ("staff",),
}
# field_map keys may use the input spelling as well as the output one
FIELD_MAP_KEYS = {**{field: field for field in ALIASES}, "leader": "leader_name"}

_TRUE = {"true", "t", "yes", "y", "1", "是"}
_FALSE = {"false", "f", "no", "n", "0", "否"}
_INTEGER_TEXT = re.compile(r"^[+-]?\d+(\.0*)?$")


def is_blank(value) -> bool:
    """True for None, NaN/NA and whitespace-only text: an empty cell."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, dict, np.ndarray)):
        return False
    missing = pd.isna(value)
    return bool(missing) if isinstance(missing, (bool, np.bool_)) else False


def to_text(value, *, code: bool = False) -> str | None:
    """Exact text of a cell; numbers keep every digit; ``code`` also strips a spreadsheet '.0'."""
    if is_blank(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value)).lower()
    if isinstance(value, Integral):
        return str(int(value))
    if isinstance(value, Real):
        number = float(value)
        # integer-valued floats are how GDAL/pandas hand back numeric code columns with gaps
        return str(int(number)) if number.is_integer() else repr(number)
    text = str(value).strip()
    if code and _INTEGER_TEXT.match(text):
        text = text.split(".")[0]
    return text


def to_level(value) -> int | None:
    """An integer level (1, 2.0 and "3" are accepted); None when blank."""
    if is_blank(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"层级应为整数，实际为 {value!r}")
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real) and math.isfinite(float(value)) and float(value).is_integer():
        return int(value)
    text = str(value).strip()
    if _INTEGER_TEXT.match(text):
        return int(text.split(".")[0])
    raise ValueError(f"层级应为整数，实际为 {value!r}")


def to_bool(value, default: bool) -> bool:
    """A flag from bool, 0/1, true/false, yes/no or 是/否; ``default`` when blank."""
    if is_blank(value):
        return default
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, Real) and float(value) in (0.0, 1.0):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"应为 是/否、true/false 或 1/0，实际为 {value!r}")


def parse_staff(value) -> list[dict]:
    """Staff as a list of {name, role, phone, phone_public}, from a list or JSON array text."""
    if is_blank(value):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"不是有效的 JSON（{exc.msg}，第 {exc.pos + 1} 个字符）") from None
        if value is None:
            return []
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, (list, tuple)):
        raise ValueError(f'应为对象数组 [{{"name": ...}}]，实际为 {type(value).__name__}')
    return [_staff_member(i, person) for i, person in enumerate(value)]


def _staff_member(position: int, person) -> dict:
    label = f"第 {position + 1} 个人员"
    if not isinstance(person, dict):
        raise ValueError(f"{label}应为对象，实际为 {person!r}")
    name = to_text(person.get("name"))
    if name is None:
        raise ValueError(f"{label}缺少姓名 name")
    try:
        phone_public = to_bool(person.get("phone_public"), False)
    except ValueError as exc:
        raise ValueError(f"{label}的 phone_public {exc}") from None
    return {
        "name": name,
        "role": to_text(person.get("role")) or DEFAULT_STAFF_ROLE,
        "phone": to_text(person.get("phone"), code=True),
        "phone_public": phone_public,
    }


def resolve_columns(columns, field_map: dict[str, str] | None) -> tuple[dict[str, str], list[str]]:
    """Map standard field → file column; also return field_map problems as messages."""
    by_lower = {}
    for column in columns:
        by_lower.setdefault(str(column).lower(), column)
    chosen, errors = {}, []
    for key, column in (field_map or {}).items():
        field = FIELD_MAP_KEYS.get(str(key).strip().lower())
        found = column if column in columns else by_lower.get(str(column).lower())
        if field is None:
            errors.append(f"未知的标准字段 {key} (unknown standard field {key}; use one of {', '.join(ALIASES)})")
        elif found is None:
            errors.append(f"字段映射 {key}={column} 中的列 {column} 不存在 (column {column} not found)")
        else:
            chosen[field] = found
    for field, names in ALIASES.items():
        if field not in chosen:
            found = next((by_lower[n] for n in names if n in by_lower), None)
            if found is not None:
                chosen[field] = found
    return chosen, errors
