"""The handler's public reply on a case: written by staff who may see the case, shown on /report/status and in
Open311 GET requests (status_notes), stored apart from internal notes, which stay private."""

from __future__ import annotations

from gisgrid.incidents.models import IncidentPublicReply
from tests.incident_support import As, _ok, _report

REPLY = "经现场核查，工地已完成覆盖并落实洒水降尘措施。"
INTERNAL = "内部：施工方负责人态度差，下次联合执法重点检查"


def _registered(app, client, case_world) -> int:
    case = _ok(_report(client, name="张三", contact="13800001234"), 201)["id"]
    _ok(As(app, case_world["dispatcher"]).act(case, "register"))
    return case


def _write(user_client: As, case: int, body: str):
    return user_client.client.post(
        f"/incidents/{case}/public-reply", data={"body": body, "csrf_token": user_client.token}
    )


def test_a_public_reply_is_shown_on_the_status_page_and_in_open311(app, client, session, case_world):
    case = _ok(_report(client, name="张三", contact="13800001234"), 201)["id"]
    dispatcher = As(app, case_world["dispatcher"])
    _ok(dispatcher.act(case, "reject", reason=INTERNAL))  # the reason is an internal note
    assert client.get(f"/report/status?id={case}").status_code == 200
    assert "status-reply" not in client.get(f"/report/status?id={case}").get_data(as_text=True)
    assert _write(dispatcher, case, REPLY).status_code == 302
    page = client.get(f"/report/status?id={case}").get_data(as_text=True)
    assert REPLY in page and INTERNAL not in page and "13800001234" not in page and "张三" not in page
    (row,) = client.get(f"/open311/v2/requests/{case}.json").get_json()
    assert row["status_notes"].endswith(f"答复：{REPLY}")
    registered = _registered(app, client, case_world)  # rejected cases are not listed; a registered one is
    assert _write(dispatcher, registered, REPLY).status_code == 302
    (listed,) = client.get(f"/open311/v2/requests.json?service_request_id={registered}").get_json()
    assert listed["status_notes"] == f"已立案；答复：{REPLY}"
    assert INTERNAL not in client.get(f"/open311/v2/requests/{case}.xml").get_data(as_text=True)
    staff_page = dispatcher.get(f"/incidents/{case}").get_data(as_text=True)
    assert 'id="public-reply-form"' in staff_page and REPLY in staff_page


def test_a_second_reply_replaces_the_first_and_empty_is_refused(app, client, session, case_world):
    case = _registered(app, client, case_world)
    dispatcher = As(app, case_world["dispatcher"])
    assert _write(dispatcher, case, "第一稿").status_code == 302
    assert _write(dispatcher, case, REPLY).status_code == 302
    assert session.get(IncidentPublicReply, case).body == REPLY
    resp = dispatcher.client.post(
        f"/incidents/{case}/public-reply",
        data={"body": "  ", "csrf_token": dispatcher.token},
        headers={"Accept": "application/json"},
    )
    assert resp.status_code == 400 and resp.get_json()["error"]["message"].startswith("body:")


def test_staff_of_another_grid_and_grid_staff_without_the_capability_cannot_reply(app, client, session, case_world):
    case = _registered(app, client, case_world)
    foreign = As(app, case_world["foreign_dispatcher"])
    assert _write(foreign, case, REPLY).status_code in (403, 404)
    assert _write(As(app, case_world["staff"]), case, REPLY).status_code == 403
    assert session.get(IncidentPublicReply, case) is None


def test_the_json_api_writes_the_reply_and_refuses_bad_input(app, client, session, case_world):
    case = _registered(app, client, case_world)
    dispatcher = As(app, case_world["dispatcher"])
    answer = _ok(dispatcher.put(f"/api/v1/incidents/{case}/public-reply", body=REPLY))
    assert answer["body"] == REPLY and "written_by" not in answer
    resp = dispatcher.put(f"/api/v1/incidents/{case}/public-reply", body="")
    assert resp.status_code == 400 and resp.get_json()["error"]["message"].startswith("body:")
    assert dispatcher.put("/api/v1/incidents/187665926509/public-reply", body=REPLY).status_code == 404
    foreign = As(app, case_world["foreign_dispatcher"])
    assert foreign.put(f"/api/v1/incidents/{case}/public-reply", body="x").status_code in (403, 404)
    assert session.get(IncidentPublicReply, case).body == REPLY
