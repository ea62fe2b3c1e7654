"""五定 on the 公示牌 and in the public grid JSON: 定区域、定人员、定职责、定任务、定奖惩, each shown."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from gisgrid.grids.models import Grid
from tests import public_worlds


@pytest.fixture()
def world(session, tmp_path):
    return public_worlds.load(session, tmp_path)


def set_grid(session, code, **values):
    session.execute(update(Grid).where(Grid.code == code).values(**values))
    session.flush()


def row(page: str, ding: str) -> str:
    found = re.search(rf'<tr data-wuding="{ding}"><th>定{ding}</th><td[^>]*>(.*?)</td></tr>', page, re.S)
    assert found, f"no 定{ding} row"
    return found.group(1)


def test_the_notice_sheet_shows_all_five_ding(client, world, session):
    set_grid(session, "A1a", tasks="每周巡查辖区污染源一次", rewards_penalties="年度考核，不合格者通报批评")
    page = client.get("/grids/A1a/notice").get_data(as_text=True)
    assert "甲一镇东村" in row(page, "区域") and "A1a" in row(page, "区域")
    people = row(page, "人员")
    assert "示例·甲一镇东村负责人" in people and "示例·网格员甲" in people and "199-0000-0001" in people
    assert "甲一镇东村环境监管职责" in row(page, "职责")
    assert "每周巡查辖区污染源一次" in row(page, "任务")
    assert "年度考核，不合格者通报批评" in row(page, "奖惩")
    detail = client.get("/api/v1/grids/A1a").get_json()["grid"]
    assert detail["tasks"] == "每周巡查辖区污染源一次" and detail["rewards_penalties"] == "年度考核，不合格者通报批评"


def test_missing_ding_say_so_and_a_link_is_a_link(client, world, session):
    set_grid(session, "A1b", duties=None, tasks=None, rewards_penalties="https://gov.example/zerenzhuang.pdf")
    page = client.get("/grids/A1b/notice").get_data(as_text=True)
    assert "未填写" in row(page, "职责") and "未填写" in row(page, "任务")
    assert '<a href="https://gov.example/zerenzhuang.pdf"' in row(page, "奖惩")
    set_grid(session, "A1b", rewards_penalties="javascript:alert(1)")
    page = client.get("/grids/A1b/notice").get_data(as_text=True)
    assert "<a " not in row(page, "奖惩") and "javascript:alert(1)" in row(page, "奖惩")  # shown as text only
