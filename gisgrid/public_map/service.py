"""Read models for the public pages and APIs: only fields marked public ever leave this module."""

from __future__ import annotations

from datetime import date

import shapely
from shapely.geometry import mapping, shape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gisgrid import coords
from gisgrid.errors import InvalidInput, NotFound
from gisgrid.grids import fields
from gisgrid.grids import versions as grid_versions
from gisgrid.grids.models import Grid
from gisgrid.public_map import queries

SEARCH_LIMIT = 20
LABEL_LIMIT = 300
MAP_CRS = ("wgs84", "gcj02")


def published_summary(session: Session) -> dict | None:
    """Label, publication time and grid count per level of the published version."""
    version = grid_versions.find_published(session)
    if version is None:
        return None
    levels = session.execute(
        select(Grid.level, func.count()).where(Grid.version_id == version.id).group_by(Grid.level).order_by(Grid.level)
    )
    return {"label": version.label, "published_at": version.published_at, "levels": list(levels)}


def version_json(version: grid_versions.Version) -> dict:
    """The version as the APIs show it."""
    return {
        "id": version.id,
        "label": version.label,
        "status": version.status,
        "published_at": version.published_at.isoformat() if version.published_at else None,
    }


def public_grid(row: dict) -> dict:
    """A public_grids row in the shape the lookup API uses (leader nested, phones already filtered)."""
    out = {key: row[key] for key in (*fields.PUBLIC_RECORD, "area_m2") if key not in fields.LEADER_KEYS}
    out["leader"] = {nested: row[key] for key, nested in fields.LEADER_KEYS.items()}
    return out


def parse_map_crs(raw: str | None) -> str:
    """Overlay coordinate system: wgs84 (default) or gcj02 (to sit on an AMap-style base map)."""
    crs = (raw or "wgs84").lower()
    if crs not in MAP_CRS:
        raise InvalidInput(f"参数 crs 只能是 wgs84 或 gcj02，收到 {raw!r} (crs must be wgs84 or gcj02)")
    return crs


def shift_geojson(geometry: dict, crs: str) -> dict:
    """A GeoJSON geometry moved to ``crs`` (GCJ-02: every vertex offset)."""
    if crs == "wgs84" or geometry is None:
        return geometry
    return mapping(shapely.transform(shape(geometry), coords.wgs84_to_gcj02_xy))


def grid_detail(session: Session, code: str, day: date | None = None, crs: str = "wgs84") -> dict:
    """One grid with geometry, its parent chain (top → itself) and its children, public fields only."""
    return grid_detail_of(session, grid_versions.resolve(session, day), code, crs)


def grid_detail_of(session: Session, version: grid_versions.Version, code: str, crs: str = "wgs84") -> dict:
    """``grid_detail`` in a resolved version (detail_cache keeps these per version)."""
    tree = queries.grid_tree(session, version.id, code)
    if tree is None:
        raise NotFound(f"网格 {code} 不存在 (no grid with code {code} in version {version.id})")
    chain_codes, child_codes, bbox = tree
    rows = {r["code"]: r for r in queries.public_grids(session, version.id, with_geom=False, codes=chain_codes)}
    grid_row = queries.public_grids(session, version.id, codes=[code])[0]
    children = queries.public_grids(session, version.id, with_geom=False, codes=child_codes) if child_codes else []
    grid = public_grid(grid_row)
    grid["geometry"] = shift_geojson(grid_row["geometry"], crs)
    grid["bbox"] = _shift_bbox(bbox, crs)
    return {
        "version": version_json(version),
        "crs": crs,
        "grid": grid,
        "chain": [public_grid(rows[c]) for c in chain_codes],
        "children": [
            {"code": c["code"], "name": c["name"], "level": c["level"], "entity": c["entity"]} for c in children
        ],
    }


def _shift_bbox(bbox: list[float], crs: str) -> list[float]:
    if crs == "wgs84":
        return bbox
    lon, lat = coords.wgs84_to_gcj02([bbox[0], bbox[2]], [bbox[1], bbox[3]])
    return [float(lon[0]), float(lat[0]), float(lon[1]), float(lat[1])]


def search(session: Session, q: str, day: date | None = None) -> dict:
    """Up to SEARCH_LIMIT grids by name, code, entity or person."""
    q = (q or "").strip()
    if not q:
        raise InvalidInput("请输入要搜索的网格名称、编码、责任主体或人员 (missing q)")
    if len(q) > 100:
        raise InvalidInput("搜索词过长 (q is longer than 100 characters)")
    version = grid_versions.resolve(session, day)
    results = queries.search(session, version.id, q, SEARCH_LIMIT)
    return {"version": version_json(version), "q": q, "results": results}


def labels(session: Session, bbox: tuple, level: int, day: date | None, crs: str) -> dict:
    """Label points of the largest grids of ``level`` in a bbox given in ``crs``."""
    version = grid_versions.resolve(session, day)
    w, s, e, n = bbox
    if crs == "gcj02":  # the GCJ-02 offset is < 1 km: widen the box rather than invert it
        w, s, e, n = w - 0.01, s - 0.01, e + 0.01, n + 0.01
    rows = queries.labels(session, version.id, level, (w, s, e, n), LABEL_LIMIT)
    if crs == "gcj02" and rows:
        lon, lat = coords.wgs84_to_gcj02([r[2] for r in rows], [r[3] for r in rows])
        rows = [(r[0], r[1], float(x), float(y)) for r, x, y in zip(rows, lon, lat)]
    return {
        "version": version_json(version),
        "level": level,
        "labels": [{"code": c, "name": nm, "lon": x, "lat": y} for c, nm, x, y in rows],
    }
