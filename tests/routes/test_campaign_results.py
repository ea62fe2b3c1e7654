"""Campaign results per department over HTTP: what the data shows (the department's inspections of the targets,
their findings, the area's cases assigned to it) plus the figures the department enters, rolled up; only the
department itself or the lead grid enters; a foreign county sees and does nothing; the entries are audited."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import select

from gisgrid.audit.models import AuditLog
from gisgrid.incidents import matrix
from gisgrid.incidents.models import Incident
from gisgrid.sources.models import Inspection, PollutionSource
from tests.incident_support import As, _ok, _report
from tests.routes.test_openapi_casework import _check
from tests.tracking_support import people
from tests.worlds import wgs84

BODY = {"title": "冬季扬尘专项行动", "starts_on": "2026-12-01", "ends_on": "2026-12-31",
        "departments": ["zhujian", "sthj"], "area_codes": ["A1"]}  # fmt: skip


@pytest.fixture()
def campaign(app, session, world_ab, make_user, tmp_path):
    """A campaign over A1 with one target source; a 住建 inspection of it found a violation; a case for 住建."""
    matrix.load_demo(session)
    app.config["MEDIA_DIR"] = str(tmp_path / "media")
    who = people(make_user)
    zhujian = make_user("handler", department="zhujian")
    lon, lat = wgs84(120, 80)
    source = PollutionSource(code="S1", name="示例·S1", kind="enterprise", supervision_class="B", class_reason="示例",
                             location=from_shape(Point(lon, lat), srid=4326), grid_codes=["A", "A1", "A1a"], sample_data=True)  # fmt: skip
    session.add(source)
    session.commit()
    made = _ok(As(app, who.county).post("/api/v1/campaigns", **BODY), 201)
    session.add_all([
        Inspection(source_id=source.id, inspected_on=date(2026, 12, 2), inspector_id=zhujian.id,
                   inspector_name="住建检查员", violation=True, findings="裸土未覆盖"),
        Inspection(source_id=source.id, inspected_on=date(2026, 11, 20), inspector_id=zhujian.id,
                   inspector_name="住建检查员", violation=True),  # before the campaign: not counted
    ])  # fmt: skip
    case = session.get(Incident, _ok(_report(app.test_client(), x=100, y=100), 201)["id"])
    case.department_codes, case.reported_at = ["zhujian"], datetime(2026, 12, 3, 2, tzinfo=UTC)
    session.commit()
    return who, zhujian, made["id"]


def _rows(body):
    return {r["department_code"]: r for r in body["department_results"]["departments"]}


def test_results_per_department_add_entered_figures_to_the_data(app, client, session, campaign):
    who, zhujian, campaign_id = campaign
    detail = _ok(As(app, who.county).get(f"/api/v1/campaigns/{campaign_id}"))
    rows = _rows(detail)
    assert list(rows) == ["zhujian", "sthj"]
    assert rows["zhujian"]["computed"] == {"inspections": 1, "findings": 1, "cases": 1}
    assert rows["sthj"]["computed"] == rows["sthj"]["entered"] == {"inspections": 0, "findings": 0, "cases": 0}
    url = f"/api/v1/campaigns/{campaign_id}/results/zhujian"
    body = _ok(As(app, zhujian).put(url, inspections=3, findings=1, note="系统外联合检查 3 家"))
    _check(client, "/api/v1/campaigns/{campaign_id}/results/{department}", body,
           lambda b: b["totals"].update(cases="1"), method="put")  # fmt: skip
    mine = {r["department_code"]: r for r in body["departments"]}["zhujian"]
    assert mine["entered"] == {"inspections": 3, "findings": 1, "cases": 0}
    assert mine["total"] == {"inspections": 4, "findings": 2, "cases": 1}
    assert (mine["note"], mine["entered_by"], mine["may_enter"]) == ("系统外联合检查 3 家", zhujian.username, True)
    assert body["totals"] == {"inspections": 4, "findings": 2, "cases": 1}
    # the lead grid enters for a department too; a second entry replaces the first
    _ok(As(app, who.county).put(f"/api/v1/campaigns/{campaign_id}/results/sthj", cases=2))
    again = _ok(As(app, who.county).put(f"/api/v1/campaigns/{campaign_id}/results/sthj", cases=5))
    assert again["totals"] == {"inspections": 4, "findings": 2, "cases": 6}
    entries = session.scalars(select(AuditLog).where(AuditLog.entity == "campaign_result")).all()
    assert sorted(e.changes.get("department_code") for e in entries) == ["sthj", "zhujian"]


def test_only_the_department_or_the_lead_grid_enters_and_foreign_users_see_nothing(app, campaign):
    who, zhujian, campaign_id = campaign
    url = f"/api/v1/campaigns/{campaign_id}/results"
    assert As(app, who.handler).put(f"{url}/zhujian", inspections=1).status_code == 403  # sthj for 住建: no
    assert As(app, who.foreign).put(f"{url}/zhujian", inspections=1).status_code == 403
    assert As(app, who.foreign).get(f"/api/v1/campaigns/{campaign_id}").status_code == 403
    assert As(app, who.village).put(f"{url}/zhujian", inspections=1).status_code == 403  # staff run no campaign
    resp = As(app, who.county).put(f"{url}/gongan", inspections=1)
    assert resp.status_code == 400 and resp.get_json()["error"]["message"].startswith("department:")
    resp = As(app, zhujian).put(f"{url}/zhujian", inspections=-1)
    assert resp.status_code == 400 and resp.get_json()["error"]["message"].startswith("inspections:")
    rows = _rows(_ok(As(app, who.handler).get(f"/api/v1/campaigns/{campaign_id}")))
    assert (rows["sthj"]["may_enter"], rows["zhujian"]["may_enter"]) == (True, False)


def test_the_page_shows_the_table_and_takes_the_form(app, campaign):
    _who, zhujian, campaign_id = campaign
    handler = As(app, zhujian)
    data = {"department": "zhujian", "inspections": "2", "findings": "", "cases": "1", "note": "夜查",
            "csrf_token": handler.token}  # fmt: skip
    resp = handler.client.post(f"/campaigns/{campaign_id}/results", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    html = handler.client.get(f"/campaigns/{campaign_id}").get_data(as_text=True)
    row = html.split('data-department="zhujian"')[1].split("</tr>")[0]
    assert "<strong>3</strong>" in row and "（1 + 2）" in row and "夜查" in row  # inspections: 1 recorded + 2 entered
    assert "<strong>2</strong>" in row  # cases: 1 recorded + 1 entered
