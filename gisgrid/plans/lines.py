"""Plan lines as structured data: the kind of supervision object, the period of the frequency, and each line's
execution counted from the data (inspections of matching sources, 双随机 inspections, patrols) in the plan's year.

A line keeps its free-text label (``object_class``), content and frequency; ``object_kind`` says what the data
can count for it (``other``: nothing, e.g. an object kind the registry does not hold). Migration
0016_supervise2 filled ``object_kind``, ``period`` and ``times`` of existing lines from their text
(``classify``, ``parse_frequency`` as they were then).
"""

from __future__ import annotations

import re

from sqlalchemy import any_, extract, func, select
from sqlalchemy.orm import Session

from gisgrid.patrols.models import PatrolTrack
from gisgrid.sources.models import Inspection, PollutionSource

# object kind → label; the source kinds are those of sources.models.KINDS that a plan names
OBJECT_KINDS = {
    "source_a": "A类污染源",
    "source_b": "B类污染源",
    "source_c": "C类污染源",
    "source_all": "全部污染源",
    "drinking_water_source": "饮用水水源地",
    "construction_site": "建设项目（施工工地）",
    "livestock_farm": "畜禽养殖场",
    "catering": "餐饮服务单位",
    "vehicle_repair": "机动车维修单位",
    "random_check": "双随机抽查",
    "patrol": "网格巡查",
    "other": "其他（不从数据计算）",
}
PERIODS = {"year": 1, "half_year": 2, "quarter": 4, "month": 12}  # periods per year
_WORDS = (  # (pattern, kind): the first that matches a line's free text
    (r"双随机", "random_check"),
    (r"巡查", "patrol"),
    (r"饮用水", "drinking_water_source"),
    (r"建设项目|施工|工地", "construction_site"),
    (r"畜禽|养殖", "livestock_farm"),
    (r"餐饮", "catering"),
    (r"汽修|机动车维修", "vehicle_repair"),
    (r"A\s*类", "source_a"),
    (r"B\s*类", "source_b"),
    (r"C\s*类", "source_c"),
    (r"污染源|企业", "source_all"),
)


def classify(text: str) -> str:
    """The object kind a line's free-text class names (``other`` when none)."""
    return next((kind for pattern, kind in _WORDS if re.search(pattern, text or "")), "other")


def parse_frequency(text: str) -> tuple[str | None, int | None]:
    """(period, times per period) from 每月1次 / 每季度2次 / 每半年 / 每年…; (None, None) when unsaid."""
    period = next((p for word, p in (("半年", "half_year"), ("季", "quarter"), ("月", "month"), ("年", "year"))
                   if word in (text or "")), None)  # fmt: skip
    times = re.search(r"(\d+)\s*次", text or "")
    return period, (int(times.group(1)) if times else (1 if period else None))


def structured(item: dict) -> dict:
    """A line with object_kind, period and times filled from its text where the caller left them out."""
    period, times = parse_frequency(item.get("frequency", ""))
    return {
        **item,
        "object_kind": item.get("object_kind") or classify(item.get("object_class", "")),
        "period": item.get("period") or period,
        "times": item.get("times") or times,
    }


def line_done(session: Session, grid_code: str, year: int, kind: str) -> int | None:
    """What the data shows done in ``year`` for a line of ``kind`` in the grid (None: not countable)."""
    if kind == "other":
        return None
    if kind == "patrol":
        from gisgrid.plans.service import CHINA_ZONE, _crosses  # the plan's one patrol rule

        started = func.timezone(CHINA_ZONE, PatrolTrack.started_at)
        stmt = select(func.count(PatrolTrack.id)).where(extract("year", started) == year, _crosses(grid_code))
        return session.scalar(stmt)
    stmt = (
        select(func.count(Inspection.id))
        .join(PollutionSource, PollutionSource.id == Inspection.source_id)
        .where(any_(PollutionSource.grid_codes) == grid_code, extract("year", Inspection.inspected_on) == year)
    )
    if kind.startswith("source_") and kind != "source_all":
        stmt = stmt.where(PollutionSource.supervision_class == kind[-1].upper())
    elif kind == "random_check":
        stmt = stmt.where(Inspection.draw_id.is_not(None))
    elif kind != "source_all":
        stmt = stmt.where(PollutionSource.kind == kind)
    return session.scalar(stmt)


def execution(session: Session, plan) -> list[dict]:
    """Per line: planned, done from the data (None when the data cannot count it) and the share done."""
    out = []
    for item in plan.items:
        line = structured(item)
        done = line_done(session, plan.grid_code, plan.year, line["object_kind"])
        planned = int(line.get("planned_checks", 0))
        share = round(done / planned, 4) if done is not None and planned else None
        out.append({**line, "object_kind_label": OBJECT_KINDS[line["object_kind"]], "done": done, "share": share})
    return out
