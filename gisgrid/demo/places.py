"""Which demo files, accounts and duty matrix belong to each seed place's demo deployment.

西城区 keeps its hand-picked accounts (``auth/demo.py``); the other four places get the same set of roles
on grids chosen from their own boundaries. Departments, duty matrix, handler accounts, A/B/C intervals and
双随机 shares come from the place's deployment profile (``incidents/demo.load_demo``,
``sources/demo.load_demo_sources``). Every person is sample data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid.auth import roles
from gisgrid.auth.demo import DEMO_USERS
from gisgrid.grids.models import Grid

BOUNDARIES = Path(__file__).resolve().parents[2] / "data" / "boundaries"


@dataclass(frozen=True)
class DemoPlace:
    """One seed place's demo deployment: its profile key, name, top grid and boundary file."""

    key: str
    name: str
    top_code: str

    @property
    def path(self) -> Path:
        """The GeoJSON built by scripts/build_demo_data.py (西城区) or scripts/build_place_demo.py."""
        return BOUNDARIES / f"{self.key}_demo.geojson"


PLACES = {
    p.key: p
    for p in (
        DemoPlace("xicheng", "西城区", "110102000000"),
        DemoPlace("hulin", "虎林市", "230381000000"),
        DemoPlace("panjin", "盘锦市", "211100000000"),
        DemoPlace("zhanqian", "站前区", "210802000000"),
        DemoPlace("gaochang", "高昌区", "650402000000"),
    )
}
DEFAULT_PLACE = "xicheng"


def _first_child(session: Session, version_id: int, parent: str, skip: int = 0) -> str | None:
    return session.scalar(
        select(Grid.code)
        .where(Grid.version_id == version_id, Grid.parent_code == parent)
        .order_by(Grid.code)
        .offset(skip)
        .limit(1)
    )


def demo_users(session: Session, place: DemoPlace, version_id: int) -> tuple:
    """(username, display name, role, grid codes, department) for every role, on this place's grids."""
    if place.key == DEFAULT_PLACE:
        return DEMO_USERS
    top = place.top_code
    mid, mid2 = _first_child(session, version_id, top), _first_child(session, version_id, top, skip=1)
    leaf = _first_child(session, version_id, mid)
    names = {
        code: session.scalar(select(Grid.name).where(Grid.version_id == version_id, Grid.code == code))
        for code in (mid, mid2, leaf)
    }
    k = place.key
    return (
        *(u for u in DEMO_USERS if u[2] in roles.DUTIES),  # 三员: admin, secadmin, auditor
        ("planner", f"{place.name}网格规划员（示例）", roles.PLANNER, (top,), None),
        ("dispatcher", f"{place.name}网格化环境监管调度员（示例）", roles.DISPATCHER, (top,), None),
        (f"leader_{k}", f"{place.name}网格长（示例）", roles.GRID_LEADER, (top,), None),
        (f"leader_{k}_town", f"{names[mid]}网格长（示例）", roles.GRID_LEADER, (mid,), None),
        (f"staff_{k}_village", f"{names[leaf]}网格员（示例）", roles.GRID_STAFF, (leaf,), None),
        (f"staff_{k}_town", f"{names[mid2]}网格员（示例）", roles.GRID_STAFF, (mid2,), None),
    )


def demo_tracks(session: Session, place: DemoPlace, version_id: int) -> tuple:
    """(username, grid code, days ago) of the sample patrol tracks: the staff accounts' own grids."""
    k = place.key
    mid2 = _first_child(session, version_id, place.top_code, skip=1)
    leaf = _first_child(session, version_id, _first_child(session, version_id, place.top_code))
    others = [_first_child(session, version_id, mid2, skip=i) for i in range(3)]
    tracks = [(f"staff_{k}_village", leaf, 1), (f"staff_{k}_village", leaf, 8)]
    return tuple(tracks + [(f"staff_{k}_town", code, 2 + i) for i, code in enumerate(others) if code])
