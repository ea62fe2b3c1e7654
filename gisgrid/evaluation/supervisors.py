"""监督员绩效考核 (西城区 step 8): per supervisor, reports filed, accepted as cases, verified on time, coverage.

"区城市管理监督指挥中心定期对监督员工作开展情况进行绩效考核，并将结果反馈一、二级网格责任人": the results are
shown to the leaders of the levels the profile names (``[evaluation] supervisor_results_levels``), each
for the supervisors of grids in their scope.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid.auth import roles
from gisgrid.auth.capabilities import require
from gisgrid.auth.models import User
from gisgrid.auth.service import in_scope, sees_all
from gisgrid.clock import china_date
from gisgrid.deployment.model import Profile
from gisgrid.errors import Forbidden
from gisgrid.evaluation.indicators import COVERAGE_DISTANCE_M, Period
from gisgrid.grids import versions as grid_versions
from gisgrid.incidents.deadlines import working_days_between
from gisgrid.incidents.models import Incident, IncidentEvent
from gisgrid.patrols import clip
from gisgrid.patrols import queries as patrol_queries
from gisgrid.sqlfiles import statement

# the seed fixes no time for 现场核实 (西城 step 6): a product default, two working days after 处置反馈
VERIFY_WORKING_DAYS = 2


def _chains(session: Session) -> dict[str, tuple[int, list[str]]]:
    version = grid_versions.find_published(session)
    if version is None:
        return {}
    rows = session.execute(statement("gisgrid.evaluation", "grid_chains.sql"), {"version_id": version.id})
    return {r.code: (r.level, list(r.chain)) for r in rows}


def require_viewer(user, profile: Profile, chains: dict) -> None:
    """403 unless the user leads a grid at one of the levels the results go to (or is admin)."""
    require(user, "view_supervisor_performance")
    if sees_all(user):
        return
    depths = {lv.depth for lv in profile.levels if lv.number in profile.evaluation.supervisor_results_levels}
    if not any(chains.get(code, (0,))[0] in depths for code in user.grid_codes):
        labels = "、".join(profile.level(d).title for d in sorted(depths))
        raise Forbidden(f"监督员绩效考核结果反馈给{labels}责任人 (results go to those levels' leaders)")


def performance(session: Session, user, profile: Profile, period: Period) -> list[dict]:
    """One row per active supervisor (grid staff) in the viewer's scope, for the period."""
    chains = _chains(session)
    require_viewer(user, profile, chains)
    people = session.scalars(select(User).where(User.role == roles.GRID_STAFF, User.active).order_by(User.username))
    rows = []
    for person in people:
        own = [chains[c][1] for c in sorted(person.grid_codes) if c in chains]
        if own and any(in_scope(user, chain) for chain in own):
            rows.append(_row(session, person, period, chains))
    return rows


def _row(session: Session, person: User, period: Period, chains: dict) -> dict:
    lo, hi = period.bounds
    filed = list(
        session.scalars(
            select(Incident).where(
                Incident.reporter_user_id == person.id, Incident.reported_at >= lo, Incident.reported_at < hi
            )
        )
    )
    verified, on_time = _verifications(session, person.id, lo, hi)
    accepted = sum(1 for c in filed if c.registered_at is not None)
    return {
        "user": person,
        "grids": sorted(person.grid_codes),
        "reports": len(filed),
        "accepted": accepted,
        "acceptance_rate": round(accepted / len(filed), 4) if filed else None,
        "verified": verified,
        "verified_on_time": on_time,
        "verify_on_time_rate": round(on_time / verified, 4) if verified else None,
        "coverage": _coverage(session, person, period, [c for c in person.grid_codes if c in chains]),
    }


def _verifications(session: Session, user_id: int, lo, hi) -> tuple[int, int]:
    """(verifications by the user in the period, those within VERIFY_WORKING_DAYS of the handling before them)."""
    verifies = list(
        session.scalars(
            select(IncidentEvent).where(
                IncidentEvent.user_id == user_id,
                IncidentEvent.action == "verify",
                IncidentEvent.at >= lo,
                IncidentEvent.at < hi,
            )
        )
    )
    on_time = 0
    for event in verifies:
        handled = session.scalar(
            select(IncidentEvent.at)
            .where(
                IncidentEvent.incident_id == event.incident_id,
                IncidentEvent.action == "handle",
                IncidentEvent.at <= event.at,
            )
            .order_by(IncidentEvent.at.desc())
            .limit(1)
        )
        if handled and working_days_between(china_date(handled), china_date(event.at)) <= VERIFY_WORKING_DAYS:
            on_time += 1
    return len(verifies), on_time


def _coverage(session: Session, person: User, period: Period, codes: list[str]) -> float | None:
    """Share of the supervisor's grids' area within the coverage distance of their own patrols in the period."""
    version = grid_versions.find_published(session)
    if version is None or not codes:
        return None
    lo, hi = period.bounds
    mine = [t for t in patrol_queries.tracks_overlapping(session, lo, hi) if t.user_id == person.id]
    wkts = [clip.ewkt(p) for t in mine if (p := clip.clip(clip.parse_points(t.points), lo, hi))]
    rows = [
        r
        for r in patrol_queries.coverage_grids(session, version.id, dict(enumerate(wkts)), COVERAGE_DISTANCE_M)
        if r["code"] in codes
    ]
    area = sum(r["area_m2"] for r in rows)
    return round(sum(r["covered_m2"] for r in rows) / area, 4) if area else None
