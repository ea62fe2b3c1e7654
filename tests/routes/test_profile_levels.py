"""Pages, the 公示牌, the KPI page and the filing table number and name levels as the active profile says.

虎林's grids are 鸡西's levels 2..4: stored level 1 (depth) shows as 二级网格 · 市; nothing assumes the top is 一级.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from gisgrid.deployment import load
from gisgrid.deployment.profile import EXTENSION_KEY
from gisgrid.editor import filing
from tests.helpers import login


@pytest.fixture()
def hulin(app):
    app.extensions[EXTENSION_KEY] = load("hulin")
    return app


def _levels_block(page: str) -> list[dict]:
    found = re.search(r'<script type="application/json" id="gisgrid-levels">(.*?)</script>', page, re.S)
    return json.loads(found.group(1))


def test_landing_page_and_its_data_block_use_hulin_numbers(hulin, client, world_ab):
    page = client.get("/").get_data(as_text=True)
    assert "村（居）委会 · 4 级 4 个" in page and "市 · 2 级" in page and "1 级" not in page
    block = _levels_block(page)
    assert [(lv["depth"], lv["number"], lv["label"]) for lv in block] == [
        (1, 2, "二级网格 · 市"),
        (2, 3, "三级网格 · 乡（镇、街道）及开发区/园区"),
        (3, 4, "四级网格 · 村（居）委会"),
    ]


def test_notice_sheet_shows_the_plan_level(hulin, client, world_ab):
    top = client.get("/grids/A/notice").get_data(as_text=True)
    village = client.get("/grids/A1a/notice").get_data(as_text=True)
    assert "<td>二级网格 · 市</td>" in top
    assert "<td>四级网格 · 村（居）委会</td>" in village and "一级网格" not in village


def test_xicheng_keeps_its_names(client, world_ab):
    page = client.get("/grids/A1/notice").get_data(as_text=True)
    assert "<td>二级网格 · 街道</td>" in page


def test_kpi_page_names_the_second_level_as_the_profile_does(hulin, client, world_ab, make_user):
    login(client, make_user("dispatcher", grids=("A",)).username)
    page = client.get("/incidents/kpi").get_data(as_text=True)
    assert "三级网格 · 乡（镇、街道）及开发区/园区按期处置率" in page
    assert "街道网格按期处置率" not in page and 'data-level="2"' in page


def test_filing_table_numbers_levels_from_two(session, world_ab):
    _label, rows = filing.responsibility_rows(session, world_ab.version_id, load("hulin"))
    by_code = {row[1]: row for row in rows}
    assert by_code["A"][0] == "二级网格" and by_code["A"][-1] == "市"
    assert by_code["A1"][0] == "三级网格" and by_code["A1a"][0] == "四级网格"
    assert by_code["A1a"][-1] == "村（居）委会"
    assert filing.HEADER[-1] == "层级名称" and len(filing.HEADER) == len(filing.PDF_WIDTHS_MM)


def test_system_page_shows_the_profile(hulin, client):
    page = client.get("/system").get_data(as_text=True)
    assert "虎林市环境监管网格化管理工作领导小组" in page and "市长（示例）" in page
    assert "同级网格责任主体" in page and "每半年" in page and "<td>二级网格</td><td>市</td>" in page
    assert "<td>三级网格</td>" in page  # 乡（镇）人民政府/街道办事处 sits at depth 2 = 三级


def test_system_page_for_gaochang(app, client):
    app.extensions[EXTENSION_KEY] = load("gaochang")
    page = client.get("/system").get_data(as_text=True)
    assert "一级网格（本部署最高层级网格）的责任主体" in page and page.count("每季度") == 2


def test_open_data_carries_the_profile_level_number_and_name(hulin, client, world_ab, tmp_path):
    hulin.config["CACHE_DIR"] = str(tmp_path / "cache")
    rows = list(csv.DictReader(io.StringIO(client.get("/open-data/grids.csv").data.decode("utf-8-sig"))))
    by_code = {r["code"]: r for r in rows}
    assert (by_code["A"]["level"], by_code["A"]["level_number"], by_code["A"]["level_name"]) == ("1", "2", "市")
    assert by_code["A1a"]["level_number"] == "4" and by_code["A1a"]["level_name"] == "村（居）委会"
    features = {f["id"]: f["properties"] for f in client.get("/open-data/grids.geojson").get_json()["features"]}
    assert features["A1"]["level_number"] == 3 and features["A1"]["level_name"] == "乡（镇、街道）及开发区/园区"
