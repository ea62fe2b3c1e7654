"""Campaign reads: scope, results rolled up from inspections and cases, the map of targets and area."""

from __future__ import annotations

import json

from sqlalchemy import any_, func, or_, select
from sqlalchemy.orm import Session

from gisgrid import sqlfiles
from gisgrid.auth import roles
from gisgrid.auth.service import sees_all
from gisgrid.campaigns.models import Campaign
from gisgrid.errors import Forbidden, NotFound
from gisgrid.grids import versions as grid_versions
from gisgrid.grids.models import Grid
from gisgrid.tracking.models import TrackedItem
from gisgrid.tracking.queries import grid_chain, scope_filter

_PKG = "gisgrid.campaigns"


def _scoped(session: Session, user):
    # the lead grid and above, the grids of the area and everything under them, the participating departments
    if sees_all(user):
        return True
    codes = list(user.grid_codes)
    seen = [Campaign.created_by_id == user.id]
    if codes:
        # a village under an area grid: its own chain meets the area's codes
        chains = {c for code in codes for c in grid_chain(session, code)} | set(codes)
        seen += [Campaign.chain.overlap(codes), Campaign.area_codes.overlap(sorted(chains))]
    if user.role == roles.HANDLER and user.department_code:
        seen.append(any_(Campaign.departments) == user.department_code)
    return or_(*seen)


def list_campaigns(session: Session, user) -> list[Campaign]:
    """Campaigns the user may see, newest first."""
    stmt = select(Campaign).where(_scoped(session, user)).order_by(Campaign.starts_on.desc(), Campaign.id.desc())
    return list(session.scalars(stmt))


def get_campaign(session: Session, user, campaign_id: int) -> Campaign:
    """One campaign the user may see (404/403)."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(f"专项行动 {campaign_id} 不存在 (no such campaign)")
    if not session.scalar(select(Campaign.id).where(Campaign.id == campaign_id, _scoped(session, user))):
        raise Forbidden("该专项行动不在您的网格或部门范围内 (campaign outside your scope)")
    return campaign


def results(session: Session, campaign_id: int) -> dict:
    """Targets, inspections (sources inspected, violations), cases in the area and from inspections."""
    row = session.execute(sqlfiles.statement(_PKG, "results.sql"), {"id": campaign_id}).one()
    return dict(row._mapping)


def tasks(session: Session, user, campaign_id: int) -> list[TrackedItem]:
    """The department tasks of a campaign the user may see."""
    stmt = select(TrackedItem).where(
        TrackedItem.about_kind == "campaign", TrackedItem.about_id == str(campaign_id), scope_filter(user)
    )
    return list(session.scalars(stmt.order_by(TrackedItem.id)))


def map_features(session: Session, campaign: Campaign) -> dict:
    """GeoJSON: the area (grids, drawn polygon) and every target with its inspections and violation."""
    features = [_area_feature(geo, code, name) for code, name, geo in _area_grids(session, campaign)]
    if campaign.area is not None:
        drawn = session.scalar(select(func.ST_AsGeoJSON(Campaign.area, 6)).where(Campaign.id == campaign.id))
        features.append(_area_feature(drawn, None, "绘制的目标区域"))
    for t in session.execute(sqlfiles.statement(_PKG, "targets.sql"), {"id": campaign.id}).mappings():
        props = {"kind": "target", "id": t["id"], "code": t["code"], "name": t["name"],
                 "class": t["supervision_class"], "inspections": t["inspections"], "violation": t["violation"],
                 "findings": t["findings"]}  # fmt: skip
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [t["lon"], t["lat"]]},
                         "properties": props})  # fmt: skip
    return {"type": "FeatureCollection", "features": features}


def _area_feature(geo: str, code: str | None, name: str) -> dict:
    return {"type": "Feature", "geometry": json.loads(geo), "properties": {"kind": "area", "code": code, "name": name}}


def _area_grids(session: Session, campaign: Campaign):
    version = grid_versions.find_published(session)
    if version is None or not campaign.area_codes:
        return []
    geo = func.ST_AsGeoJSON(func.ST_SimplifyPreserveTopology(Grid.geom, 0.00002), 6)
    stmt = select(Grid.code, Grid.name, geo).where(Grid.version_id == version.id, Grid.code.in_(campaign.area_codes))
    return session.execute(stmt).all()
