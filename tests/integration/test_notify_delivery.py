"""Delivery by the real worker code on a real Redis: e-mail to an aiosmtpd server, SMS to an HTTP gateway on
loopback; a mail server that is down loses nothing and every message arrives exactly once."""

from __future__ import annotations

import json
import random
import uuid

import pytest
from redis import Redis
from sqlalchemy import select

from gisgrid.jobs import worker
from gisgrid.notifications.models import Notification, NotificationAttempt
from tests.incident_support import As, _ok, _report
from tests.notify_servers import Mailbox, SmsGateway
from tests.routes.conftest import case_world  # noqa: F401 (fixture)


@pytest.fixture()
def redis_config(app):
    """A Redis database and queue of this test only (other sessions run tests at the same time)."""
    url = f"redis://127.0.0.1:6379/{random.randint(1, 15)}"
    app.config.update(REDIS_URL=url, JOBS_QUEUE=f"gisgrid-test-{uuid.uuid4().hex[:8]}")
    yield app.config
    redis = Redis.from_url(url)
    for key in redis.scan_iter(f"*{app.config['JOBS_QUEUE']}*"):
        redis.delete(key)


@pytest.fixture()
def mailbox():
    box = Mailbox()
    box.start()
    yield box
    box.stop()


def _configure(app, mailbox, gateway) -> None:
    app.config.update(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=mailbox.port,
        SMTP_FROM="gisgrid@xicheng.example",
        SMS_URL=gateway.url,
        SMS_TEMPLATE_ID="SMS_0001",
        SMS_TEMPLATES=json.dumps({"dispatched": "SMS_DISPATCH"}),
        SMS_SUCCESS="code=0",
        NOTIFY_BACKOFF_SECONDS=0,  # retry at the next round: the test needs no clock
    )


def _run_worker(app) -> None:
    with app.app_context():
        worker.work(app, burst=True)  # one forced tick and every queued job, on the real Redis


def _dispatch(app, client, case_world, **report) -> int:
    case = _ok(_report(client, **report), 201)["id"]
    d = As(app, case_world["dispatcher"])
    _ok(d.act(case, "register"))
    _ok(d.act(case, "dispatch"))
    return case


def _handler_wants_everything(app, session, user) -> None:
    user.phone = "13800138000"
    session.commit()
    _ok(
        As(app, user).put(
            "/api/v1/notifications/preferences", inapp=True, email=True, sms=True, email_address="zj@example.org"
        )
    )


def test_mail_server_down_then_up_every_message_once(app, client, session, case_world, redis_config, mailbox):
    with SmsGateway() as gateway:
        _configure(app, mailbox, gateway)
        _handler_wants_everything(app, session, case_world["zhujian"])
        mailbox.stop()  # the mail server is down while the events happen
        first = _dispatch(app, client, case_world, contact="citizen@example.org")
        second = _dispatch(app, client, case_world)
        _run_worker(app)
        assert mailbox.messages == [] and len(gateway.calls) == 2  # SMS went out; mail is waiting
        mail_rows = session.scalars(select(Notification).where(Notification.channel == "email")).all()
        assert mail_rows and all(r.state == "pending" and r.attempts == 1 and r.last_error for r in mail_rows)
        mailbox.start()  # back up on the same port
        _run_worker(app)
        _run_worker(app)  # a further round sends nothing twice
    session.expire_all()  # the worker wrote through its own sessions
    rows = list(session.scalars(select(Notification).where(Notification.channel == "email").order_by(Notification.id)))
    sent_ids = [m["Message-ID"] for m in mailbox.messages]
    assert sorted(sent_ids) == sorted(f"<{r.message_id}@xicheng.example>" for r in rows)  # each exactly once
    # the handler's two dispatch mails, and the citizen's updates on the first case (registered, dispatched)
    assert sorted(m["To"] for m in mailbox.messages) == ["citizen@example.org"] * 2 + ["zj@example.org"] * 2
    subjects = " ".join(m["Subject"] for m in mailbox.messages)
    assert f"案件 {first}" in subjects and f"案件 {second}" in subjects
    assert all(r.state == "sent" and r.attempts == 2 for r in rows)
    tries = session.scalars(select(NotificationAttempt).where(NotificationAttempt.notification_id == rows[0].id))
    assert [(t.attempt, t.ok, bool(t.error)) for t in tries] == [(1, False, True), (2, True, False)]
    assert len(gateway.calls) == 2  # SMS were not repeated by the later rounds


def test_sms_request_follows_the_configured_template(app, client, session, case_world, redis_config, mailbox):
    with SmsGateway() as gateway:
        _configure(app, mailbox, gateway)
        _handler_wants_everything(app, session, case_world["zhujian"])
        case = _dispatch(app, client, case_world)
        _run_worker(app)
    session.expire_all()
    sms = session.scalar(select(Notification).where(Notification.channel == "sms"))
    (call,) = gateway.calls
    body = json.loads(call["body"])
    assert call["path"] == "/sms/send" and call["headers"]["Content-Type"] == "application/json"
    assert body == {
        "phone": "13800138000",
        "template_id": "SMS_DISPATCH",
        "params": {"case": str(case), "event": "案件派遣给您", "deadline": sms.params["deadline"]},
        "out_id": sms.message_id,
    }
    assert sms.state == "sent"


def test_a_refusing_gateway_is_retried_then_given_up(app, client, session, case_world, redis_config, mailbox):
    with SmsGateway(answer={"code": 22, "msg": "余额不足"}) as gateway:
        _configure(app, mailbox, gateway)
        app.config["NOTIFY_MAX_ATTEMPTS"] = 2
        _handler_wants_everything(app, session, case_world["zhujian"])
        _dispatch(app, client, case_world)
        for _ in range(3):
            _run_worker(app)
    session.expire_all()
    sms = session.scalar(select(Notification).where(Notification.channel == "sms"))
    assert len(gateway.calls) == 2 and sms.state == "failed" and "余额不足" in sms.last_error
