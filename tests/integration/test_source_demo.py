"""The 西城区 sample sources: realistic inspection states (mostly on time), deterministic, loaded once."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from gisgrid.sources import inspections
from gisgrid.sources.demo import DEMO_DUE_SOON, DEMO_OVERDUE, load_demo_sources
from gisgrid.sources.models import Inspection, LotteryDraw

TODAY = date(2026, 3, 31)  # a month end: the due-day arithmetic clamps here
DEMO_FILE = Path(__file__).resolve().parents[2] / "data" / "boundaries" / "xicheng_demo.geojson"


@pytest.fixture()
def xicheng(session, make_user):
    from gisgrid.grids import service

    service.import_file(session, str(DEMO_FILE), label="demo", publish=True)
    return make_user("admin", username="admin")


def states(session, admin):
    rows = inspections.due_list(session, admin, TODAY)
    return {r["code"]: (r["status"], r["last_on"], r["inspections"]) for r in rows}


def test_most_sources_are_on_time_a_few_due_soon_a_few_overdue(session, xicheng):
    assert load_demo_sources(session, today=TODAY) == 60
    got = states(session, xicheng)
    assert Counter(s for s, _, _ in got.values()) == {
        "ok": 60 - DEMO_OVERDUE - DEMO_DUE_SOON,
        "due_soon": DEMO_DUE_SOON,
        "overdue": DEMO_OVERDUE,
    }
    assert all(n >= 1 and last <= TODAY for _, last, n in got.values())  # every sample source inspected
    assert session.scalar(select(func.count(LotteryDraw.id))) == 1


def test_loading_again_changes_nothing(session, xicheng):
    load_demo_sources(session, today=TODAY)
    before, records = states(session, xicheng), session.scalar(select(func.count(Inspection.id)))
    assert load_demo_sources(session, today=TODAY) == 0
    assert states(session, xicheng) == before
    assert session.scalar(select(func.count(Inspection.id))) == records
    assert session.scalar(select(func.count(LotteryDraw.id))) == 1


def test_the_sample_is_deterministic(session, xicheng):
    load_demo_sources(session, today=TODAY)
    first = states(session, xicheng)
    session.execute(Inspection.__table__.delete())
    session.commit()
    load_demo_sources(session, today=TODAY)  # inspections only: the sources and the draw are there
    assert states(session, xicheng) == first
