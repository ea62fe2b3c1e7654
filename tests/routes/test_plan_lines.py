"""Plan lines as structured data over HTTP: each line's object kind (given, or read from its text), its period
and times, and its execution counted from the data of the plan's year — A-class inspections for an A-class
line, patrols for a 巡查 line, nothing for a kind the data does not hold; a foreign grid sees none of it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from gisgrid.patrols import service as patrols
from gisgrid.sources import inspections
from tests.incident_support import As, _ok
from tests.routes.test_openapi_casework import _check
from tests.routes.test_plans import _source_in_a1a
from tests.worlds import wgs84

ITEMS = [
    {"object_class": "A类污染源", "content": "排污许可执行", "frequency": "每半年1次", "planned_checks": 2},
    {"object_class": "重点企业", "object_kind": "source_b", "content": "台账", "frequency": "每季度2次",
     "planned_checks": 8},
    {"object_class": "施工工地", "content": "扬尘防治", "frequency": "每月1次", "planned_checks": 12},
    {"object_class": "网格巡查", "content": "全覆盖", "frequency": "每月1次", "planned_checks": 4},
    {"object_class": "宣传培训", "content": "企业培训", "frequency": "按需", "planned_checks": 1},
]  # fmt: skip


def test_each_line_has_its_kind_period_and_execution(app, client, case_world, make_user, session):
    admin = As(app, make_user("admin"))
    source_id = _source_in_a1a(app, admin)  # an A-class enterprise in A1a
    for day in (date(2026, 3, 5), date(2026, 9, 1), date(2025, 9, 1)):  # the 2025 one is another year's
        inspections.record_inspection(session, source_id, case_world["staff"], inspected_on=day, violation=False,
                                      findings="正常", today=date(2026, 10, 1))  # fmt: skip
    start = datetime(2026, 5, 4, 1, tzinfo=UTC)
    points = [(*wgs84(50 + 40 * i, 500), start + timedelta(minutes=i)) for i in range(5)]
    patrols.save_track(session, case_world["staff"], points, "api")
    body = _ok(As(app, case_world["leader"]).post("/api/v1/plans", grid="A1", year=2026, items=ITEMS))
    _check(client, "/api/v1/plans", body, lambda b: b["execution"]["lines"][0].update(object_kind="x"), "post")
    lines = [(i["object_kind"], i["period"], i["times"], i["done"], i["share"]) for i in body["execution"]["lines"]]
    assert lines == [
        ("source_a", "half_year", 1, 2, 1.0),  # read from 「A类」: both 2026 inspections of the A-class source
        ("source_b", "quarter", 2, 0, 0.0),  # the kind given beats the text 「企业」
        ("construction_site", "month", 1, 0, 0.0),  # no construction site in the registry: done 0 of 12
        ("patrol", "month", 1, 1, 0.25),  # the one track of 2026 crossing A1
        ("other", None, None, None, None),  # the data cannot count training: no made-up figure
    ]
    assert [i["object_kind"] for i in body["items"]] == ["source_a", "source_b", "construction_site", "patrol", "other"]
    html = As(app, case_world["leader"]).client.get(f"/plans/{body['id']}").get_data(as_text=True)
    row = html.split('data-kind="patrol"')[1].split("</tr>")[0]
    assert "网格巡查" in row and "25.0%" in row and "月度 1 次" in row
    assert 'data-kind="other"' in html and "其他（不从数据计算）" in html
    foreign = As(app, make_user("grid_leader", grids=("B",)))
    assert foreign.client.get(f"/plans/{body['id']}").status_code == 403 and _ok(foreign.get("/api/v1/plans")) == []


def test_a_bad_kind_is_400_naming_the_line_and_the_page_form_takes_a_kind(app, case_world):
    leader = As(app, case_world["leader"])
    bad = [{**ITEMS[0], "object_kind": "rivers"}]
    resp = leader.post("/api/v1/plans", grid="A1", year=2026, items=bad)
    assert resp.status_code == 400 and resp.get_json()["error"]["message"].startswith("items.0.object_kind:")
    form = {"grid": "A1", "year": "2027", "object_class.0": "重点单位", "object_kind.0": "source_c", "content.0": "复查",
            "frequency.0": "每月2次", "planned_checks.0": "24", "csrf_token": leader.token}  # fmt: skip
    resp = leader.client.post("/plans", data=form)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    plan = next(p for p in _ok(leader.get("/api/v1/plans?year=2027")) if p["grid_code"] == "A1")
    assert [(i["object_kind"], i["period"], i["times"]) for i in plan["items"]] == [("source_c", "month", 2)]
