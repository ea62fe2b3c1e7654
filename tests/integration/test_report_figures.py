"""信息报告 figures read the 督办 engine and the 联席会议 of the grid (no number is typed by hand)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from gisgrid.reports import figures
from gisgrid.supervision.models import Meeting
from gisgrid.tracking.models import TrackedItem

NOV = (date(2026, 11, 1), date(2026, 11, 30))


def _duban(session, n, state, due, closed=None, chain=("A", "A1", "A1a")):
    session.add(TrackedItem(kind="duban", title=f"督办{n}", priority="regular", state=state, owner_grid_code=chain[-1],
                            chain=list(chain), watcher_grid_code="A", watcher_label="甲县", watcher_chain=["A"],
                            opened_on=date(2026, 11, 2), due=due, closed_at=closed))  # fmt: skip


def test_supervision_and_meeting_figures_of_a_grid_and_month(session, world_ab):
    _duban(session, 1, "accepted", date(2026, 11, 10), datetime(2026, 11, 9, 2, tzinfo=UTC))
    _duban(session, 2, "open", date(2026, 11, 20))  # overdue at the month's end
    _duban(session, 3, "open", date(2026, 12, 20))  # not yet due
    _duban(session, 4, "open", date(2026, 11, 20), chain=("A", "A2"))  # another grid
    meeting = Meeting(title="第四季度联席会议", held_on=date(2026, 11, 15), grid_code="A1", chain=["A", "A1"],
                      convenor="甲一镇")  # fmt: skip
    session.add(meeting)
    session.flush()
    session.add(TrackedItem(kind="decision", title="决定事项", priority="regular", state="open", owner_grid_code="A1",
                            chain=["A", "A1"], watcher_label="甲一镇", opened_on=date(2026, 11, 15),
                            due=date(2026, 12, 15), about_kind="meeting", about_id=str(meeting.id)))  # fmt: skip
    session.flush()
    f = figures.compute(session, "A1", *NOV)
    assert f["supervision"] == {"opened": 3, "closed": 1, "overdue": 1}
    assert f["meetings"] == {"held": 1, "decisions": 1}
    assert figures.compute(session, "A2", *NOV)["meetings"] == {"held": 0, "decisions": 0}
    assert "新开督办 3 件，验收办结 1 件，期末逾期未结 1 件" in figures.draft_text("甲一镇", "2026年11月", f)
