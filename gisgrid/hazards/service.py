"""环境安全隐患: record and update hazards in one's grids; the staff list (scoped) and the public list.

The grid of a hazard is derived from its point by the registry's lookup (the published version), never
typed in; a staff member may record or change only hazards whose chain meets their grids (department
handlers and the admin everywhere, as for sources).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from gisgrid.auth import capabilities
from gisgrid.auth.service import in_scope, sees_all
from gisgrid.db import unit_of_work
from gisgrid.errors import Forbidden, InvalidInput, NotFound
from gisgrid.grids import queries as grid_queries
from gisgrid.grids import versions as grid_versions
from gisgrid.hazards import queries
from gisgrid.hazards.models import KIND_LABELS, STATUS_LABELS, Hazard
from gisgrid.sources.service import DISTRICT_WIDE


def _everywhere(user) -> bool:
    return sees_all(user) or getattr(user, "role", None) in DISTRICT_WIDE


def _check_scope(user, codes: list[str]) -> None:
    if not (_everywhere(user) or in_scope(user, codes)):
        raise Forbidden("该隐患不在您的网格范围内 (hazard outside your grids)")


def _grid_chain(session: Session, lon: float, lat: float) -> tuple[list[str], int]:
    version = grid_versions.find_published(session)
    if version is None:
        raise InvalidInput("尚未发布网格边界，无法确定网格 (no published boundary version)", {"field": "lon"})
    chains = grid_queries.leaf_codes_at(session, version.id, [(0, lon, lat)])
    if 0 not in chains:
        raise InvalidInput("lon/lat: 位置不在任何网格内 (outside every grid)", {"field": "lon"})
    return list(chains[0]), version.id


def record(session: Session, user, body: dict) -> Hazard:
    """Record a hazard at a point in one of the user's grids (``body``: a validated HazardBody)."""
    capabilities.require(user, "record_hazards")
    with unit_of_work(session):
        codes, version_id = _grid_chain(session, body["lon"], body["lat"])
        _check_scope(user, codes)
        hazard = Hazard(
            kind=body["kind"],
            description=body["description"],
            notes=body.get("notes"),
            location=queries.point(body["lon"], body["lat"]),
            grid_codes=codes,
            grid_version_id=version_id,
            status=body.get("status") or "pending",
            deadline=body.get("deadline"),
            public=bool(body.get("public")),
            created_by=user.username,
            sample_data=bool(body.get("sample_data")),
        )
        session.add(hazard)
    return hazard


def update(session: Session, user, hazard_id: int, body: dict) -> Hazard:
    """Change a hazard's status, deadline, public flag, description or notes (keys present in ``body``)."""
    capabilities.require(user, "record_hazards")
    with unit_of_work(session):
        hazard = session.get(Hazard, hazard_id, with_for_update=True)
        if hazard is None:
            raise NotFound("没有该隐患 (no such hazard)")
        _check_scope(user, hazard.grid_codes)
        for key in ("status", "deadline", "public", "description", "notes"):
            if key in body:
                setattr(hazard, key, body[key])
    return hazard


def view(session: Session, hazard: Hazard) -> dict:
    """The staff view of one stored hazard."""
    lon, lat = queries.lon_lat(session, hazard)
    return _staff_row(hazard, lon, lat)


def _staff_row(h, lon: float, lat: float) -> dict:
    return {
        **{k: getattr(h, k) for k in ("id", "kind", "description", "notes", "status", "public", "created_by")},
        "kind_label": KIND_LABELS[h.kind],
        "status_label": STATUS_LABELS[h.status],
        "deadline": h.deadline.isoformat() if h.deadline else None,
        "created_on": h.created_on.isoformat() if isinstance(h.created_on, date) else None,
        "grid_codes": list(h.grid_codes),
        "lon": lon,
        "lat": lat,
    }


def staff_list(session: Session, user) -> list[dict]:
    """Hazards in the user's scope, newest first."""
    capabilities.require(user, "staff_pages")
    codes = sorted(getattr(user, "grid_codes", ()) or ())
    return [_staff_row(r, r.lon, r.lat) for r in queries.staff_list(session, _everywhere(user), codes)]


def public_list(session: Session) -> list[dict]:
    """The hazards marked public, with only their public fields (view public_hazard)."""
    return [
        {
            **{k: getattr(r, k) for k in ("id", "kind", "description", "status", "grid_code", "grid_name")},
            "kind_label": KIND_LABELS[r.kind],
            "status_label": STATUS_LABELS[r.status],
            "deadline": r.deadline.isoformat() if r.deadline else None,
            "created_on": r.created_on.isoformat(),
            "sample_data": r.sample_data,
            "lon": r.lon,
            "lat": r.lat,
        }
        for r in queries.public_list(session)
    ]


def public_geojson(session: Session) -> dict:
    """The public hazards as a GeoJSON FeatureCollection (the public map's layer)."""
    features = []
    for h in public_list(session):
        geometry = {"type": "Point", "coordinates": [h.pop("lon"), h.pop("lat")]}
        features.append({"type": "Feature", "geometry": geometry, "properties": h})
    return {"type": "FeatureCollection", "features": features}
