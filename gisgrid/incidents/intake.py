"""Intake: a report (web form, hotline, patrol, Open311) becomes a case in its grid, once per request id."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gisgrid.auth import roles
from gisgrid.coords import CoordinateError, point_to_wgs84
from gisgrid.errors import Forbidden, InvalidInput, NotFound
from gisgrid.grids import queries as grid_queries
from gisgrid.grids import versions as grid_versions
from gisgrid.incidents import matrix, photos
from gisgrid.incidents.models import CHANNELS, Incident
from gisgrid.incidents.workflow import audit
from gisgrid.web import finite_number

STAFF_CHANNELS = {
    "hotline": (roles.DISPATCHER, roles.ADMIN),
    "patrol": (roles.GRID_STAFF, roles.GRID_LEADER, roles.ADMIN),
}


def _location(data: dict) -> tuple[float, float]:
    lon = finite_number(data.get("lon", data.get("long")), "lon", "lon")
    lat = finite_number(data.get("lat"), "lat", "lat")
    crs = (data.get("crs") or "wgs84").strip() or "wgs84"
    try:
        return point_to_wgs84(lon, lat, crs)
    except CoordinateError as err:
        raise InvalidInput(f"坐标无效：{err} (invalid location)") from None


def _check_channel(user, channel: str) -> None:
    if channel not in CHANNELS:
        raise InvalidInput(f"未知渠道 {channel!r} (unknown channel)")
    allowed = STAFF_CHANNELS.get(channel)
    if allowed and (user is None or not user.is_authenticated or user.role not in allowed):
        raise Forbidden("只有热线话务员/调度员或网格员可以使用该渠道上报 (channel needs a staff login)")


def existing(session: Session, scope: str | None, request_id: str | None) -> Incident | None:
    """The case this client (``scope``) already created for its request id."""
    if not request_id:
        return None
    return session.scalar(
        select(Incident).where(Incident.client_scope == scope, Incident.client_request_id == request_id)
    )


def report(
    session: Session,
    data: dict,
    user,
    channel: str,
    uploads=(),
    media_dir: str = "var/media",
    max_photo_bytes: int = photos.DEFAULT_MAX_BYTES,
    client_scope: str | None = None,
) -> tuple[Incident, bool]:
    """Create a case (or return the one this client created for a retried request id); returns (case, created).

    ``client_scope`` names the client (account, browser session, Open311 key or device): the same request
    id from another client is another request, and must never return someone else's case.
    """
    request_id = str(data.get("client_request_id") or "").strip() or None
    if request_id and len(request_id) > 100:
        raise InvalidInput("client_request_id 过长 (at most 100 characters)")
    if request_id and not client_scope:
        raise ValueError("a client_request_id needs the client's scope")
    _check_channel(user, channel)
    first = existing(session, client_scope, request_id)
    if first is not None:
        return first, False
    incident, checked = _build(session, data, user, channel, request_id, list(uploads), max_photo_bytes)
    incident.client_scope = client_scope if request_id else None
    try:
        session.add(incident)
        session.flush()
    except IntegrityError:
        # a concurrent retry won the unique request id: answer with its case
        session.rollback()
        return existing(session, client_scope, request_id), False
    known = user if getattr(user, "is_authenticated", False) else None
    audit(session, incident, known, "report", "reported", f"渠道：{channel}", from_state="")
    photos.save_all(session, incident, [("intake", *c) for c in checked], media_dir, getattr(known, "id", None))
    return incident, True


def _build(session, data, user, channel, request_id, uploads, max_photo_bytes):
    cat = matrix.category(session, str(data.get("category") or data.get("service_code") or "").strip())
    description = str(data.get("description") or "").strip()
    if not description or len(description) > 4000:
        raise InvalidInput("请描述问题（1–4000 字）(description required, at most 4000 characters)")
    lon, lat = _location(data)
    checked = photos.check(uploads, max_photo_bytes)
    version = grid_versions.find_published(session)
    if version is None:
        raise NotFound("尚未发布网格边界 (no published boundary version)")
    chain = grid_queries.leaf_codes_at(session, version.id, [(0, lon, lat)]).get(0)
    if not chain:
        raise InvalidInput("该位置不在任何网格内 (location outside every grid)")
    incident = Incident(
        client_request_id=request_id,
        category_code=cat.code,
        description=description,
        lon=lon,
        lat=lat,
        geom=func.ST_SetSRID(func.ST_MakePoint(lon, lat), 4326),
        grid_codes=chain,
        version_id=version.id,
        channel=channel,
        address=(str(data.get("address") or "").strip()[:500] or None),
        reporter_name=(str(data.get("name") or data.get("first_name") or "").strip()[:100] or None),
        reporter_contact=(
            str(data.get("contact") or data.get("phone") or data.get("email") or "").strip()[:100] or None
        ),
        reporter_user_id=user.id if getattr(user, "is_authenticated", False) else None,
        state="reported",
    )
    return incident, checked
