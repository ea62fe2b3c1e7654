"""The engine's place rules as values: default deadlines per priority and the escalation step (config)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from gisgrid.errors import InvalidInput
from gisgrid.incidents.deadlines import add_working_days

PRIORITY_LABELS = {"full": "全程督办", "rapid": "迅速督办", "regular": "定期督办"}
STATE_LABELS = {
    "open": "待办理",
    "in_progress": "办理中",
    "reported_done": "已报结",
    "accepted": "已验收",
    "sent_back": "已退回",
}
DEFAULT_DUE_DAYS = {"full": 15, "rapid": 3, "regular": 10}


@dataclass(frozen=True)
class Rules:
    """Working days to the default deadline per priority, and between two escalation deadlines."""

    step_days: int = 5
    due_days: dict = field(default_factory=lambda: dict(DEFAULT_DUE_DAYS))

    def due_for(self, opened_on: date, priority: str) -> date:
        """The default deadline of an item opened on ``opened_on`` with ``priority`` (working days)."""
        return add_working_days(opened_on, self.due_days[priority])


def from_config(config) -> Rules:
    """Rules from the app config (TRACKING_ESCALATION_STEP_DAYS, TRACKING_DUE_DAYS ``prio:days,…``)."""
    step = int(config.get("TRACKING_ESCALATION_STEP_DAYS", 5))
    if step < 1:
        raise ValueError("TRACKING_ESCALATION_STEP_DAYS must be >= 1")
    days = dict(DEFAULT_DUE_DAYS)
    for pair in config.get("TRACKING_DUE_DAYS", ()):
        name, _, value = pair.partition(":")
        if name not in PRIORITY_LABELS or not value.isdigit() or int(value) < 1:
            raise ValueError(f"TRACKING_DUE_DAYS: {pair!r} is not <full|rapid|regular>:<days >= 1>")
        days[name] = int(value)
    return Rules(step, days)


def deadlines_passed(due: date, today: date, step: int, cap: int) -> list[date]:
    """The escalation deadlines before ``today``: ``due``, then every ``step`` working days, at most ``cap``.

    The k-th deadline passed means escalation level k (1 = the owner's parent grid)."""
    passed, current = [], due
    while current < today and len(passed) < cap:
        passed.append(current)
        current = add_working_days(current, step)
    return passed


def check_priority(priority: str) -> str:
    """``priority`` if known, else a 400 naming the field."""
    if priority not in PRIORITY_LABELS:
        raise InvalidInput(f"priority: 须为 {'/'.join(PRIORITY_LABELS)} 之一 (unknown priority {priority!r})")
    return priority
