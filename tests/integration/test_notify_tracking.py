"""督办 events through the notifications outbox, delivered by the real worker to a loopback SMTP server and SMS
gateway: opened → the owner, escalated → the grid it reached (and overdue → the owner, once), reported done →
the watcher, sent back → the owner; nobody outside the item's grids hears of it."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from gisgrid.incidents import matrix
from gisgrid.notifications.models import Notification
from gisgrid.tracking import service as tracking
from gisgrid.tracking.models import TrackedItem
from gisgrid.tracking.rules import Rules
from tests.incident_support import As, _ok
from tests.integration.test_notify_delivery import _run_worker, mailbox, redis_config  # noqa: F401 (fixtures)
from tests.notify_servers import SmsGateway
from tests.tracking_support import people


def _wants(app, session, user, email=None, phone=None) -> None:
    user.phone = phone
    session.commit()
    prefs = {"inapp": True, "email": bool(email), "sms": bool(phone), "email_address": email}
    _ok(As(app, user).put("/api/v1/notifications/preferences", **{k: v for k, v in prefs.items() if v is not None}))


def _kinds(session, user) -> list[str]:
    stmt = select(Notification.kind).where(Notification.user_id == user.id, Notification.channel == "inapp")
    return list(session.scalars(stmt.order_by(Notification.id)))


@pytest.fixture()
def who(app, session, world_ab, make_user, tmp_path):
    matrix.load_demo(session)
    app.config["MEDIA_DIR"] = str(tmp_path / "media")
    return people(make_user)


def _open_overdue(app, session, who) -> int:
    # the county opens a 督办 on village A1a; it is then back-dated so that it is late on 4 November
    body = {"about_kind": "grid", "about_id": "A1a", "owner_grid": "A1a", "priority": "rapid", "detail": "补齐五定"}
    item_id = _ok(As(app, who.county).post("/api/v1/supervision/duban", **body), 201)["id"]
    item = session.get(TrackedItem, item_id)
    item.opened_on, item.due = date(2026, 10, 26), date(2026, 11, 2)
    session.commit()
    return item_id


def test_each_duban_event_reaches_its_people_by_mail_and_sms(app, session, who, redis_config, mailbox):
    with SmsGateway() as gateway:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=mailbox.port, SMTP_FROM="gisgrid@xicheng.example",
                          SMS_URL=gateway.url, SMS_TEMPLATE_ID="SMS_0001", SMS_SUCCESS="code=0",
                          SMS_TEMPLATES=json.dumps({"tracking_escalated": "SMS_DUBAN_UP"}))  # fmt: skip
        _wants(app, session, who.village, email="village@example.org")
        _wants(app, session, who.town, phone="13800138001")
        _wants(app, session, who.county, email="county@example.org")
        item_id = _open_overdue(app, session, who)
        tracking.escalate_overdue(session, date(2026, 11, 4), Rules())  # due 2 Nov passed: level 1 → town A1
        tracking.escalate_overdue(session, date(2026, 11, 4), Rules())  # the same day again: nothing new
        village = As(app, who.village)
        _ok(village.post(f"/api/v1/tracking/items/{item_id}/actions/report_done", text="已补齐"))
        county = As(app, who.county)
        refused = county.post(f"/api/v1/tracking/items/{item_id}/actions/send_back")  # no reason: refused
        assert refused.status_code == 400 and refused.get_json()["error"]["message"].startswith("text:")
        assert not session.scalar(select(func.count()).where(Notification.kind == "tracking_sent_back"))
        # a new due day: the worker's periodic escalation (run by the tick below) finds nothing late
        _ok(county.post(f"/api/v1/tracking/items/{item_id}/actions/send_back", text="缺少佐证材料", due="2027-06-30"))
        _run_worker(app)
    session.expire_all()
    assert _kinds(session, who.village) == ["tracking_opened", "tracking_overdue", "tracking_sent_back"]
    assert _kinds(session, who.town) == ["tracking_escalated"]
    assert _kinds(session, who.county) == ["tracking_reported_done"]  # the opener is not told of their own steps
    for outsider in (who.foreign, who.sibling, who.handler):
        assert _kinds(session, outsider) == []
    mails = {(m["To"], m["Subject"]) for m in mailbox.messages}
    assert mails == {
        ("village@example.org", f"【网格化环境监管】督办事项交您办理（督办 {item_id}）"),
        ("village@example.org", f"【网格化环境监管】您的督办事项已超期（督办 {item_id}）"),
        ("village@example.org", f"【网格化环境监管】督办事项被退回重办（督办 {item_id}）"),
        ("county@example.org", f"【网格化环境监管】督办事项已报结，请验收（督办 {item_id}）"),
    }
    sent_back = next(m for m in mailbox.messages if "退回" in m["Subject"]).get_content()
    assert "缺少佐证材料" in sent_back and f"/tracking/{item_id}" in sent_back and "迅速督办「" in sent_back
    (call,) = gateway.calls  # the town leader's SMS of the escalation, with its own template
    body = json.loads(call["body"])
    assert (body["phone"], body["template_id"]) == ("13800138001", "SMS_DUBAN_UP")
    title = session.get(TrackedItem, item_id).title[:20]
    assert body["params"] == {
        "item": str(item_id),
        "title": title,
        "event": "超期督办事项升级至您",
        "due": "2026-11-02",
    }
    assert session.scalar(select(func.count()).where(Notification.state.in_(("pending", "failed")))) == 0
