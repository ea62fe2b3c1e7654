"""A demo 年度日常监管工作计划: the top grid's plan for this year, filed last December (sample lines)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid.auth.models import User
from gisgrid.plans import service
from gisgrid.plans.models import SupervisionPlan

SAMPLE_ITEMS = (
    {
        "object_class": "A类污染源（一般监管）",
        "content": "排污许可执行、污染防治设施运行",
        "frequency": "每年1次",
        "planned_checks": 10,
    },
    {
        "object_class": "B类污染源（日常监管）",
        "content": "治污设施、台账、环境应急预案",
        "frequency": "每季度1次",
        "planned_checks": 40,
    },
    {
        "object_class": "C类污染源（重点监管）",
        "content": "整改落实、在线监测",
        "frequency": "每月1次",
        "planned_checks": 60,
    },
    {
        "object_class": "建设项目（施工工地）",
        "content": "扬尘防治“六个百分之百”",
        "frequency": "每月1次",
        "planned_checks": 24,
    },
)


def load_demo_plan(session: Session, top_code: str, year: int) -> int:
    """The top grid's plan for ``year`` (if no plan exists yet), filed on 20 December of the year before."""
    admin = session.scalar(select(User).where(User.username == "admin"))
    if admin is None or session.scalar(select(SupervisionPlan.id).limit(1)):
        return 0
    body = {"grid": top_code, "year": year, "items": [dict(i) for i in SAMPLE_ITEMS], "patrols_planned": 120,
            "random_checks_next_year": 30}  # fmt: skip
    plan = service.save(session, admin, body)
    service.file(
        session, admin, plan.id, {"filed_on": date(year - 1, 12, 20), "filed_to": "上级人民政府（示例）"}, None, ""
    )
    return 1
