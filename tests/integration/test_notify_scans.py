"""Deadline scans (due within one working day, overdue: once per deadline), quiet hours and the daily digest,
delivered to a real SMTP server on loopback with the clock passed in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from gisgrid.clock import CHINA_TZ
from gisgrid.incidents.models import Incident
from gisgrid.notifications import delivery, digests, scans
from gisgrid.notifications.models import Notification
from tests.incident_support import As, _ok, _report
from tests.notify_servers import Mailbox
from tests.routes.conftest import case_world  # noqa: F401 (fixture)


@pytest.fixture()
def mailbox(app):
    box = Mailbox()
    box.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=box.port, SMTP_FROM="gisgrid@xicheng.example")
    yield box
    box.stop()


def _dispatch(app, client, case_world) -> int:
    case = _ok(_report(client), 201)["id"]
    d = As(app, case_world["dispatcher"])
    _ok(d.act(case, "register"))
    _ok(d.act(case, "dispatch"))
    return case


def _rows(session, user, kind=None):
    session.expire_all()
    stmt = select(Notification).where(Notification.user_id == user.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return list(session.scalars(stmt.order_by(Notification.id)))


def _beijing(day_offset: int, hour: int, minute: int = 0) -> datetime:
    day = datetime.now(CHINA_TZ).date() + timedelta(days=day_offset)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CHINA_TZ).astimezone(UTC)


def test_due_soon_and_overdue_are_told_once_per_deadline(app, client, session, case_world, make_user):
    foreign = make_user("handler", department="zhujian", grids=("B",))
    case = _dispatch(app, client, case_world)
    incident = session.get(Incident, case)
    friday = date(2026, 12, 4)
    incident.deadline = date(2026, 12, 7)  # Monday: one working day after Friday
    session.commit()
    assert scans.deadlines(session, friday) == {"due_soon": 1, "overdue": 0}
    assert scans.deadlines(session, friday) == {"due_soon": 0, "overdue": 0}  # once
    incident.deadline = date(2026, 12, 8)  # two working days away: not yet
    session.commit()
    assert scans.deadlines(session, friday)["due_soon"] == 0
    incident.deadline = date(2026, 12, 3)
    session.commit()
    assert scans.deadlines(session, friday) == {"due_soon": 0, "overdue": 1}
    assert scans.deadlines(session, date(2026, 12, 5)) == {"due_soon": 0, "overdue": 0}  # same deadline: once
    kinds = [(r.kind, r.incident_id) for r in _rows(session, case_world["zhujian"]) if r.kind != "dispatched"]
    assert kinds == [("due_soon", case), ("overdue", case)]
    assert _rows(session, foreign) == []  # the same department in another grid hears nothing
    _ok(As(app, case_world["zhujian"]).act(case, "start"))
    _ok(As(app, case_world["zhujian"]).act(case, "handle", result="已处理"))
    incident.deadline = date(2026, 12, 1)
    session.commit()
    assert scans.deadlines(session, friday) == {"due_soon": 0, "overdue": 0}  # handled cases are not chased


def test_quiet_hours_hold_mail_until_they_end(app, client, session, case_world, mailbox):
    _ok(
        As(app, case_world["zhujian"]).put(
            "/api/v1/notifications/preferences",
            inapp=True,
            email=True,
            email_address="zj@example.org",
            quiet_start="22:00",
            quiet_end="07:00",
        )
    )
    _dispatch(app, client, case_world)
    cfg = app.config
    assert delivery.deliver_due(session, cfg, _beijing(1, 23)) == {"sent": 0, "failed": 0}
    (mail,) = _rows(session, case_world["zhujian"], "dispatched")[1:]
    assert mail.channel == "email" and mail.next_attempt_at == _beijing(2, 7) and mail.attempts == 0
    assert delivery.deliver_due(session, cfg, _beijing(2, 6, 59)) == {"sent": 0, "failed": 0}
    assert mailbox.messages == []
    assert delivery.deliver_due(session, cfg, _beijing(2, 7)) == {"sent": 1, "failed": 0}
    assert [m["To"] for m in mailbox.messages] == ["zj@example.org"]


def test_the_daily_digest_gathers_the_day_once(app, client, session, case_world, mailbox):
    _ok(
        As(app, case_world["zhujian"]).put(
            "/api/v1/notifications/preferences",
            inapp=True,
            email=True,
            email_address="zj@example.org",
            digest=True,
            digest_hour=8,
        )
    )
    cases = [_dispatch(app, client, case_world) for _ in range(2)]
    assert digests.build_due(session, _beijing(1, 7, 59)) == 0  # before the chosen hour
    assert digests.build_due(session, _beijing(1, 8, 30)) == 1
    assert digests.build_due(session, _beijing(1, 8, 31)) == 0
    assert delivery.deliver_due(session, app.config, _beijing(1, 8, 32)) == {"sent": 1, "failed": 0}
    (mail,) = mailbox.messages
    text = mail.get_content()
    assert "2 条" in mail["Subject"] and all(f"案件 {c}" in text for c in cases)
    held = _rows(session, case_world["zhujian"])
    assert sorted({r.state for r in held if r.channel == "email"}) == ["digested", "sent"]
    third = _dispatch(app, client, case_world)
    assert digests.build_due(session, _beijing(1, 9)) == 0  # today's digest went out: tomorrow's has it
    assert digests.build_due(session, _beijing(2, 8)) == 1
    assert delivery.deliver_due(session, app.config, _beijing(2, 8, 1))["sent"] == 1
    assert f"案件 {third}" in mailbox.messages[-1].get_content() and len(mailbox.messages) == 2
