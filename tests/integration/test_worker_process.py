"""``gisgrid worker`` as a real process on its own committed database and a real Redis: a worker killed
(SIGKILL) in the middle of an SMTP transaction loses nothing; once its lease has run out, the next worker
sends the message again with the same Message-ID, and the mail server holds it exactly once."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import threading
import uuid

import pytest
from sqlalchemy import select

from gisgrid import create_app
from gisgrid.db import db
from gisgrid.notifications.models import Notification, NotificationAttempt
from tests.conftest import fresh_database
from tests.notify_servers import Mailbox
from tests.worker_support import forget_queue, processes_of, spawn_worker, until

WAIT_S = 90  # an upper bound for a loaded 2-core machine, not a speed requirement


class HoldingMailbox(Mailbox):
    """Holds the first message in DATA until released (the worker is killed meanwhile).

    The client is gone before the server answers 250, so the server drops that copy (aiosmtpd cancels
    the handler when the connection is lost): the message was never accepted.
    """

    def __init__(self) -> None:
        super().__init__()
        self.arrived, self.release = threading.Event(), threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if not self.arrived.is_set():
            self.arrived.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        return await super().handle_DATA(server, session, envelope)


def _setup(url: str, tmp_path) -> int:
    """World A/B, the demo matrix, a dispatcher and a handler who wants e-mail, one dispatched case."""
    from gisgrid.auth import service as users
    from gisgrid.grids import service as grids
    from gisgrid.incidents import intake, matrix
    from gisgrid.incidents import service as cases
    from gisgrid.incidents.report import Report
    from gisgrid.notifications import service as notifications
    from tests import worlds
    from tests.helpers import PASSWORD

    app = create_app({"DATABASE_URL": url, "TESTING": True})
    with app.app_context(), db.new_session() as session:
        grids.import_file(session, worlds.write(worlds.world_ab_frame(), tmp_path / "ab.gpkg"), publish=True)
        matrix.load_demo(session)
        dispatcher = users.create_user(session, "d1", PASSWORD, "dispatcher", grid_codes=("A",))
        handler = users.create_user(session, "h1", PASSWORD, "handler", department_code="zhujian")
        notifications.save_preferences(session, handler, {"inapp": True, "email": True, "email_address": "h1@x.org"})
        case, _new = intake.report(session, Report("web", "dust", "工地扬尘", *worlds.wgs84(100, 100)), None)
        cases.act(session, dispatcher, case.id, "register", {})
        cases.act(session, dispatcher, case.id, "dispatch", {})
    db.dispose(app)
    return case.id


def _worker(url: str, box: Mailbox, queue: str) -> subprocess.Popen:
    smtp = {"GISGRID_SMTP_HOST": "127.0.0.1", "GISGRID_SMTP_PORT": str(box.port)}
    settings = {**smtp, "GISGRID_SMTP_FROM": "gisgrid@xicheng.example", "GISGRID_NOTIFY_LEASE_SECONDS": "2"}
    return spawn_worker(url, queue, settings)


def _until(check, what: str):
    return until(check, what, WAIT_S)


def _mail_row(url: str):
    app = create_app({"DATABASE_URL": url, "TESTING": True})
    with app.app_context(), db.new_session() as session:
        row = session.scalar(select(Notification).where(Notification.channel == "email"))
        tries = session.scalars(
            select(NotificationAttempt).where(NotificationAttempt.notification_id == row.id).order_by("attempt")
        ).all()
        found = (row.state, row.message_id, [(t.attempt, t.ok) for t in tries])
    db.dispose(app)
    return found


@pytest.mark.slow
def test_a_killed_worker_loses_nothing(tmp_path):
    queue = f"gisgrid-test-{uuid.uuid4().hex[:8]}"
    box = HoldingMailbox()
    box.start()
    try:
        with fresh_database("gisgrid_worker") as url:
            _setup(url, tmp_path)
            first = _worker(url, box, queue)
            try:
                assert box.arrived.wait(WAIT_S), "the worker never started sending"
            finally:
                first.send_signal(signal.SIGKILL)  # dies in the middle of the SMTP transaction
                first.wait(30)
            box.release.set()
            # its scheduler child died with it (no orphan left holding the queue's scheduler)
            _until(lambda: not processes_of(queue), "the killed worker's scheduler to die")
            state, message_id, tries = _mail_row(url)
            assert state == "sending" and tries == [(1, None)]  # the attempt began and never finished
            second = _worker(url, box, queue)
            try:
                _until(lambda: _mail_row(url)[0] == "sent", "the second worker to send")
            finally:
                second.send_signal(signal.SIGTERM)  # RQ's warm shutdown
                assert second.wait(60) == 0
            assert _mail_row(url)[2] == [(1, None), (2, True)]
    finally:
        box.stop()
        forget_queue(queue)
    assert [m["Message-ID"] for m in box.messages] == [f"<{message_id}@xicheng.example>"]  # once
