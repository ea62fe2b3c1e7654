"""`gisgrid demo load` seeds what the active profile says: departments, duty matrix, A/B/C intervals, 双随机 shares."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

from sqlalchemy import select

from gisgrid.auth.models import Department, User
from gisgrid.deployment import load
from gisgrid.grids import service as grids
from gisgrid.incidents import demo as incidents_demo
from gisgrid.incidents import matrix
from gisgrid.sources import demo as sources_demo
from gisgrid.sources import queries
from gisgrid.sources.models import LotteryDraw

DEMO_FILE = Path(__file__).resolve().parents[2] / "data" / "boundaries" / "xicheng_demo.geojson"


def test_panjin_departments_matrix_and_handlers(session):
    panjin = load("panjin")
    count, created = incidents_demo.load_demo(session, panjin)
    assert count == len(panjin.matrix) == 14  # 13 from the seed's duties + 新增污染源 (西城's rule, everywhere)
    names = dict(session.execute(select(Department.code, Department.name)).all())
    assert names["haiyang"] == "市海洋与渔业部门" and names["liaohe"] == "辽河保护部门" and len(names) >= 29
    assert matrix.category(session, "sea").department_codes == ["haiyang"]
    assert "handler_haiyang" in created
    handler = session.scalar(select(User).where(User.username == "handler_haiyang"))
    assert handler.department_code == "haiyang"


def test_xicheng_matrix_is_the_one_it_always_was(session):
    # the ten categories it always had, plus 新增污染源 (监督员“发现新增的污染源，及时通过平台上报”)
    assert incidents_demo.load_demo(session, load("xicheng"))[0] == 11
    straw = matrix.category(session, "straw")
    assert straw.department_codes == ["xiangzhen", "nongye"] and straw.deadline_days == 3


def test_sources_demo_uses_the_profile_intervals_and_shares(session, make_user):
    grids.import_file(session, str(DEMO_FILE), label="demo", publish=True)  # enough leaf grids for the sample
    make_user("admin", username="admin")
    profile = dataclasses.replace(
        load("gaochang"), inspection_months={"A": 6, "B": 2, "C": 1}, draw_proportions={"A": 0.0, "B": 0.5, "C": 1.0}
    )
    sources_demo.load_demo_sources(session, today=date(2026, 11, 2), profile=profile)
    assert queries.frequencies(session) == {"A": 6, "B": 2, "C": 1}
    draw = session.scalar(select(LotteryDraw).where(LotteryDraw.quarter == "2026Q4"))
    assert draw.inputs["proportions"] == {"A": 0.0, "B": 0.5, "C": 1.0}
