"""虎林's 双随机 timing over HTTP: the form defaults to the next quarter, a draw outside the window needs a
reason, which is stored, audited and published; the year's planned and drawn counts on the public page."""

from __future__ import annotations

import io

from sqlalchemy import text

from gisgrid.clock import today_in_china
from gisgrid.sources import schedule
from gisgrid.sources.rules import quarter_of
from tests import worlds
from tests.helpers import login


def _sources(client, token, n=3):
    rows = "code,name,kind,lon,lat,class\n" + "\n".join(
        f"W{i},示例·W{i},enterprise,{lon!r},{lat!r},C"
        for i, (lon, lat) in enumerate(worlds.wgs84(100 + 40 * i, 100) for i in range(n))
    )
    client.post(
        "/sources/import",
        data={"file": (io.BytesIO(rows.encode()), "s.csv")},
        headers={"X-CSRFToken": token},
        content_type="multipart/form-data",
    )


def test_the_form_offers_the_next_quarter_and_its_window(client, world_ab, make_user):
    make_user("admin", username="boss")
    login(client, "boss")
    today = today_in_china()
    page = client.get("/lottery").get_data(as_text=True)
    upcoming = schedule.next_quarter(today)
    assert f'name="quarter" value="{upcoming}"' in page
    first, last = schedule.draw_window(upcoming)
    assert f"{upcoming} 的抽取时间为 {first} 至 {last}" in page
    assert 'name="override_reason" required' in page or schedule.in_window(upcoming, today)


def test_a_draw_outside_the_window_needs_a_reason_which_is_recorded_and_public(client, world_ab, make_user, session):
    make_user("admin", username="boss")
    token = login(client, "boss")
    _sources(client, token)
    current = quarter_of(today_in_china())  # the current quarter: its window is in the quarter before, always past
    form = {"csrf_token": token, "quarter": current, "p_C": "1"}
    refused = client.post("/lottery", data=form, headers={"Accept": "application/json"})
    error = refused.get_json()["error"]
    assert refused.status_code == 400 and error["message"].startswith("override_reason:")
    assert client.get("/api/v1/lottery").json == []  # nothing stored
    assert client.post("/lottery", data={**form, "override_reason": "系统升级，延后至本季度初抽取"}).status_code == 302
    listing = client.get("/api/v1/lottery").json
    assert [(d["quarter"], d["override_reason"]) for d in listing] == [(current, "系统升级，延后至本季度初抽取")]
    client.post("/logout", data={"csrf_token": token})
    body = client.get(listing[0]["url"]).json  # public JSON, logged out
    assert body["override_reason"] == "系统升级，延后至本季度初抽取" and len(body["window"]) == 2
    page = client.get(f"/lottery/{body['id']}").get_data(as_text=True)
    assert 'id="override">系统升级，延后至本季度初抽取' in page
    assert "系统升级，延后至本季度初抽取" in client.get("/lottery").get_data(as_text=True)
    logged = session.execute(
        text("SELECT actor_name, changes->>'override_reason' FROM audit_log WHERE entity = 'lottery_draw'")
    ).all()
    assert logged == [("boss", "系统升级，延后至本季度初抽取")]


def test_without_a_quarter_the_draw_is_for_the_next_quarter(client, world_ab, make_user):
    make_user("admin", username="boss")
    token = login(client, "boss")
    _sources(client, token)
    resp = client.post("/lottery", data={"csrf_token": token, "p_C": "1", "override_reason": "测试：提前抽取"})
    assert resp.status_code == 302
    assert [d["quarter"] for d in client.get("/api/v1/lottery").json] == [schedule.next_quarter(today_in_china())]


def test_the_years_planned_and_drawn_counts(client, world_ab, make_user):
    make_user("admin", username="boss")
    token = login(client, "boss")
    _sources(client, token, n=4)
    year = today_in_china().year
    assert (
        client.post("/lottery/plan", data={"csrf_token": token, "year": year, "planned_count": "12"}).status_code == 302
    )
    client.post("/lottery", data={"csrf_token": token, "quarter": f"{year}Q1", "p_C": "0.5", "override_reason": "补抽"})
    bad = client.post(
        "/lottery/plan",
        data={"csrf_token": token, "year": year, "planned_count": "-1"},
        headers={"Accept": "application/json"},
    )
    assert bad.status_code == 400 and "planned_count" in bad.get_json()["error"]["message"]
    bad = client.post(
        "/lottery/plan",
        data={"csrf_token": token, "year": "x", "planned_count": "3"},
        headers={"Accept": "application/json"},
    )
    assert bad.status_code == 400 and "year" in bad.get_json()["error"]["message"]
    client.post("/logout", data={"csrf_token": token})
    page = client.get("/lottery").get_data(as_text=True)
    row = page[page.index(f'data-year="{year}"') :].split("</tr>")[0]
    assert '<td class="planned">12</td><td class="drawn">2</td>' in row  # ceil(0.5 × 4) drawn
    assert f'data-year="{year + 1}"><td>{year + 1}</td><td class="planned">未定</td>' in page
    staff = client.application.test_client()
    make_user("grid_staff", username="gs")
    staff_token = login(staff, "gs")
    refused = staff.post(
        "/lottery/plan",
        data={"csrf_token": staff_token, "year": year, "planned_count": "1"},
        headers={"Accept": "application/json"},
    )
    assert refused.status_code == 403


def test_the_json_api_defaults_to_the_next_quarter_and_names_the_missing_reason(client, world_ab, make_user):
    make_user("admin", username="boss")
    token = login(client, "boss")
    _sources(client, token)
    headers = {"X-CSRFToken": token}
    today = today_in_china()
    refused = client.post("/api/v1/lottery", json={"quarter": quarter_of(today)}, headers=headers)
    assert refused.status_code == 400 and refused.get_json()["error"]["message"].startswith("override_reason:")
    refused = client.post("/api/v1/lottery", json={"quarter": "2027Q5", "override_reason": "x"}, headers=headers)
    assert refused.status_code == 400 and "quarter" in refused.get_json()["error"]["message"]
    assert client.get("/api/v1/lottery").json == []
    made = client.post(
        "/api/v1/lottery", json={"proportions": {"C": 1}, "override_reason": "测试：提前抽取"}, headers=headers
    )
    body = made.get_json()
    assert made.status_code == 201 and body["quarter"] == schedule.next_quarter(today)
    assert body["override_reason"] == "测试：提前抽取" and len(body["results"]["picks"]) == 3
    assert body["window"] == [d.isoformat() for d in schedule.draw_window(body["quarter"])]
