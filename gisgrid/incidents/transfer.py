"""移送 (transfer to the unit with jurisdiction), 联合执法 sub-tasks and 督办 (escalation of overdue cases)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid.auth import capabilities, roles
from gisgrid.clock import china_date
from gisgrid.db import unit_of_work
from gisgrid.errors import Conflict, InvalidInput, NotFound
from gisgrid.incidents import access, queries
from gisgrid.incidents.deadlines import TRANSFER_FEEDBACK_DAYS, add_working_days
from gisgrid.incidents.models import Incident, IncidentTransfer
from gisgrid.incidents.workflow import audit, now, require_departments, required_text

TRANSFERABLE = ("registered", "dispatched", "in_progress")


def _pick(items, item_id, what: str):
    try:
        wanted = int(item_id)
    except (TypeError, ValueError):
        raise InvalidInput(f"缺少{what}编号 (id required)") from None
    for item in items:
        if item.id == wanted:
            return item
    raise NotFound(f"{what} {wanted} 不存在 (no such {what})")


def transfer(session: Session, user, incident: Incident, params: dict) -> Incident:
    """Send the case to another unit (公安, 纪检监察, 司法, ...) with a reason; one pending transfer at a time."""
    capabilities.require(user, "transfer_case")
    with unit_of_work(session):
        if user.role != roles.DISPATCHER:
            access.require_handler(user, incident, incident.department_codes)
        else:
            access.require_grid_role(user, incident, (roles.DISPATCHER,))
        if incident.state not in TRANSFERABLE:
            raise Conflict("案件当前状态不能移送 (cannot transfer in this state)")
        if any(t.state == "pending" for t in incident.transfers):
            raise Conflict("已有待接收的移送 (a transfer is already pending)")
        target = required_text(params, "to_department", "移送单位")
        require_departments(session, [target])
        source = user.department_code if user.role == roles.HANDLER else None
        reason = required_text(params, "reason", "移送理由")
        incident.transfers.append(
            IncidentTransfer(
                incident_id=incident.id, from_department=source, to_department=target, reason=reason, state="pending"
            )
        )
        audit(session, incident, user, "transfer", incident.state, f"移送至 {target}：{reason}")
    return incident


def answer_transfer(session: Session, user, incident: Incident, params: dict, accept: bool) -> Incident:
    """The receiving unit accepts (takes over, feedback due in 15 working days) or returns it with a reason."""
    with unit_of_work(session):
        item = _pick(incident.transfers, params.get("transfer_id"), "移送")
        access.require_handler(user, incident, [item.to_department])
        if item.state != "pending":
            raise Conflict("该移送已处理 (transfer already answered)")
        item.answered_at = now()
        if accept:
            item.state, item.answer = "accepted", str(params.get("reason") or "").strip() or None
            item.feedback_due = add_working_days(china_date(item.answered_at), TRANSFER_FEEDBACK_DAYS)
            kept = [d for d in incident.department_codes if d != item.from_department]
            incident.department_codes = list(dict.fromkeys(kept + [item.to_department]))
            note = f"{item.to_department} 接收移送，反馈期限 {item.feedback_due.isoformat()}"
        else:
            item.state, item.answer = "returned", required_text(params, "reason", "退回理由")
            note = f"{item.to_department} 退回移送：{item.answer}"
        audit(session, incident, user, "transfer_accept" if accept else "transfer_return", incident.state, note)
    return incident


def transfer_feedback(session: Session, user, incident: Incident, params: dict) -> Incident:
    """The receiving unit reports its result back to the transferring unit."""
    with unit_of_work(session):
        item = _pick(incident.transfers, params.get("transfer_id"), "移送")
        access.require_handler(user, incident, [item.to_department])
        if item.state != "accepted":
            raise Conflict("只有已接收的移送可以反馈 (only accepted transfers take feedback)")
        item.feedback, item.feedback_at, item.state = required_text(params, "feedback", "反馈内容"), now(), "fed_back"
        audit(session, incident, user, "transfer_feedback", incident.state, item.feedback)
    return incident


def task_done(session: Session, user, incident: Incident, params: dict) -> Incident:
    """A department finishes its sub-task of a joint case."""
    with unit_of_work(session):
        task = _pick(incident.tasks, params.get("task_id"), "子任务")
        access.require_handler(user, incident, [task.department_code])
        if incident.state != "in_progress" or task.done:
            raise Conflict("子任务只能在处置中且未完成时提交 (task not open)")
        task.done, task.result, task.done_at = True, required_text(params, "result", "子任务处置结果"), now()
        audit(session, incident, user, "task_done", incident.state, f"{task.department_code}：{task.result}")
    return incident


def escalate_overdue(session: Session, today: date, user=None) -> list[Incident]:
    """Flag dispatched cases past their deadline and escalate each once to its parent grid (督办); commits.

    With ``user`` (a run started from the case list) only the cases in that user's scope, audited as theirs.
    """
    with unit_of_work(session):
        stmt = (
            select(Incident)
            .where(
                Incident.state.in_(("dispatched", "in_progress")),
                Incident.deadline < today,
                Incident.escalated_at.is_(None),
            )
            .order_by(Incident.id)
        )
        if user is not None:
            stmt = stmt.where(queries.scope_filter(user))
        rows = session.scalars(stmt)
        escalated = []
        for incident in rows:
            chain = incident.grid_codes
            incident.escalated_to = chain[-2] if len(chain) > 1 else chain[0]
            incident.escalated_at = now()
            audit(
                session,
                incident,
                user,
                "escalate",
                incident.state,
                f"超过期限 {incident.deadline.isoformat()}，督办至上级网格 {incident.escalated_to}",
            )
            escalated.append(incident)
    return escalated
