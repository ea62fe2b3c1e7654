"""Migration 0016_supervise2 on real data: existing plan lines get object_kind, period and times from their
text; campaign_result is created with its audit trigger; downgrade takes both back."""

from __future__ import annotations

import json

from alembic import command
from sqlalchemy import create_engine, text

from gisgrid.migrate import alembic_config
from tests.conftest import fresh_database

LINES = [
    {"object_class": "C类污染源（重点监管）", "content": "整改", "frequency": "每月1次", "planned_checks": 60},
    {"object_class": "饮用水水源地", "content": "巡护", "frequency": "每季度2次", "planned_checks": 8},
    {"object_class": "宣传", "content": "培训", "frequency": "按需", "planned_checks": 1},
]


def _items(engine):
    with engine.connect() as conn:
        return conn.execute(text("SELECT items FROM supervision_plan")).scalar()


def test_plan_lines_are_structured_and_downgrade_restores_them():
    with fresh_database("gisgrid_mig0016") as url:
        command.upgrade(alembic_config(url), "heads")  # the template may be at any revision: start from the head
        command.downgrade(alembic_config(url), "0016_speed")
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO supervision_plan (grid_code, grid_name, level, chain, year, items, created_by) "
                     "VALUES ('A', '甲县', 1, '{A}', 2026, CAST(:items AS jsonb), 'test')"),
                {"items": json.dumps(LINES, ensure_ascii=False)},
            )  # fmt: skip
        command.upgrade(alembic_config(url), "0016_supervise2")
        assert [(i["object_kind"], i["period"], i["times"]) for i in _items(engine)] == [
            ("source_c", "month", 1), ("drinking_water_source", "quarter", 2), ("other", None, None),
        ]  # fmt: skip
        with engine.connect() as conn:
            trigger = "SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_campaign_result'"
            assert conn.execute(text(trigger)).scalar() == 1
        command.downgrade(alembic_config(url), "0016_speed")
        assert _items(engine) == LINES  # the lines as they were
        with engine.connect() as conn:
            assert conn.execute(text("SELECT to_regclass('campaign_result')")).scalar() is None
        engine.dispose()
