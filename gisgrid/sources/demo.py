"""Sample pollution sources, inspections and a 双随机 draw for the 西城区 demo (all marked sample)."""

from __future__ import annotations

import random
from datetime import date, timedelta

import shapely
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gisgrid.auth.models import User
from gisgrid.deployment import Profile, from_env
from gisgrid.grids import versions as grid_versions
from gisgrid.grids.models import Grid
from gisgrid.sources import draws, inspections, queries, rules, service
from gisgrid.sources.models import Inspection, LotteryDraw, PollutionSource
from gisgrid.sources.rules import quarter_of

DEMO_PREFIX = "DEMO-"
_KINDS = [
    ("enterprise", "印刷厂", "印刷"),
    ("catering", "餐馆", "餐饮"),
    ("construction_site", "建筑工地", "建筑"),
    ("vehicle_repair", "汽修店", "机动车维修"),
    ("enterprise", "干洗店", "洗染"),
    ("drinking_water_source", "应急水源井", "供水"),
    ("other", "医疗机构", "卫生"),
]


def _leaf_grids(session: Session, version_id: int) -> list[tuple[str, str, object]]:
    rows = session.execute(
        select(Grid.code, Grid.name, func.ST_AsBinary(Grid.geom))
        .where(
            Grid.version_id == version_id,
            Grid.level == select(func.max(Grid.level)).where(Grid.version_id == version_id).scalar_subquery(),
        )
        .order_by(Grid.code)
    )
    return [(code, name, shapely.from_wkb(bytes(wkb))) for code, name, wkb in rows]


def demo_rows(session: Session, count: int = 60, seed: int = 7, today: date | None = None) -> list[tuple[int, dict]]:
    """``count`` sample sources at points inside random leaf grids (deterministic for a given ``today``)."""
    today = today or rules.today_in_china()
    version = grid_versions.find_published(session)
    grids = _leaf_grids(session, version.id)
    rng = random.Random(seed)
    rows = []
    for i in range(1, count + 1):
        code, name, geom = grids[rng.randrange(len(grids))] if i > 3 else grids[[3, 3, 4][i - 1]]
        point = shapely.Point(geom.point_on_surface())
        minx, miny, maxx, maxy = geom.bounds
        for _ in range(50):  # a random point inside the grid, else its point on surface
            candidate = shapely.Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
            if geom.contains(candidate):
                point = candidate
                break
        kind, label, industry = _KINDS[rng.randrange(len(_KINDS))]
        violation = today - timedelta(days=rng.randrange(200, 1500)) if rng.random() < 0.12 else None
        rows.append(
            (
                i,
                {
                    "code": f"{DEMO_PREFIX}{i:03d}",
                    "name": f"示例·{name}{label}{i}",
                    "kind": kind,
                    "lon": round(point.x, 7),
                    "lat": round(point.y, 7),
                    "industry": industry,
                    "address": f"北京市西城区{name}（示例地址）",
                    "permits": f"示例排污许可证 91110102EX{i:04d}",
                    "contacts": f"示例·联系人{i} 010-0000-{i:04d}",
                    "key_source": rng.random() < 0.08,
                    "last_violation_on": violation,
                    "class": rng.choice("AABB"),
                    "sample_data": True,
                },
            )
        )
    return rows


# of the 60 sample sources: most inspected on time, a few due within 14 days, a few overdue
DEMO_DUE_SOON, DEMO_OVERDUE = 5, 4
DEMO_FINDINGS = "示例检查记录"


def _due_day(state: str, months: int, today: date, rng: random.Random) -> date:
    """A due day for the wanted state; month-end clamping can only move it up to 3 days earlier."""
    if state == "overdue":
        return today - timedelta(days=rng.randint(4, 45))
    if state == "due_soon":
        return today + timedelta(days=rng.randint(3, rules.DUE_SOON_DAYS - 1))
    return today + timedelta(days=rng.randint(rules.DUE_SOON_DAYS + 4, 28 * months))


def demo_inspection_days(sources: list, frequencies: dict[str, int], today: date) -> dict[int, list[date]]:
    """Source id → the sample inspection days (oldest first): deterministic, mostly on time."""
    rng = random.Random(11)
    order = sorted(s.id for s in sources)
    states = ["overdue"] * DEMO_OVERDUE + ["due_soon"] * DEMO_DUE_SOON
    states += ["ok"] * (len(order) - len(states))
    rng.shuffle(states)
    by_id = {s.id: s for s in sources}
    days = {}
    for source_id, state in zip(order, states):
        months = frequencies[by_id[source_id].supervision_class]
        last = rules.add_months(_due_day(state, months, today, rng), -months)
        earlier = rules.add_months(last, -months)  # the one before, when the source was registered by then
        days[source_id] = ([earlier] if earlier >= by_id[source_id].registered_on else []) + [last]
    return days


def _load_demo_inspections(session: Session, sources: list, admin: User, today: date) -> int:
    """Record the sample inspections of every demo source that has none yet."""
    done = set(session.scalars(select(Inspection.source_id).where(Inspection.source_id.in_([s.id for s in sources]))))
    recorded = 0
    for source_id, days in demo_inspection_days(sources, queries.frequencies(session), today).items():
        for day in days if source_id not in done else ():
            inspections.record_inspection(
                session, source_id, admin, inspected_on=day, violation=False, findings=DEMO_FINDINGS, today=today
            )
            recorded += 1
    return recorded


def load_demo_sources(
    session: Session, today: date | None = None, profile: Profile | None = None, place: str = "西城区"
) -> int:
    """Register the sample sources, their sample inspections and this quarter's draw; each step only once.

    The A/B/C inspection intervals and the draw's shares are the deployment profile's; ``place`` names the
    draw's seed.
    """
    today, profile = today or rules.today_in_china(), profile or from_env()
    if grid_versions.find_published(session) is None:
        return 0
    inspections.set_frequencies(session, profile.inspection_months)
    sources = list(
        session.scalars(
            select(PollutionSource).where(PollutionSource.code.like(f"{DEMO_PREFIX}%")).order_by(PollutionSource.id)
        )
    )
    registered = 0
    if not sources:
        sources = service.register_rows(
            session, demo_rows(session, today=today), by="demo", today=today - timedelta(days=400)
        )
        registered = len(sources)
    admin = session.scalar(select(User).where(User.username == "admin"))
    if admin is not None:
        _load_demo_inspections(session, sources, admin, today)
        if not session.scalar(select(LotteryDraw.id).where(LotteryDraw.quarter == quarter_of(today))):
            draws.run_draw(
                session,
                quarter_of(today),
                by="demo",
                seed=f"{place}-{quarter_of(today)}-示例种子",
                proportions=dict(profile.draw_proportions),
                override_reason="示例数据：演示本季度的抽取结果 (sample data)",
            )
    return registered
