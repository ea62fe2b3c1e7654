"""The river network: import a line file (all or nothing), reaches near an act, GeoJSON for maps."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import shapely
from sqlalchemy import bindparam, delete, func, insert
from sqlalchemy.orm import Session

from gisgrid.db import unit_of_work
from gisgrid.errors import InvalidInput, ValidationFailed
from gisgrid.grids import fields, reader
from gisgrid.jurisdiction.derive import Reach
from gisgrid.jurisdiction.models import RiverReach
from gisgrid.sqlfiles import statement

_PACKAGE = "gisgrid.jurisdiction"
_LINE, _MULTILINE = 1, 5  # shapely type ids
_METRES_PER_DEGREE = 111_320.0


def import_rivers(
    session: Session,
    path: str,
    crs: str | None = None,
    river_field: str = "river",
    replace: bool = False,
    label: str | None = None,
) -> int:
    """Store every line of a GeoJSON/GeoPackage/Shapefile as river reaches (all or nothing); return the count."""
    requested = reader.parse_requested_crs(crs)
    raw, kind = reader.read_features(path)
    if len(raw) == 0 or "geometry" not in raw:
        raise InvalidInput(f"文件 {Path(path).name} 中没有任何河流要素 (the file has no line features)")
    river_column = _column(raw, river_field, required=True)
    geometry, _ = reader.geometry_in_wgs84(raw, path, kind, requested)
    # a shapefile's DBF cuts column names to 10 characters
    rows, problems = _reach_rows(
        raw, geometry, river_column, _column(raw, "code"), _column(raw, "sample_data") or _column(raw, "sample_dat")
    )
    if problems:
        raise ValidationFailed(
            f"河流文件校验未通过，共 {len(problems)} 处问题，未写入任何数据 (validation failed: nothing was "
            f"written)；# 后为要素在文件中的序号（从 0 开始）\n" + "\n".join(p["message"] for p in problems),
            details=problems,
        )
    source = f"{label} — {Path(path).name}" if label else Path(path).name
    with unit_of_work(session):
        if replace:
            session.execute(delete(RiverReach))
        session.execute(
            insert(RiverReach).values(geom=func.ST_GeomFromWKB(bindparam("wkb"), 4326)),
            [{**row, "source": source} for row in rows],
        )
    return len(rows)


def _column(raw, name: str, required: bool = False) -> str | None:
    """The file's column called ``name`` (exactly, else ignoring case: shapefiles often upper-case them)."""
    columns = [str(c) for c in raw.columns if c != "geometry"]
    if name in columns:
        return name
    matches = [c for c in columns if c.lower() == name.lower()]
    if matches:
        return matches[0]
    if required:
        raise InvalidInput(
            f"缺少河流名称字段 {name}，文件中的字段：{', '.join(columns) or '无'}；字段名不同时请用 "
            f"--river-field 指定 (missing river name field {name})",
            details={"missing": [name], "columns": columns},
        )
    return None


def _problem(index: int, code: str, reason: str) -> dict:
    return {"feature": index, "code": code, "message": f"要素 #{index}：{reason}"}


def _parts(index: int, geom) -> tuple[list, list[dict]]:
    """The LineStrings of one feature, or why it cannot be a reach."""
    if geom is None or geom.is_empty:
        return [], [_problem(index, "empty", "几何为空 (empty geometry)")]
    kind = shapely.get_type_id(geom)
    if kind not in (_LINE, _MULTILINE):
        return [], [_problem(index, "not_a_line", f"不是线而是 {geom.geom_type} (not a line: {geom.geom_type})")]
    parts = list(geom.geoms) if kind == _MULTILINE else [geom]
    problems = [
        _problem(
            index,
            "invalid_line",
            f"第 {k + 1} 段少于两个不同的点或坐标无效 "
            f"(part {k + 1}: fewer than two distinct points or bad coordinates)",
        )
        for k, part in enumerate(parts)
        if not _usable_line(part)
    ]
    return parts, problems


def _usable_line(line) -> bool:
    xy = shapely.get_coordinates(line)
    return len(xy) >= 2 and bool(np.isfinite(xy).all()) and len(np.unique(xy, axis=0)) >= 2


def _reach_rows(
    raw, geometry, river_column: str, code_column: str | None, sample_column: str | None
) -> tuple[list[dict], list[dict]]:
    """One row per line part, and every problem of every feature."""
    rows, problems = [], []
    for index, geom in enumerate(geometry):
        river = fields.to_text(raw[river_column].iloc[index])
        parts, found = _parts(index, geom)
        if river is None:
            found.append(_problem(index, "missing_river", "缺少河流名称 (missing river name)"))
        sample = _flag(raw, sample_column, index, found)
        problems += found
        if not found:
            code = fields.to_text(raw[code_column].iloc[index], code=True) if code_column else None
            rows += [
                {"river": river, "code": code, "sample_data": sample, "wkb": shapely.to_wkb(part)} for part in parts
            ]
    return rows, problems


def _flag(raw, column: str | None, index: int, problems: list[dict]) -> bool:
    if column is None:
        return False
    try:
        return fields.to_bool(raw[column].iloc[index], False)
    except ValueError:
        problems.append(_problem(index, "bad_value", "sample_data 不是是/否 (sample_data is not yes/no)"))
        return False


def reaches_near(session: Session, geom, distance_m: float) -> list[Reach]:
    """Reaches within ``distance_m`` metres of the act (pass walk distance + snap distance for a downstream walk)."""
    minx, miny, maxx, maxy = geom.bounds
    # a generous degree box for the index: longitude degrees shrink towards the poles
    lat = min(max(abs(miny), abs(maxy)) + distance_m / _METRES_PER_DEGREE, 89.0)
    margin = 1.1 * distance_m / (_METRES_PER_DEGREE * math.cos(math.radians(lat))) + 1e-6
    rows = session.execute(
        statement(_PACKAGE, "reaches_near.sql"),
        {"act": shapely.to_wkb(geom), "margin_deg": margin, "distance_m": float(distance_m)},
    )
    return [Reach(row.id, row.river, shapely.from_wkb(bytes(row.wkb))) for row in rows]


def network_geojson(session: Session, bbox: tuple[float, float, float, float] | None = None) -> dict:
    """The loaded river network (or the reaches meeting ``bbox`` = minlon, minlat, maxlon, maxlat) as GeoJSON."""
    minx, miny, maxx, maxy = bbox if bbox is not None else (None,) * 4
    rows = session.execute(
        statement(_PACKAGE, "river_network.sql"), {"minx": minx, "miny": miny, "maxx": maxx, "maxy": maxy}
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": row.id,
                "geometry": json.loads(row.geometry),
                "properties": {
                    "id": row.id,
                    "river": row.river,
                    "code": row.code,
                    "source": row.source,
                    "sample_data": row.sample_data,
                },
            }
            for row in rows
        ],
    }
