"""The grid field registry and the standard attribute schema: column aliases and value coercion.

``GRID_FIELDS`` is the one list of grid attributes: what is stored in table ``grid``, what the
public may see (always, never, or only when a flag column is true), its Chinese label, the column
names an import accepts and how a cell is coerced, and its name in an export file. Every list of
grid columns (import, export, editor, round trip, public view, open data, OGC) is derived from it;
the SQL view ``public_grid`` (migration 0011) must list the same public columns, which
tests/integration/test_grid_fields.py checks.

Coercers raise ``ValueError`` with a Chinese reason for a value they cannot
understand. The reader keeps such values raw in their column and validation
re-runs the same coercers to report them per feature, so one bad cell never
aborts a whole import and never silently turns into a default.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class GridField:
    """One grid attribute: storage column, publicity, label, import aliases, coercion and export name."""

    name: str  # column of table grid and of the standard import schema
    label: str  # Chinese label for forms, tables and documentation
    kind: str  # coercion on import: "code" (exact text), "text", "level" (integer) or "flag" (boolean)
    aliases: tuple[str, ...] = ()  # further accepted import column names (GDAL's 10-character shapefile cuts)
    public: bool | str = False  # True, False, or the flag column that must be true for the public to see it
    default: bool | None = None  # a flag's value when the cell is blank
    required: bool = False  # an import without this column is rejected
    editable: bool = True  # editors change it in the draft editor's attribute form
    compared: bool = True  # a change of it shows in the GeoPackage round-trip preview
    export_as: str | None = None  # column name in export files when it differs from ``name``
    max_chars: int = 200  # longest text an editor may enter; longer ones get a multi-line input

    @property
    def export_name(self) -> str:
        """The column name in GeoJSON/GeoPackage/Shapefile exports."""
        return self.export_as or self.name


# Adding a grid attribute: one line here plus a migration that adds the column and, when it is
# public, re-creates the view public_grid (see docs). Order = import/export schema order.
GRID_FIELDS = (
    GridField("code", "网格编码", "code", public=True, required=True, editable=False, compared=False),
    GridField("name", "网格名称", "text", public=True, required=True),
    GridField("level", "网格层级", "level", public=True, required=True, editable=False),
    GridField("parent_code", "上级网格编码", "code", ("parent_cod",), public=True, editable=False),
    GridField("entity", "责任主体", "text", public=True),
    GridField("leader_name", "第一责任人", "text", ("leader", "leader_nam"), public=True, export_as="leader"),
    GridField("leader_title", "职务", "text", ("leader_tit",), public=True),
    GridField("leader_phone", "第一责任人电话", "code", ("leader_pho",), public="leader_phone_public"),
    GridField("leader_phone_public", "第一责任人电话向公众公开", "flag", ("leader_p_1", "leader_pub"), default=False),
    GridField("contact_phone", "联系电话", "code", ("contact_ph",), public="contact_phone_public"),
    GridField("contact_phone_public", "联系电话向公众公开", "flag", ("contact__1", "contact_pu"), default=True),
    GridField("duties", "职责", "text", public=True, max_chars=2000),
    GridField(
        "sample_data", "示例数据", "flag", ("sample_dat",), public=True, default=False, editable=False, compared=False
    ),
    # 五定's 定任务 and 定奖惩 (migration 0013); at the end because a replaced view can only append columns
    GridField("tasks", "任务", "text", public=True, max_chars=2000),
    # 奖惩: the text of the rules, or a link (http…) to the 责任状 document; the 公示牌 shows a link as a link
    GridField("rewards_penalties", "奖惩", "text", ("rewards_pe",), public=True, max_chars=2000),
)
BY_NAME = {field.name: field for field in GRID_FIELDS}
LABELS = {field.name: field.label for field in GRID_FIELDS}
GRID_COLUMNS = tuple(field.name for field in GRID_FIELDS)  # stored columns of table grid
PUBLIC_COLUMNS = tuple(field.name for field in GRID_FIELDS if field.public)  # columns of view public_grid
EDITABLE_FIELDS = tuple(field for field in GRID_FIELDS if field.editable)  # the editor's attribute form
EDITABLE = tuple(field.name for field in EDITABLE_FIELDS)
COMPARED = tuple(field.name for field in GRID_FIELDS if field.compared) + ("staff", "kind")
EXPORT_NAMES = {field.name: field.export_name for field in GRID_FIELDS}
STAFF_LABEL = "网格人员"
# staff (grid_staff rows) travel with a grid as a JSON list {name, role, phone}; in public output the
# phone is NULL unless phone_public (view public_grid_staff). In public records they follow the duties.
PUBLIC_RECORD = tuple(col for name in PUBLIC_COLUMNS for col in ((name, "staff") if name == "duties" else (name,)))
# the lookup/detail APIs nest the first responsible person's fields as "leader": {name, title, phone}
LEADER_KEYS = {"leader_name": "name", "leader_title": "title", "leader_phone": "phone"}

# the registry's columns spliced into SQL files (sqlfiles fills /*grid_fields*/ and /*grid_fields_json*/)
SQL_FILLS = {
    "grid_fields": ", ".join(GRID_COLUMNS),
    "grid_fields_json": ", ".join(f"'{name}', g.{name}" for name in GRID_COLUMNS),
    "unit_fields_json": ", ".join(f"'{name}', u.{name}" for name in GRID_COLUMNS),
}

REQUIRED = tuple(field.name for field in GRID_FIELDS if field.required)
TEXT_FIELDS = tuple(field.name for field in GRID_FIELDS if field.kind == "text")
CODE_FIELDS = tuple(field.name for field in GRID_FIELDS if field.kind == "code")
BOOL_DEFAULTS = {field.name: field.default for field in GRID_FIELDS if field.kind == "flag"}
# kind: "grid" (a piece of the tiling, table grid) or "unit" (a 重点监管单元网格 overlay, table unit_grid,
# designated by the grid parent_code and supervised at its level); a blank cell means "grid"
KIND = "kind"
KIND_GRID, KIND_UNIT = "grid", "unit"
KINDS = (KIND_GRID, KIND_UNIT)
KIND_LABEL = "网格类型"
OUTPUT_COLUMNS = (*GRID_COLUMNS, "staff", KIND, "source_index", "geometry")
DEFAULT_STAFF_ROLE = "网格员"

# Accepted column names per standard field, best first. The truncated forms are
# what GDAL writes to a shapefile (10-character names) for the standard names in
# schema order; tests/unit/test_reader.py writes one to keep this table honest.
ALIASES = {**{field.name: (field.name, *field.aliases) for field in GRID_FIELDS}, "staff": ("staff",), KIND: (KIND,)}
# field_map keys may use the input spelling as well as the output one
FIELD_MAP_KEYS = {**{field: field for field in ALIASES}, "leader": "leader_name"}

_TRUE = {"true", "t", "yes", "y", "1", "是"}
_FALSE = {"false", "f", "no", "n", "0", "否"}
_INTEGER_TEXT = re.compile(r"^[+-]?\d+(\.0*)?$")


def is_blank(value) -> bool:
    """True for None, NaN/NA and whitespace-only text: an empty cell."""
    if value is None:
        return True
    kind = type(value)  # exact types first: validation calls this for every cell of national files
    if kind is str:
        return not value.strip()
    if kind is bool or kind is int:
        return False
    if kind is float:
        return value != value
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, dict, np.ndarray)):
        return False
    missing = pd.isna(value)
    return bool(missing) if isinstance(missing, (bool, np.bool_)) else False


def to_text(value, *, code: bool = False) -> str | None:
    """Exact text of a cell; numbers keep every digit; ``code`` also strips a spreadsheet '.0'."""
    if type(value) is str:  # the usual cell, without the generic checks below
        text = value.strip()
        if code and "." in text and _INTEGER_TEXT.match(text):
            text = text.split(".")[0]
        return text or None
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
    if type(value) is bool:
        return value
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


def to_kind(value) -> str:
    """``grid`` or ``unit`` (also 网格 / 单元网格, 重点监管单元网格); blank → ``grid``."""
    text = to_text(value)
    if text is None:
        return KIND_GRID
    kind = _KIND_WORDS.get(text.lower())
    if kind is None:
        raise ValueError(f"网格类型应为 grid 或 unit，实际为 {value!r}")
    return kind


_KIND_WORDS = {
    "grid": KIND_GRID,
    "网格": KIND_GRID,
    "unit": KIND_UNIT,
    "单元网格": KIND_UNIT,
    "重点监管单元网格": KIND_UNIT,
}


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


_STAFF_KEYS = {"name", "role", "phone", "phone_public"}


def _is_normal_text(value, code: bool = False) -> bool:
    """Already what ``to_text`` would return (a stripped, non-empty str; a code without a spreadsheet '.0')."""
    return type(value) is str and value != "" and value == value.strip() and not (code and "." in value)


def _staff_member(position: int, person) -> dict:
    if (  # already normalised (read_grids did it): the common case, checked without converting
        type(person) is dict
        and person.keys() == _STAFF_KEYS
        and _is_normal_text(person["name"])
        and _is_normal_text(person["role"])
        and (person["phone"] is None or _is_normal_text(person["phone"], code=True))
        and type(person["phone_public"]) is bool
    ):
        return dict(person)
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
