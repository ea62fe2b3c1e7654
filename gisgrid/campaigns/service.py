"""Launch a 专项行动 / 联合执法 campaign: lead grid by the profile's organiser rule, targets, department tasks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon
from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid import media, sqlfiles
from gisgrid.auth import capabilities
from gisgrid.auth.models import Department
from gisgrid.auth.service import in_scope, sees_all
from gisgrid.campaigns.models import KINDS, Campaign
from gisgrid.db import unit_of_work
from gisgrid.deployment.model import Profile
from gisgrid.errors import Forbidden, InvalidInput, TooLarge
from gisgrid.grids import versions as grid_versions
from gisgrid.grids.models import Grid
from gisgrid.incidents.organiser import handling_depth
from gisgrid.jurisdiction import geoinput
from gisgrid.supervision.service import own_grid
from gisgrid.tracking import queries as tracking_queries
from gisgrid.tracking import service as tracking
from gisgrid.tracking.rules import Rules

MAX_PLAN_BYTES = 20 * 1024 * 1024


def _day(value, key: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or ""))
    except ValueError:
        raise InvalidInput(f"{key}: 日期格式须为 YYYY-MM-DD (not a date: {value!r})") from None


def _departments(session: Session, codes) -> list[str]:
    codes = [str(c) for c in dict.fromkeys(codes or ())]
    known = set(session.scalars(select(Department.code).where(Department.code.in_(codes)))) if codes else set()
    unknown = [c for c in codes if c not in known]
    if not codes or unknown:
        raise InvalidInput(f"departments: 请选择参与部门{'（未知：' + '、'.join(unknown) + '）' if unknown else ''}")
    return codes


def _area(session: Session, user, params: dict) -> tuple[list[str], MultiPolygon | None, list[str]]:
    """(area grid codes, drawn area, the chain the area hangs from) within the user's scope."""
    codes = [str(c) for c in dict.fromkeys(params.get("area_codes") or ())]
    chains = [tracking_queries.grid_chain(session, c) for c in codes]
    for code, chain in zip(codes, chains):
        if not chain:
            raise InvalidInput(f"area_codes: 网格 {code!r} 不存在 (unknown grid)")
        if not in_scope(user, chain):
            raise Forbidden(f"网格 {code} 不在您的范围内 (grid outside your scope)")
    drawn = None
    if params.get("area"):
        geom = geoinput.parse(params["area"], None, "area", ("Polygon", "MultiPolygon"))
        drawn = geom if isinstance(geom, MultiPolygon) else MultiPolygon([geom])
    if not codes and drawn is None:
        raise InvalidInput("area_codes: 请选择目标网格或在地图上绘制目标区域 (area_codes or area required)")
    base = chains[0] if chains else tracking_queries.grid_chain(session, own_grid(session, user, []))
    return codes, drawn, base


def _lead(session: Session, user, base: list[str], departments: list[str], profile: Profile) -> tuple[str, list]:
    # the profile's 联合执法 organiser rule: the top grid, or the grid at the level of the departments' government
    depth = min(handling_depth(profile, departments), len(base))
    chain = base[:depth]
    if not (sees_all(user) or in_scope(user, chain)):
        raise Forbidden("按组织规则牵头网格在您的上级，不能由您发起 (the lead grid is above your scope)")
    return chain[-1], chain


def _targets(session: Session, params: dict, codes: list[str], drawn) -> list[int]:
    if params.get("source_ids"):
        return sorted({int(i) for i in params["source_ids"]})
    stmt = sqlfiles.statement("gisgrid.campaigns", "area_sources.sql")
    return list(session.scalars(stmt, {"codes": codes, "area": drawn.wkt if drawn is not None else None}))


def create_campaign(
    session: Session, user, params: dict, profile: Profile, rules: Rules, today: date,
    plan: tuple[str, bytes] | None = None, media_dir: str = "var/media",
) -> Campaign:  # fmt: skip
    """Launch a campaign with its 行动方案, target area and sources, and one tracked task per department; commits."""
    capabilities.require(user, "run_campaigns")
    with unit_of_work(session):
        starts, ends = _day(params.get("starts_on"), "starts_on"), _day(params.get("ends_on"), "ends_on")
        if ends < starts:
            raise InvalidInput("ends_on: 结束日期早于开始日期 (ends before it starts)")
        kind = str(params.get("kind") or KINDS[0])
        if kind not in KINDS:
            raise InvalidInput(f"kind: 须为 {'/'.join(KINDS)} 之一 (unknown kind)")
        departments = _departments(session, params.get("departments"))
        codes, drawn, base = _area(session, user, params)
        lead, chain = _lead(session, user, base, departments, profile)
        campaign = Campaign(
            title=_text(params, "title", "行动名称"), kind=kind, starts_on=starts, ends_on=ends, lead_grid_code=lead,
            chain=chain, organiser=_entity(session, lead), departments=departments, area_codes=codes,
            area=from_shape(drawn, srid=4326) if drawn is not None else None,
            source_ids=_targets(session, params, codes, drawn), plan_text=(params.get("plan_text") or "").strip() or None,
            created_by_id=user.id,
        )  # fmt: skip
        session.add(campaign)
        session.flush()
        if plan and plan[1]:
            _store_plan(session, campaign, plan, media_dir)
        _tasks(session, user, campaign, params.get("tasks") or {}, rules, max(today, starts))
    return campaign


def _text(params: dict, key: str, label: str) -> str:
    value = str(params.get(key) or "").strip()
    if not value:
        raise InvalidInput(f"{key}: 请填写{label} ({key} is required)")
    return value


def _entity(session: Session, code: str) -> str | None:
    version = grid_versions.find_published(session)
    return session.scalar(select(Grid.entity).where(Grid.version_id == version.id, Grid.code == code))


def _store_plan(session: Session, campaign: Campaign, plan: tuple[str, bytes], media_dir: str) -> None:
    name, data = plan
    if len(data) > MAX_PLAN_BYTES:
        raise TooLarge.upload("plan", MAX_PLAN_BYTES, "行动方案")
    campaign.plan_mime = media.sniff_document(data)
    campaign.plan_name = Path(name or "行动方案").name[:200]
    campaign.plan_path = media.save(session, media_dir, f"campaigns/{campaign.id}", data, "")


def _tasks(session: Session, user, campaign: Campaign, tasks: dict, rules: Rules, today: date) -> None:
    names = dict(session.execute(select(Department.code, Department.name)).all())
    for code in campaign.departments:
        tracking.open_item(
            session, kind="campaign_task", title=str(tasks.get(code) or f"{campaign.title}：{names.get(code, code)}任务"),
            owner_department=code, chain=campaign.chain, watcher=campaign.lead_grid_code, priority="full",
            due=max(campaign.ends_on, today), about=("campaign", campaign.id), actor=user, rules=rules, today=today,
        )  # fmt: skip
