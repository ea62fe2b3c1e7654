"""The illustrative river network of the 西城区 demo (hand-drawn, not surveyed; sample data)."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid.jurisdiction.models import RiverReach
from gisgrid.jurisdiction.rivers import import_rivers

DEMO_RIVERS = Path(__file__).resolve().parents[2] / "data" / "boundaries" / "xicheng_rivers_demo.geojson"
DEMO_LABEL = "西城区示意水系 (demo, illustrative)"


def load_demo_rivers(session: Session, path: Path = DEMO_RIVERS) -> int:
    """Load the demo river network once; skipped when any network is loaded (a real one is never mixed with it)."""
    if session.scalar(select(RiverReach.id).limit(1)) is not None:
        return 0
    return import_rivers(session, str(path), label=DEMO_LABEL)
