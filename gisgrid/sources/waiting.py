"""What waits for a user among pollution sources, for the 待办 list: inspections due, overdue, never done."""

from __future__ import annotations

from sqlalchemy.orm import Session

from gisgrid.auth import capabilities
from gisgrid.auth.service import sees_all
from gisgrid.inbox.registry import Entry, register
from gisgrid.sources import inspections, queries, rules

# status → (label, urgency); a source never inspected and not yet due still waits, least urgently
_LABELS = {"overdue": ("逾期未检查", 1), "due_soon": ("即将到期检查", 2), "never": ("从未检查", 3)}


def _status(row: dict) -> str | None:
    if row["status"] in ("overdue", "due_soon"):
        return row["status"]
    return "never" if row["inspections"] == 0 else None


def _rows(session: Session, user) -> list[tuple[str, dict]]:
    """(status, row) of the sources in the user's grids that wait for an inspection (one query)."""
    if not capabilities.can(user, "inspect_sources"):
        return []
    rows = ((_status(r), r) for r in inspections.due_list(session, user))
    return [(status, r) for status, r in rows if status]


def inspections_due(session: Session, user) -> list[Entry]:
    """Sources in my grids whose inspection is overdue, due soon, or that were never inspected."""
    out = []
    for status, r in _rows(session, user):
        label, urgency = _LABELS[status]
        out.append(
            Entry(
                kind="inspection",
                title=f"{label} · {r['name']}（{r['supervision_class']}类，{r['code']}）",
                url=f"/sources/{r['id']}",
                due=r["due_on"],
                overdue=status == "overdue",
                urgency=urgency,
            )
        )
    return out


def count_inspections_due(session: Session, user) -> int:
    """How many sources wait for an inspection by ``user``: one count over the sources of the user's grids."""
    if not capabilities.can(user, "inspect_sources"):
        return 0
    codes = None if sees_all(user) else sorted(user.grid_codes)
    return queries.waiting_count(session, codes, rules.today_in_china(), rules.DUE_SOON_DAYS)


register("inspections", inspections_due, count_inspections_due)
