"""督办 / 督查 / 联席会议 over HTTP: the API (checked against the OpenAPI document), the pages, and users of a
foreign county (or a sibling village) seeing and doing nothing."""

from __future__ import annotations

import io
from datetime import date

import pytest

from gisgrid.incidents import matrix
from gisgrid.incidents.models import Incident
from tests.incident_support import As, _ok, _report
from tests.routes.test_openapi_casework import _check
from tests.tracking_support import PDF, people


@pytest.fixture()
def world(app, session, world_ab, make_user, tmp_path):
    matrix.load_demo(session)
    app.config["MEDIA_DIR"] = str(tmp_path / "media")
    who = people(make_user)
    case_id = _ok(_report(app.test_client(), x=100, y=100), 201)["id"]  # in A1a
    case = session.get(Incident, case_id)
    case.state, case.department_codes, case.deadline = "in_progress", ["zhujian"], date(2026, 10, 20)
    session.commit()
    return who, case_id


def _clients(app, who):
    return {name: As(app, getattr(who, name)) for name in ("county", "village", "sibling", "foreign", "handler")}


def test_duban_on_a_case_reported_done_and_accepted_over_http(app, client, world):
    who, case_id = world
    c = _clients(app, who)
    body = {
        "about_kind": "case",
        "about_id": str(case_id),
        "owner_grid": "A1a",
        "priority": "rapid",
        "detail": "三日内覆盖",
    }
    item = _ok(c["county"].post("/api/v1/supervision/duban", **body), 201)
    _check(client, "/api/v1/supervision/duban", item, lambda b: b.update(state="done"), method="post", status="201")
    assert item["owner_grid_code"] == "A1a" and item["actions"] == ["note"] and item["priority_label"] == "迅速督办"
    url = f"/api/v1/tracking/items/{item['id']}"
    # a foreign county and a sibling village see nothing and may do nothing
    for name in ("foreign", "sibling"):
        assert _ok(c[name].get("/api/v1/tracking/items"))["items"] == []
        assert c[name].get(url).status_code == 403
        assert c[name].client.get(f"/tracking/{item['id']}").status_code == 403
        assert c[name].post(f"{url}/actions/report_done", text="x").status_code == 403
        assert _ok(c[name].get("/api/v1/tracking/waiting"))["items"] == []
    mine = _ok(c["village"].get("/api/v1/tracking/items?view=mine"))["items"]
    assert [i["id"] for i in mine] == [item["id"]]
    _check(client, "/api/v1/tracking/items", {"items": mine}, lambda b: b["items"][0].pop("due"))
    waiting = _ok(c["village"].get("/api/v1/tracking/waiting"))["items"]
    assert date.fromisoformat(waiting[0]["due"])
    assert waiting[0]["url"] == f"/tracking/{item['id']}" and waiting[0]["kind"] == "tracking.duban"
    # the owner reports done through the page's form with a file
    page = c["village"].client.get(f"/tracking/{item['id']}").get_data(as_text=True)
    assert 'data-action="report_done"' in page and 'data-action="accept"' not in page
    resp = c["village"].client.post(
        f"/tracking/{item['id']}/actions/report_done",
        data={"text": "已覆盖", "csrf_token": c["village"].token, "files": (io.BytesIO(PDF), "整改报告.pdf")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302, resp.get_data(as_text=True)
    detail = _ok(c["county"].get(url))
    _check(client, "/api/v1/tracking/items/{item_id}", detail, lambda b: b["notes"][0].update(id="1"))
    [attachment] = detail["attachments"]
    assert c["village"].client.get(attachment["url"]).data == PDF
    assert c["foreign"].client.get(attachment["url"]).status_code == 403
    assert detail["state"] == "reported_done" and detail["actions"] == ["note", "accept", "send_back"]
    done = _ok(c["county"].post(f"{url}/actions/accept", text="验收通过"))
    assert done["state"] == "accepted" and [n["action"] for n in done["notes"]][-1] == "accept"
    # the case page shows its 督办 chain (to those who see the case)
    case_page = c["county"].client.get(f"/incidents/{case_id}").get_data(as_text=True)
    assert 'id="case-duban"' in case_page and f'data-item="{item["id"]}"' in case_page


@pytest.mark.parametrize(
    "change,field",
    [
        ({"about_kind": "planet"}, "about_kind"),
        ({"due": "tomorrow"}, "due"),
        ({"priority": "asap"}, "priority"),
        ({"owner_grid": "A"}, "owner"),
        ({"about_id": "x"}, "about_id"),
    ],
)
def test_bad_duban_input_is_400_naming_the_field(app, world, change, field):
    who, case_id = world
    county = As(app, who.county)
    resp = county.post("/api/v1/supervision/duban", **{"about_kind": "case", "about_id": str(case_id), **change})
    assert resp.status_code == 400, resp.get_data(as_text=True)
    assert resp.get_json()["error"]["message"].startswith(f"{field}:")


def test_staff_cannot_open_a_duban_and_foreign_leaders_not_on_our_case(app, world):
    who, case_id = world
    body = {"about_kind": "case", "about_id": str(case_id)}
    assert As(app, who.village).post("/api/v1/supervision/duban", **body).status_code == 403
    assert As(app, who.foreign).post("/api/v1/supervision/duban", **body).status_code == 403


def test_meeting_decisions_show_on_the_follow_up_page_in_scope_only(app, client, world):
    from gisgrid.deployment import from_env

    who, _ = world
    c = _clients(app, who)
    member = from_env().leading_group.members[0]
    body = {
        "title": "第一次联席会议", "held_on": "2026-11-02", "attendees": [member],
        "agenda": [{"type": "调度", "title": "调度超期案件"}],
        "decisions": [{"title": "甲一镇完成裸土覆盖", "owner_grid": "A1"}],
    }  # fmt: skip
    meeting = _ok(c["county"].post("/api/v1/supervision/meetings", **body), 201)
    _check(client, "/api/v1/supervision/meetings", meeting, lambda b: b.update(held_on=20261102), "post", "201")
    listed = _ok(c["county"].get("/api/v1/supervision/meetings"))
    assert listed["next_due"] is None or date.fromisoformat(listed["next_due"])
    assert [m["id"] for m in listed["meetings"]] == [meeting["id"]]
    _check(client, "/api/v1/supervision/meetings", listed, lambda b: b.update(period=3))
    page = c["county"].client.get("/supervision/decisions").get_data(as_text=True)
    assert "甲一镇完成裸土覆盖" in page and "共 1 项" in page
    foreign_page = c["foreign"].client.get("/supervision/decisions").get_data(as_text=True)
    assert "甲一镇完成裸土覆盖" not in foreign_page and "共 0 项" in foreign_page
    assert c["foreign"].get(f"/api/v1/supervision/meetings/{meeting['id']}").status_code == 403
    assert _ok(c["foreign"].get("/api/v1/supervision/meetings"))["meetings"] == []
    bad = c["county"].post("/api/v1/supervision/meetings", **{**body, "attendees": ["某某公司"]})
    assert bad.status_code == 400 and bad.get_json()["error"]["message"].startswith("attendees:")


def test_a_check_its_bulletin_in_html_and_pdf_and_on_the_public_site(app, client, world):
    who, _ = world
    c = _clients(app, who)
    body = {"grid_code": "A1", "checkers": "县网格办（示例）", "bulletin_title": "关于甲一镇的督查通报",
            "rectifications": [{"title": "补齐五定信息"}]}  # fmt: skip
    check = _ok(c["county"].post("/api/v1/supervision/checks", **body), 201)
    _check(client, "/api/v1/supervision/checks", check, lambda b: b["items"][0].pop("passed"), "post", "201")
    assert [r["title"] for r in check["rectifications"]] == ["补齐五定信息"]
    assert client.get(f"/bulletins/{check['id']}").status_code == 404  # not public yet
    assert "关于甲一镇的督查通报" not in client.get("/bulletins").get_data(as_text=True)
    pdf = c["county"].client.get(f"/supervision/checks/{check['id']}/bulletin.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert c["foreign"].client.get(f"/supervision/checks/{check['id']}/bulletin.pdf").status_code == 403
    assert c["foreign"].get(f"/api/v1/supervision/checks/{check['id']}").status_code == 403
    assert _ok(c["foreign"].get("/api/v1/supervision/checks"))["checks"] == []
    published = _ok(c["county"].post(f"/api/v1/supervision/checks/{check['id']}/publish", public=True))
    assert published["public"] is True
    public_page = client.get(f"/bulletins/{check['id']}").get_data(as_text=True)
    assert "关于甲一镇的督查通报" in public_page and "五定信息完整" in public_page
    assert client.get(f"/bulletins/{check['id']}?format=pdf").data.startswith(b"%PDF")
    assert "关于甲一镇的督查通报" in client.get("/bulletins").get_data(as_text=True)


def test_lists_pages_and_overdue_by_level(app, client, world, session):
    who, case_id = world
    c = _clients(app, who)
    body = {"about_kind": "case", "about_id": str(case_id), "owner_grid": "A1a"}
    item = _ok(c["county"].post("/api/v1/supervision/duban", **body), 201)
    from gisgrid.tracking.models import TrackedItem

    row = session.get(TrackedItem, item["id"])
    row.opened_on, row.due = date(2026, 10, 1), date(2026, 10, 9)
    session.commit()
    levels = _ok(c["county"].get("/api/v1/tracking/overdue"))
    assert date.fromisoformat(levels["today"])  # ISO dates, as declared (schemathesis found HTTP dates here)
    _check(client, "/api/v1/tracking/overdue", levels, lambda b: b["levels"][0].pop("overdue"))
    assert [(r["depth"], r["active"], r["overdue"]) for r in levels["levels"]] == [(3, 1, 1)]
    assert _ok(c["foreign"].get("/api/v1/tracking/overdue"))["levels"] == []
    resp = c["county"].client.post("/tracking/escalate", data={"csrf_token": c["county"].token})
    assert resp.status_code == 302 and "ran=" in resp.headers["Location"]
    escalated = _ok(c["county"].get(f"/api/v1/tracking/items/{item['id']}"))
    assert escalated["escalation_level"] >= 1 and escalated["escalations"][0]["to_grid_code"] == "A1"
    for url in ("/tracking", "/tracking?view=raised&overdue=true", "/supervision/checks", "/supervision/meetings"):
        assert c["county"].client.get(url).status_code == 200, url
    page = c["county"].client.get("/tracking?overdue=true").get_data(as_text=True)
    assert f'data-item="{item["id"]}"' in page and 'id="overdue-by-level"' in page
    assert f'data-item="{item["id"]}"' not in c["foreign"].client.get("/tracking").get_data(as_text=True)
    assert c["county"].get("/api/v1/tracking/items?view=everything").status_code == 400
