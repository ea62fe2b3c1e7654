"""Staff pages: list and map, detail with only the allowed actions, HTML form actions, KPI page and CSV."""
from __future__ import annotations

import re

from tests.helpers import csrf_from
from tests.routes.test_incidents import As, _ok, _report, world  # noqa: F401 (fixture)


def test_report_form_lists_categories_and_staff_channels_need_login(client, world):
    html = client.get("/report").get_data(as_text=True)
    assert 'value="dust"' in html and "施工扬尘" in html and 'id="report-map"' in html
    assert client.get("/report?channel=hotline").status_code == 302


def test_list_detail_and_form_actions(app, client, world):
    case = _ok(_report(client), 201)["id"]
    d = As(app, world["dispatcher"])
    page = d.get("/incidents").get_data(as_text=True)
    assert f'href="/incidents/{case}"' in page and "cases-map" in page
    detail = d.get(f"/incidents/{case}").get_data(as_text=True)
    assert 'data-action="register"' in detail and 'data-action="close"' not in detail
    token = csrf_from(detail)
    resp = d.client.post(f"/incidents/{case}/actions/register", data={"csrf_token": token})
    assert resp.status_code == 302
    detail = d.get(f"/incidents/{case}").get_data(as_text=True)
    assert "已立案" in detail and 'data-action="dispatch"' in detail and "立案" in detail
    # without the CSRF token a browser form post is refused
    assert d.client.post(f"/incidents/{case}/actions/dispatch", data={}).status_code == 400
    staff = As(app, world["foreign_staff"])
    assert staff.client.get(f"/incidents/{case}", headers={"Accept": "text/html"}).status_code == 403
    assert f'/incidents/{case}"' not in staff.get("/incidents").get_data(as_text=True)


def test_kpi_page_csv_and_map_need_a_supervising_role(app, client, world):
    case = _ok(_report(client), 201)["id"]
    d = As(app, world["dispatcher"])
    _ok(d.act(case, "register"))
    page = d.get("/incidents/kpi").get_data(as_text=True)
    assert "kpi-map" in page and re.search(r"<td>A1</td><td>1</td><td>1</td>", page)
    csv_resp = d.get("/api/v1/incidents/kpi?by=department&format=csv")
    assert csv_resp.mimetype == "text/csv" and csv_resp.get_data(as_text=True).startswith("\ufeffkey,")
    fc = _ok(d.get("/api/v1/incidents/kpi/map?level=2"))
    assert {f["properties"]["code"] for f in fc["features"]} == {"A1", "A2"}
    assert As(app, world["zhujian"]).get("/api/v1/incidents/kpi").status_code == 403
    assert client.get("/api/v1/incidents/kpi").status_code == 401
