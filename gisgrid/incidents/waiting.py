"""What waits for a user in the case workflow, for the 待办 list (gisgrid.inbox): steps and transfers.

The SQL here mirrors the permission checks of ``workflow.check_permission`` and ``transfer``: a case is
listed for a user exactly when that user may take its next step (tests/integration/test_inbox.py
checks every listed case against ``check_permission``). Each state has one next step.
"""

from __future__ import annotations

from sqlalchemy import and_, any_, exists, false, func, or_, select, true
from sqlalchemy.orm import Session

from gisgrid.auth import roles
from gisgrid.auth.models import User
from gisgrid.clock import today_in_china
from gisgrid.inbox.registry import Entry, register
from gisgrid.incidents.models import Incident, IncidentTransfer
from gisgrid.incidents.workflow import LABELS, is_overdue

LIMIT = 500  # an admin's list is the whole platform: the page shows the most urgent, the count stays exact
# state → (the step that moves it on, urgency: lower is more urgent)
NEXT = {
    "reported": ("register", 2),
    "registered": ("dispatch", 2),
    "dispatched": ("start", 1),
    "in_progress": ("handle", 1),
    "handled": ("verify", 2),
    "verified": ("close", 3),
}


def _in_grids(user):
    codes = sorted(user.grid_codes)
    return or_(Incident.grid_codes.overlap(codes), Incident.unit_grid_codes.overlap(codes))


def _reporter_gone():
    active = exists().where(User.id == Incident.reporter_user_id, User.active.is_(True))
    return ~active


def _verify_clause(user):
    """access.require_verifier: the patrol reporter, else a grid leader; other channels: grid staff of the grid."""
    patrol = Incident.channel == "patrol"
    own = and_(patrol, Incident.reporter_user_id == user.id)
    if user.role == roles.GRID_LEADER:
        return or_(own, and_(patrol, _reporter_gone(), _in_grids(user)))
    if user.role == roles.GRID_STAFF:
        return or_(own, and_(~patrol, _in_grids(user)))
    return own


def step_clause(user):
    """WHERE: the open cases whose next step ``user`` may take."""
    if user.role == roles.ADMIN:
        return Incident.state.in_(NEXT)
    clauses = [and_(Incident.state == "handled", _verify_clause(user))]
    if user.role == roles.DISPATCHER:
        clauses.append(and_(Incident.state.in_(("reported", "registered", "verified")), _in_grids(user)))
    if user.role == roles.HANDLER and user.department_code:
        mine = user.department_code == any_(Incident.department_codes)
        scoped = _in_grids(user) if user.grid_codes else true()
        clauses.append(and_(Incident.state.in_(("dispatched", "in_progress")), mine, scoped))
    return or_(*clauses)


def _title(action: str, incident: Incident) -> str:
    text = incident.description if len(incident.description) <= 30 else incident.description[:30] + "…"
    return f"{LABELS[action]} · 案件 {incident.id}（{incident.category.name}）：{text}"


def case_steps(session: Session, user) -> list[Entry]:
    """Cases to register, dispatch, handle, verify or close."""
    today = today_in_china()
    stmt = select(Incident).where(step_clause(user)).order_by(Incident.id).limit(LIMIT)
    out = []
    for incident in session.scalars(stmt):
        action, urgency = NEXT[incident.state]
        timed = action in ("start", "handle")
        out.append(
            Entry(
                kind=f"case_{action}",
                title=_title(action, incident),
                url=f"/incidents/{incident.id}",
                due=incident.deadline if timed else None,
                overdue=is_overdue(incident, today),
                urgency=urgency,
            )
        )
    return out


def count_case_steps(session: Session, user) -> int:
    """How many cases wait for ``user``'s next step (one query)."""
    return session.scalar(select(func.count()).select_from(Incident).where(step_clause(user)))


def transfer_clause(user):
    """WHERE: transfers the user's department must accept/return, record 查处完成 for, or report back on."""
    waiting = IncidentTransfer.state.in_(("pending", "accepted"))
    if user.role == roles.ADMIN:
        return waiting
    if user.role != roles.HANDLER or not user.department_code:
        return false()
    scoped = _in_grids(user) if user.grid_codes else true()
    return and_(waiting, IncidentTransfer.to_department == user.department_code, scoped)


def _transfer_entry(item: IncidentTransfer, incident: Incident, today) -> Entry:
    if item.state == "pending":
        label, due, urgency = "接收或退回移送", None, 1
    elif item.completed_on is None:
        label, due, urgency = "登记查处完成", None, 2
    else:
        label, due, urgency = "反馈移送结果", item.feedback_due, 1
    return Entry(
        kind="transfer",
        title=f"{label} · 案件 {incident.id}（{incident.category.name}）：{item.reason[:30]}",
        url=f"/incidents/{incident.id}",
        due=due,
        overdue=due is not None and due < today,
        urgency=urgency,
    )


def transfers(session: Session, user) -> list[Entry]:
    """Transfers (移送) to accept or return, to record as completed, or whose feedback is due."""
    today = today_in_china()
    stmt = (
        select(IncidentTransfer, Incident)
        .join(Incident, Incident.id == IncidentTransfer.incident_id)
        .where(transfer_clause(user))
        .order_by(IncidentTransfer.id)
        .limit(LIMIT)
    )
    return [_transfer_entry(item, incident, today) for item, incident in session.execute(stmt)]


def count_transfers(session: Session, user) -> int:
    """How many transfers wait for ``user``'s department (one query)."""
    stmt = (
        select(func.count())
        .select_from(IncidentTransfer)
        .join(Incident, Incident.id == IncidentTransfer.incident_id)
        .where(transfer_clause(user))
    )
    return session.scalar(stmt)


register("cases", case_steps, count_case_steps)
register("transfers", transfers, count_transfers)
