"""The indicator registry: name → function(session, grid_code, period) → a share 0..1 or None (no data).

Indicators pre-fill self-evaluation items and are shown beside them as the data behind a score. A grid's
value covers the grid and everything inside it (a case whose grid chain holds the code counts for it).
Data shared by all grids of one period (the period's cases, the coverage of every grid, the source due
list) is read once and kept in the ``Period`` object's cache, so a round of many grids costs a few queries.

``supervision_closed_on_time`` (督办 closed on time) reads the tracked-item engine (gisgrid/tracking).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import any_, select
from sqlalchemy.orm import Session

from gisgrid.clock import CHINA_TZ, china_date, today_in_china
from gisgrid.grids import versions as grid_versions
from gisgrid.grids.models import Grid, GridStaff
from gisgrid.incidents import queries as incident_queries
from gisgrid.incidents.kpi import _summarise as summarise_cases
from gisgrid.incidents.models import Incident, IncidentTransfer
from gisgrid.patrols import queries as patrol_queries
from gisgrid.patrols import service as patrol_service
from gisgrid.sources import queries as source_queries
from gisgrid.tracking.models import TrackedItem

COVERAGE_DISTANCE_M = patrol_service.DEFAULT_DISTANCE_M  # the coverage page's default: one rule for both


@dataclass(frozen=True)
class Period:
    """The inclusive days of an evaluation period, with a cache of what all grids of the period share."""

    start: date
    end: date
    cache: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """[start 00:00, end+1 00:00) in China time."""
        lo = datetime.combine(self.start, time(), CHINA_TZ)
        return lo, datetime.combine(self.end + timedelta(days=1), time(), CHINA_TZ)

    def shared(self, key: str, build: Callable[[], object]):
        """The cached value of ``key``, built once per period object."""
        if key not in self.cache:
            self.cache[key] = build()
        return self.cache[key]


@dataclass(frozen=True)
class Indicator:
    """One registered indicator: its label, unit text, and the function (None: not wired yet)."""

    name: str
    label: str
    compute: Callable[[Session, str, Period], float | None] | None
    note: str = ""

    @property
    def wired(self) -> bool:
        """False for an indicator whose data source is not in this codebase yet."""
        return self.compute is not None


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _cases(session: Session, code: str, period: Period) -> dict:
    rows = period.shared("cases", lambda: incident_queries.kpi_rows(session, *period.bounds))
    return summarise_cases(code, [c for c in rows if code in c.grid_codes])


def case_on_time_rate(session: Session, code: str, period: Period) -> float | None:
    """Cases reported in the period and handled: share handled by their deadline (the KPI page's 按期处置率)."""
    return _cases(session, code, period)["on_time_rate"]


def case_closure_rate(session: Session, code: str, period: Period) -> float | None:
    """Registered cases of the period that are closed (the KPI page's 结案率)."""
    return _cases(session, code, period)["closure_rate"]


def inspections_on_time(session: Session, code: str, period: Period) -> float | None:
    """Active sources in the grid not overdue for inspection at the period's end (or today, if earlier)."""
    day = min(period.end, today_in_china())
    rows = period.shared("due", lambda: source_queries.due_rows(session, day, 0))
    mine = [r for r in rows if code in (r["grid_codes"] or ())]
    return _ratio(sum(1 for r in mine if r["status"] != "overdue"), len(mine))


def _coverage(session: Session, period: Period) -> dict[str, float]:
    version = grid_versions.find_published(session)
    if version is None:
        return {}
    clipped = patrol_service.clipped_tracks(session, *period.bounds)
    rows = patrol_queries.coverage_grids(session, version.id, patrol_service.clipped_wkts(clipped), COVERAGE_DISTANCE_M)
    return {r["code"]: (r["covered_m2"] / r["area_m2"] if r["area_m2"] else 0.0) for r in rows}


def patrol_coverage(session: Session, code: str, period: Period) -> float | None:
    """Share of the grid's area within 100 m of a patrol walked in the period (the coverage page's rule)."""
    shares = period.shared("coverage", lambda: _coverage(session, period))
    return round(shares[code], 4) if code in shares else None


def _wuding_rows(session: Session) -> dict[str, tuple[str | None, bool]]:
    version = grid_versions.find_published(session)
    if version is None:
        return {}
    staffed = select(GridStaff.id).where(GridStaff.grid_id == Grid.id).exists()
    rows = session.execute(
        select(
            Grid.code, Grid.parent_code, Grid.leader_name, Grid.duties, Grid.tasks, Grid.rewards_penalties, staffed
        ).where(Grid.version_id == version.id)
    )
    # 五定 as the editor's check counts it (editor/validate.WUDING): 区域 is the polygon, always there
    return {r[0]: (r[1], all((v or "").strip() for v in r[2:6]) and r[6]) for r in rows}


def wuding_complete(session: Session, code: str, period: Period) -> float | None:
    """Share of the grid and the grids inside it whose 五定 (人员、职责、任务、奖惩) are all filled in."""
    rows = period.shared("wuding", lambda: _wuding_rows(session))
    if code not in rows:
        return None
    children: dict[str, list[str]] = {}
    for c, (parent, _) in rows.items():
        children.setdefault(parent, []).append(c)
    subtree, todo = [], [code]
    while todo:
        current = todo.pop()
        subtree.append(current)
        todo.extend(children.get(current, ()))
    return _ratio(sum(1 for c in subtree if rows[c][1]), len(subtree))


def transfer_feedback_on_time(session: Session, code: str, period: Period) -> float | None:
    """移送 of the grid's cases whose feedback fell due in the period: share fed back by the due day."""
    items = session.scalars(
        select(IncidentTransfer)
        .join(Incident, Incident.id == IncidentTransfer.incident_id)
        .where(
            any_(Incident.grid_codes) == code,
            IncidentTransfer.feedback_due >= period.start,
            IncidentTransfer.feedback_due <= period.end,
        )
    ).all()
    on_time = [t for t in items if t.feedback_at is not None and china_date(t.feedback_at) <= t.feedback_due]
    return _ratio(len(on_time), len(items))


def supervision_closed_on_time(session: Session, code: str, period: Period) -> float | None:
    """督办 owned in the grid (or below) that fell due in the period: share reported done by the due day and accepted."""
    items = session.execute(
        select(TrackedItem.state, TrackedItem.reported_at, TrackedItem.due).where(
            TrackedItem.kind == "duban",
            any_(TrackedItem.chain) == code,
            TrackedItem.due >= period.start,
            TrackedItem.due <= period.end,
        )
    ).all()
    on_time = [i for i in items if i.state == "accepted" and i.reported_at and china_date(i.reported_at) <= i.due]
    return _ratio(len(on_time), len(items))


REGISTRY: dict[str, Indicator] = {
    i.name: i
    for i in (
        Indicator("case_on_time_rate", "案件按期处置率", case_on_time_rate),
        Indicator("case_closure_rate", "案件结案率", case_closure_rate),
        Indicator("inspections_on_time", "污染源按期检查率", inspections_on_time),
        Indicator("patrol_coverage", "巡查覆盖率", patrol_coverage),
        Indicator("wuding_complete", "“五定”完整率", wuding_complete),
        Indicator("transfer_feedback_on_time", "移送按期反馈率", transfer_feedback_on_time),
        Indicator("supervision_closed_on_time", "督办按期办结率", supervision_closed_on_time),
    )
}


def compute(session: Session, code: str, period: Period, names: list[str] | None = None) -> dict[str, float | None]:
    """The values of ``names`` (default: every wired indicator) for one grid; unwired ones are None."""
    chosen = names if names is not None else [n for n, i in REGISTRY.items() if i.wired]
    return {n: (REGISTRY[n].compute(session, code, period) if REGISTRY[n].wired else None) for n in chosen}
