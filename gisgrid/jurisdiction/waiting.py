"""What waits for a user in cross-boundary jurisdiction, for the 待办 list: open disputes to designate.

A dispute is designated by a grid leader of the parties' common superior grid or of a grid above it
(``access.require_designator``); one without a common superior grid waits for an admin.
"""

from __future__ import annotations

from sqlalchemy import and_, any_, exists, false, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from gisgrid.auth import roles
from gisgrid.auth.service import sees_all
from gisgrid.grids.models import Grid
from gisgrid.inbox.registry import Entry, register
from gisgrid.jurisdiction.access import DESIGNATORS
from gisgrid.jurisdiction.models import JurisdictionDispute, PollutionEvent


def _mine(user):
    """WHERE: the open disputes ``user`` may designate (the deciding grid is theirs or lies below theirs)."""
    if sees_all(user):
        return true()
    if user.role not in DESIGNATORS or not user.grid_codes:
        return false()
    codes = sorted(user.grid_codes)
    deciding, above = aliased(Grid), aliased(Grid)
    grid_of_dispute = and_(
        deciding.version_id == PollutionEvent.version_id, deciding.code == JurisdictionDispute.deciding_code
    )
    below_mine = exists().where(above.id == any_(deciding.ancestor_ids), above.code.in_(codes))
    return exists().where(grid_of_dispute, or_(deciding.code.in_(codes), below_mine))


def _stmt(user, *columns):
    return (
        select(*columns)
        .select_from(JurisdictionDispute)
        .join(PollutionEvent, PollutionEvent.id == JurisdictionDispute.event_id)
        .where(JurisdictionDispute.state == "open", _mine(user))
    )


def disputes(session: Session, user) -> list[Entry]:
    """Open disputes (争议) waiting for the user's designation (指定管辖)."""
    rows = session.execute(_stmt(user, JurisdictionDispute, PollutionEvent).order_by(JurisdictionDispute.id))
    return [
        Entry(
            kind="dispute",
            title=f"指定管辖 · {event.title}（争议方 {'、'.join(d.parties)}）",
            url=f"/jurisdiction/events/{event.id}",
            due=None,
            overdue=False,
            urgency=1,
        )
        for d, event in rows
    ]


def count_disputes(session: Session, user) -> int:
    """How many open disputes wait for the user's designation (one query)."""
    if user.role == roles.PUBLIC:
        return 0
    return session.scalar(_stmt(user, func.count()))


register("disputes", disputes, count_disputes)
