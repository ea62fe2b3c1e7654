"""Citizens: status updates to the contact they gave, and 没有解决 through the signed link of the closing notice."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from gisgrid.incidents.models import Incident
from gisgrid.notifications.models import Notification
from tests.helpers import csrf_from
from tests.incident_support import As, _ok, _report


def _closed_case(app, client, case_world, contact="13912345678") -> int:
    case = _ok(_report(client, contact=contact), 201)["id"]
    d, h, staff = As(app, case_world["dispatcher"]), As(app, case_world["zhujian"]), As(app, case_world["staff"])
    _ok(d.act(case, "register"))
    _ok(d.act(case, "dispatch"))
    _ok(h.act(case, "start"))
    _ok(h.act(case, "handle", result="已覆盖"))
    _ok(staff.act(case, "verify"))
    _ok(d.act(case, "close", outcome="resolved"))
    return case


def _citizen_rows(session, address):
    stmt = select(Notification).where(Notification.address == address, Notification.user_id.is_(None))
    return list(session.scalars(stmt.order_by(Notification.id)))


def _reply_link(session, address) -> str:
    closing = _citizen_rows(session, address)[-1]
    return re.search(r"/report/status\?id=\d+&t=[\w.-]+", closing.body).group(0)


def _answer(client, link, words="现场仍然有裸土，没有覆盖"):
    page = client.get(link)
    token = csrf_from(page.get_data(as_text=True))
    case, reply = re.search(r"id=(\d+)&t=([\w.-]+)", link).groups()
    return page, client.post(
        "/report/status/reopen", data={"id": case, "t": reply, "words": words, "csrf_token": token}
    )


def test_a_citizen_hears_each_public_step_by_sms(app, client, session, case_world):
    case = _closed_case(app, client, case_world, contact="139-1234-5678")
    rows = _citizen_rows(session, "13912345678")
    assert [r.channel for r in rows] == ["sms"] * 4  # registered, dispatched, handled, closed
    assert [r.params["state"] for r in rows] == ["已立案", "已派遣", "已反馈", "已结案"]
    assert "结案结果：已解决" in rows[-1].body and f"id={case}&t=" in rows[-1].params["link"]


def test_not_fixed_reopens_the_case_to_the_handler_with_the_words(app, client, session, case_world):
    case = _closed_case(app, client, case_world)
    page, answer = _answer(app.test_client(), _reply_link(session, "13912345678"))
    assert 'id="reopen-form"' in page.get_data(as_text=True) and "结案结果：已解决" in page.get_data(as_text=True)
    assert answer.status_code == 302 and "reopened=1" in answer.headers["Location"]
    incident = session.get(Incident, case)
    session.refresh(incident)
    assert incident.state == "in_progress" and incident.outcome is None and incident.rework_count == 1
    last = incident.events[-1]
    assert last.action == "reopen" and "现场仍然有裸土" in last.reason and last.actor == "公众/外部系统"
    handler_rows = select(Notification.kind).where(Notification.user_id == case_world["zhujian"].id)
    assert "reopened" in session.scalars(handler_rows).all()
    # the handler can handle it again: the case is theirs, in progress
    _ok(As(app, case_world["zhujian"]).act(case, "handle", result="已再次覆盖"))


def test_a_forged_stale_or_late_answer_is_refused(app, client, session, case_world):
    case = _closed_case(app, client, case_world)
    link = _reply_link(session, "13912345678")
    forged = re.sub(r"t=[\w.-]+", "t=WzEsIjIwMjYtMDEtMDEiXQ.forged", link)
    assert _answer(app.test_client(), forged)[1].status_code == 403
    other = _closed_case(app, client, case_world, contact="13900000001")
    other_link = _reply_link(session, "13900000001").replace(f"id={other}", f"id={case}")
    assert _answer(app.test_client(), other_link)[1].status_code == 403  # another case's token
    incident = session.get(Incident, case)
    incident.closed_at -= timedelta(days=app.config["REOPEN_DAYS"] + 1)
    session.commit()
    late = _reply_link(session, "13912345678")
    assert _answer(app.test_client(), late)[1].status_code == 403  # the closing it answers changed time: stale
    assert session.get(Incident, case).state == "closed"


def test_the_answer_period_is_enforced(app, client, session, case_world):
    from gisgrid.incidents import citizen

    case = _closed_case(app, client, case_world)
    incident = session.get(Incident, case)
    incident.closed_at -= timedelta(days=app.config["REOPEN_DAYS"] + 1)
    session.commit()
    link = f"/report/status?id={case}&t={citizen.token(app.config['SECRET_KEY'], incident)}"
    page, answer = _answer(app.test_client(), link)
    assert 'id="reopen-form"' not in page.get_data(as_text=True)
    assert answer.status_code == 409 and session.get(Incident, case).state == "closed"
    empty = _closed_case(app, client, case_world, contact="13900000002")
    resp = _answer(app.test_client(), _reply_link(session, "13900000002"), words="  ")[1]
    assert resp.status_code == 400 and session.get(Incident, empty).state == "closed"


def test_the_reply_code_typed_on_the_status_page_works_too(app, client, session, case_world):
    case = _closed_case(app, client, case_world)
    closing = _citizen_rows(session, "13912345678")[-1]
    code = closing.params["code"]
    assert len(code) == 8 and f"反馈码 {code}" in closing.body
    citizen = app.test_client()
    page = citizen.get(f"/report/status?id={case}").get_data(as_text=True)
    assert 'id="reopen-form"' in page and "反馈码" in page
    token = csrf_from(page)
    wrong = "A" * 8 if code != "A" * 8 else "B" * 8
    form = {"id": case, "words": "还是有扬尘", "csrf_token": token}
    assert citizen.post("/report/status/reopen", data={**form, "t": wrong}).status_code == 403
    assert session.get(Incident, case).state == "closed"
    assert citizen.post("/report/status/reopen", data={**form, "t": code.lower()}).status_code == 302
    incident = session.get(Incident, case)
    session.refresh(incident)
    assert incident.state == "in_progress" and "还是有扬尘" in incident.events[-1].reason
