"""Cost of notifications, each figure beside its same-run baseline.

1. A case step that notifies: register + dispatch of a case whose department has ``--handlers`` handlers
   who each chose in-app, e-mail and SMS (3 outbox rows each), with the notification listener installed
   vs removed (baseline), alternately, in a fresh database.
2. Delivery: ``--mails`` outbox e-mails delivered by ``delivery.deliver_due`` (claim, attempt rows, send,
   record) to a local aiosmtpd server vs the same number of messages sent with bare smtplib (baseline).
    .venv/bin/python scripts/bench_notify.py [--cases 30] [--handlers 20] [--mails 200]
"""

from __future__ import annotations

import argparse
import smtplib
import statistics
import sys
import time
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select, text  # noqa: E402

from gisgrid import create_app  # noqa: E402
from gisgrid.auth import service as users  # noqa: E402
from gisgrid.db import db  # noqa: E402
from gisgrid.grids import service as grids  # noqa: E402
from gisgrid.incidents import hooks, intake, matrix  # noqa: E402
from gisgrid.incidents import service as cases  # noqa: E402
from gisgrid.incidents.report import Report  # noqa: E402
from gisgrid.notifications import delivery, events, outbox  # noqa: E402
from gisgrid.notifications import service as notifications  # noqa: E402
from gisgrid.notifications.models import Notification  # noqa: E402
from tests import worlds  # noqa: E402
from tests.conftest import fresh_database  # noqa: E402
from tests.notify_servers import Mailbox  # noqa: E402


def _world(session, tmp: Path, handlers: int):
    grids.import_file(session, worlds.write(worlds.world_ab_frame(), tmp / "ab.gpkg"), publish=True)
    matrix.load_demo(session)
    dispatcher = users.create_user(session, "bench_d", "Bench-pass-12", "dispatcher", grid_codes=("A",))
    for i in range(handlers):
        h = users.create_user(session, f"bench_h{i}", "Bench-pass-12", "handler", department_code="zhujian")
        h.phone = f"1380013{i:04d}"
        session.commit()
        prefs = {"inapp": True, "email": True, "sms": True, "email_address": f"h{i}@bench.example"}
        notifications.save_preferences(session, h, prefs)
    return dispatcher


def _step(session, dispatcher, n: int) -> float:
    lon, lat = worlds.wgs84(100, 100)
    case, _ = intake.report(session, Report("web", "dust", f"bench {n}", lon, lat), None)
    start = time.perf_counter()
    cases.act(session, dispatcher, case.id, "register", {})
    cases.act(session, dispatcher, case.id, "dispatch", {})
    return time.perf_counter() - start


def bench_steps(session, dispatcher, count: int) -> dict:
    times = {True: [], False: []}
    for n in range(count):
        for on in (False, True):
            if on:
                events.install()
            else:
                hooks._LISTENERS.pop("notifications", None)
            times[on].append(_step(session, dispatcher, n))
    events.install()
    return {on: statistics.median(t) * 1000 for on, t in times.items()}


def bench_delivery(session, cfg, mails: int, box: Mailbox) -> dict:
    session.execute(text("DELETE FROM notification"))
    session.commit()
    msg = outbox.Message("overdue", None, "【网格化环境监管】基准测试", "正文" * 40, {})
    session.add_all(outbox.row(msg, "email", "pending", None, address=f"m{i}@bench.example") for i in range(mails))
    session.commit()
    start = time.perf_counter()
    while session.scalar(select(func.count()).where(Notification.state == "pending")):
        delivery.deliver_due(session, cfg)
    ours = time.perf_counter() - start
    start = time.perf_counter()
    for i in range(mails):
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = cfg["SMTP_FROM"], f"m{i}@bench.example", msg.subject
        mail.set_content(msg.body)
        with smtplib.SMTP("127.0.0.1", box.port, timeout=10) as smtp:
            smtp.send_message(mail)
    bare = time.perf_counter() - start
    return {"outbox": ours, "bare": bare}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=30)
    parser.add_argument("--handlers", type=int, default=20)
    parser.add_argument("--mails", type=int, default=200)
    args = parser.parse_args()
    box = Mailbox()
    box.start()
    tmp = Path("var/bench_notify")
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        with fresh_database("gisgrid_bench_notify") as url:
            app = create_app({"DATABASE_URL": url, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": box.port})
            with app.app_context(), db.new_session() as session:
                dispatcher = _world(session, tmp, args.handlers)
                steps = bench_steps(session, dispatcher, args.cases)
                sent = bench_delivery(session, app.config, args.mails, box)
            db.dispose(app)
    finally:
        box.stop()
    rows = 1 + 3 * args.handlers
    print(f"register+dispatch, {args.handlers} handlers × 3 channels ({rows} outbox rows), median of {args.cases}:")
    print(
        f"  without notifications {steps[False]:8.1f} ms   with {steps[True]:8.1f} ms   (+{steps[True] - steps[False]:.1f} ms)"
    )
    per = {k: v / args.mails * 1000 for k, v in sent.items()}
    print(f"{args.mails} e-mails to aiosmtpd on loopback:")
    print(
        f"  bare smtplib {per['bare']:6.2f} ms/mail   outbox delivery {per['outbox']:6.2f} ms/mail   "
        f"(+{per['outbox'] - per['bare']:.2f} ms bookkeeping)"
    )


if __name__ == "__main__":
    main()
