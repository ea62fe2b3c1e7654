"""The daily digest: a user who chose it gets one e-mail/SMS a day listing what was held for it."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid.clock import CHINA_TZ
from gisgrid.db import unit_of_work
from gisgrid.notifications import outbox
from gisgrid.notifications.models import Notification

MAX_LINES = 50  # an SMS gateway or a phone screen is no place for more; the in-app list has them all


def _text(rows: list[Notification]) -> str:
    lines = [f"· {r.subject}" for r in rows[:MAX_LINES]]
    if len(rows) > MAX_LINES:
        lines.append(f"……另有 {len(rows) - MAX_LINES} 条，请登录查看")
    return "\n".join(lines)


def build_due(session: Session, now: datetime | None = None) -> int:
    """Create each digest whose hour has come today (once per user, channel and day); returns how many."""
    now = now or datetime.now(UTC)
    local = now.astimezone(CHINA_TZ)
    waiting = defaultdict(list)
    rows = session.scalars(select(Notification).where(Notification.state == "digest").order_by(Notification.id))
    for row in rows:
        waiting[(row.user_id, row.channel)].append(row)
    made = 0
    with unit_of_work(session):
        for (user_id, channel), items in waiting.items():
            if outbox.preference(session, user_id).digest_hour > local.hour:
                continue
            message = outbox.Message(
                "digest",
                None,
                f"【网格化环境监管】每日通知汇总（{local.date().isoformat()}，{len(items)} 条）",
                _text(items),
                {"count": str(len(items)), "day": local.date().isoformat()},
            )
            made += _send(session, message, user_id, channel, items, local.date().isoformat())
    return made


def _send(session, message, user_id, channel, items, day) -> int:
    row = outbox.row(message, channel, "pending", f"digest:{day}", user_id=user_id, address=items[-1].address)
    if outbox.known(session, [row.dedupe_key]):
        return 0  # today's digest went out already: these wait for tomorrow's
    session.add(row)
    session.flush()
    for item in items:
        item.state, item.digest_id = "digested", row.id
    return 1
