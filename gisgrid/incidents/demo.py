"""Demo duty matrix, one handler account per department, and sample cases in several stages
(sample people and texts; password gisgrid-demo-1)."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from gisgrid.auth import roles
from gisgrid.auth.demo import create_missing_users
from gisgrid.auth.models import User
from gisgrid.db import unit_of_work
from gisgrid.deployment import Profile, from_env
from gisgrid.grids import versions as grid_versions
from gisgrid.grids.models import Grid
from gisgrid.incidents import intake, matrix
from gisgrid.incidents import service as incidents
from gisgrid.incidents.report import Report

DEMO_TOP = "110102000000"  # 西城区, the scope of the demo dispatcher
# (category, description, the actions it goes through after being reported)
DEMO_CASES = (
    ("dust", "示例：工地渣土未覆盖", ("register", "dispatch", "start", "handle", "verify", "close", "evaluate")),
    (
        "bbq",
        "示例：夜间露天烧烤油烟",
        ("register", "dispatch", "start", "handle", "rework", "handle", "verify", "close"),
    ),
    ("black_smoke", "示例：小煤炉冒黑烟", ("register", "dispatch", "start", "handle")),
    ("traffic_noise", "示例：夜间货车鸣笛噪声", ("register", "dispatch", "start")),
    ("wastewater", "示例：雨水口有废水排入", ("register", "dispatch")),
    ("burning", "示例：绿化垃圾露天焚烧", ("register",)),
    ("other", "示例：重复上报", ("reject",)),
    ("dust", "示例：拆除工地未洒水", ()),
)


def load_demo(session: Session, profile: Profile | None = None) -> tuple[int, list[str]]:
    """Create the profile's departments and matrix, and the handler_<dept> accounts that are missing."""
    profile = profile or from_env()
    count = matrix.load_demo(session, profile)
    created = create_missing_users(
        session,
        [(f"handler_{d.code}", f"{d.name}承办人（示例）", roles.HANDLER, (), d.code) for d in profile.departments],
    )
    return count, created


def _points(session: Session, version_id: int, count: int) -> list[tuple[float, float]]:
    rows = session.execute(
        text(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p, code FROM grid "
            "WHERE version_id = :v AND level = (SELECT max(level) FROM grid WHERE version_id = :v) ORDER BY code) g"
        ),
        {"v": version_id},
    ).all()
    step = max(len(rows) // max(count, 1), 1)
    return [tuple(r) for r in rows[::step][:count]]


def _actor(session: Session, action: str, category: str) -> User:
    if action in ("start", "handle"):
        dept = matrix.category(session, category).department_codes[0]
        return session.scalar(select(User).where(User.username == f"handler_{dept}"))
    # admin stands in for the community supervisor, who differs per sample case
    name = "admin" if action in ("verify", "rework", "evaluate") else "dispatcher"
    return session.scalar(select(User).where(User.username == name))


def load_demo_cases(session: Session, top: str = DEMO_TOP) -> int:
    """Create the sample cases that are missing (client request ids demo-1…) in the demo deployment whose top grid
    is ``top``; returns how many were created."""
    version = grid_versions.find_published(session)
    if version is None or session.scalar(select(User.id).where(User.username == "dispatcher")) is None:
        return 0
    if not session.scalar(select(Grid.id).where(Grid.version_id == version.id, Grid.code == top)):
        return 0  # the sample cases belong to the demo deployment (its accounts' scope), not to real data
    created = 0
    for i, ((category, description, actions), (lon, lat)) in enumerate(
        zip(DEMO_CASES, _points(session, version.id, len(DEMO_CASES))), 1
    ):
        with unit_of_work(session):  # a sample case and its steps, or nothing
            report = Report("web", category, description, lon, lat, client_request_id=f"demo-{i}")
            case, new = intake.report(session, report, None, client_scope="demo")
            if not new:
                continue
            for action in actions:
                params = {"result": "示例：已整改", "reason": "示例", "score": 4, "outcome": "resolved"}
                incidents.act(session, _actor(session, action, category), case.id, action, params)
            created += 1
    return created
