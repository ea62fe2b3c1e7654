"""五定 on the 公示牌 and in the public grid JSON: 定区域、定人员、定职责、定任务、定奖惩, each shown."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from gisgrid.grids.models import Grid
from gisgrid.public_map import detail_cache
from tests import public_worlds


@pytest.fixture()
def world(session, tmp_path):
    return public_worlds.load(session, tmp_path)


def set_grid(session, code, **values):
    # edits the published version in place, which the app never does (edits go to drafts): so the detail
    # built once per version (public_map.detail_cache) must be forgotten by hand
    session.execute(update(Grid).where(Grid.code == code).values(**values))
    session.flush()
    detail_cache.clear()


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


def test_the_signed_responsibility_agreement_shows_under_rewards_and_penalties(client, world, session):
    # 定奖惩 "as text or a link to the 责任状": the grid's signed 责任状 of this year is named on the sheet
    from datetime import date

    from gisgrid.agreements.models import Agreement
    from gisgrid.clock import today_in_china

    set_grid(session, "A1a", rewards_penalties=None)
    assert "未填写" in row(client.get("/grids/A1a/notice").get_data(as_text=True), "奖惩")
    session.add(Agreement(year=today_in_china().year, title="网格化环境监管责任状", upper_code="A1", upper_name="甲一镇",
                          party_kind="grid", party_code="A1a", party_name="甲一镇东村", upper_chain=["A", "A1"],
                          party_chain=["A", "A1", "A1a"], tasks="巡查", rewards_penalties="考核不合格通报批评",
                          signed_on=date(2026, 3, 1), created_by="tester"))  # fmt: skip
    session.flush()
    cell = row(client.get("/grids/A1a/notice").get_data(as_text=True), "奖惩")
    assert "已签订《网格化环境监管责任状》" in cell and "甲一镇与甲一镇东村" in cell and "2026-03-01" in cell
    assert "未填写" not in cell and "考核不合格通报批评" not in cell  # the terms themselves stay with staff
    assert "已签订" not in row(client.get("/grids/A1b/notice").get_data(as_text=True), "奖惩")
