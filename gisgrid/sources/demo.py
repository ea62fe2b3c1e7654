"""Sample pollution sources, inspections and a 双随机 draw for the 西城区 demo (all marked sample)."""
from __future__ import annotations

import random
from datetime import date, timedelta

import shapely
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gisgrid.auth.models import User
from gisgrid.grids.models import Grid
from gisgrid.grids.queries import published_version
from gisgrid.sources import draws, inspections, rules, service
from gisgrid.sources.models import PollutionSource
from gisgrid.sources.rules import quarter_of

DEMO_PREFIX = "DEMO-"
_KINDS = [("enterprise", "印刷厂", "印刷"), ("catering", "餐馆", "餐饮"), ("construction_site", "建筑工地", "建筑"),
          ("vehicle_repair", "汽修店", "机动车维修"), ("enterprise", "干洗店", "洗染"),
          ("drinking_water_source", "应急水源井", "供水"), ("other", "医疗机构", "卫生")]


def _leaf_grids(session: Session, version_id: int) -> list[tuple[str, str, object]]:
    rows = session.execute(select(Grid.code, Grid.name, func.ST_AsBinary(Grid.geom))
                           .where(Grid.version_id == version_id,
                                  Grid.level == select(func.max(Grid.level)).where(Grid.version_id == version_id)
                                  .scalar_subquery()).order_by(Grid.code))
    return [(code, name, shapely.from_wkb(bytes(wkb))) for code, name, wkb in rows]


def demo_rows(session: Session, count: int = 60, seed: int = 7) -> list[tuple[int, dict]]:
    """``count`` sample sources at points inside random leaf grids (deterministic)."""
    version = published_version(session)
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
        violation = rules.today_in_china() - timedelta(days=rng.randrange(200, 1500)) if rng.random() < 0.12 else None
        rows.append((i, {"code": f"{DEMO_PREFIX}{i:03d}", "name": f"示例·{name}{label}{i}", "kind": kind,
                         "lon": round(point.x, 7), "lat": round(point.y, 7), "industry": industry,
                         "address": f"北京市西城区{name}（示例地址）", "permits": f"示例排污许可证 91110102EX{i:04d}",
                         "contacts": f"示例·联系人{i} 010-0000-{i:04d}", "key_source": rng.random() < 0.08,
                         "last_violation_on": violation, "class": rng.choice("AABB"), "sample_data": True}))
    return rows


def load_demo_sources(session: Session, today: date | None = None) -> int:
    """Register the sample sources, some past inspections and this quarter's draw; 0 if already there."""
    if session.scalar(select(PollutionSource.id).where(PollutionSource.code.like(f"{DEMO_PREFIX}%")).limit(1)):
        return 0
    today = today or rules.today_in_china()
    if published_version(session) is None:
        return 0
    sources = service.register_rows(session, demo_rows(session), by="demo", today=today - timedelta(days=400))
    admin = session.scalar(select(User).where(User.username == "admin"))
    rng = random.Random(11)
    if admin is not None:
        for source in sources:   # a mix of recent, old and missing inspections: ok, due soon and overdue
            if rng.random() < 0.7:
                day = today - timedelta(days=rng.randrange(5, 200))
                inspections.record_inspection(session, source.id, admin, inspected_on=day, violation=False,
                                              findings="示例检查记录", today=today)
        draws.run_draw(session, quarter_of(today), by="demo", seed=f"西城区-{quarter_of(today)}-示例种子")
    return len(sources)
