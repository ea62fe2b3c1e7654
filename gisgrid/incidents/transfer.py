"""移送 (transfer to the unit with jurisdiction), 联合执法 sub-tasks and 督办 (escalation of overdue cases)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid.auth import capabilities, roles
from gisgrid.clock import china_date
from gisgrid.db import unit_of_work
from gisgrid.errors import Conflict, DomainError, InvalidInput, NotFound
from gisgrid.incidents import access, queries
from gisgrid.incidents.deadlines import TRANSFER_FEEDBACK_DAYS, add_working_days
from gisgrid.incidents.models import Incident, IncidentTransfer
from gisgrid.incidents.workflow import audit, now, require_departments, required_text
from gisgrid.web import parse_day

TRANSFERABLE = ("registered", "dispatched", "in_progress")


@dataclass(frozen=True)
class Kind:
    """A transfer route of 站前区 移送制度: its name, the unit it goes to (a department code) and its wording."""

    label: str
    target: str | None  # None: any department with jurisdiction (第一条)
    wording: str


# 站前区 移送制度 第一、二条. Target codes are departments every deployment profile lists (zhengfu, gongan,
# jijian, sifa: gisgrid/deployment/profiles/*.toml). The route's wording is shown on the form and kept in the history.
KINDS = {
    "department": Kind("移送有管辖权的责任单位", None, "不属于本单位管辖的涉嫌环境违法案件，移送有管辖权的责任单位"),
    "government": Kind(
        "提出处理建议报本级人民政府",
        "zhengfu",
        "涉嫌违法依法应当由人民政府实施责令停产整顿、责令停业、关闭的案件，立案调查并提出处理建议报本级人民政府",
    ),
    "police": Kind("移送公安机关", "gongan", "涉嫌违法依法应当实施行政拘留的案件，移送公安机关"),
    "discipline": Kind("移送纪检、监察部门", "jijian", "涉嫌违反党纪、政纪的案件，移送纪检、监察部门"),
    "judicial": Kind("移送司法机关", "sifa", "涉嫌犯罪的案件，按照有关规定移送司法机关，不得以行政处罚代替刑事处罚"),
}


def _kind(params: dict) -> tuple[str, Kind]:
    name = str(params.get("kind") or "department").strip()
    if name not in KINDS:
        raise InvalidInput(f"kind: 移送类型应为 {'、'.join(KINDS)} 之一 (unknown transfer kind {name!r})")
    return name, KINDS[name]


def _pick(items, item_id, what: str):
    try:
        wanted = int(item_id)
    except (TypeError, ValueError):
        raise InvalidInput(f"缺少{what}编号 (id required)") from None
    for item in items:
        if item.id == wanted:
            return item
    raise NotFound(f"{what} {wanted} 不存在 (no such {what})")


def _check_transferable(user, incident: Incident) -> None:
    if user.role != roles.DISPATCHER:
        access.require_handler(user, incident, incident.department_codes)
    else:
        access.require_grid_role(user, incident, (roles.DISPATCHER,))
    if incident.state not in TRANSFERABLE:
        raise Conflict("案件当前状态不能移送 (cannot transfer in this state)")
    if any(t.state == "pending" for t in incident.transfers):
        raise Conflict("已有待接收的移送 (a transfer is already pending)")


def may_transfer(user, incident: Incident) -> bool:
    """True when the user could transfer the case now (the sending unit that only reads it cannot)."""
    try:
        capabilities.require(user, "transfer_case")
        _check_transferable(user, incident)
    except DomainError:
        return False
    return True


def transfer(session: Session, user, incident: Incident, params: dict) -> Incident:
    """Send the case to another unit (公安, 纪检监察, 司法, ...) with a reason; one pending transfer at a time."""
    capabilities.require(user, "transfer_case")
    with unit_of_work(session):
        _check_transferable(user, incident)
        kind_name, kind = _kind(params)
        target = kind.target if kind.target and not params.get("to_department") else None
        target = target or required_text(params, "to_department", "移送单位")
        require_departments(session, [target])
        source = user.department_code if user.role == roles.HANDLER else None
        reason = required_text(params, "reason", "处理建议" if kind_name == "government" else "移送理由")
        copies = [p.id for p in incident.photos]  # 第三条: the case file's copies go with it
        incident.transfers.append(
            IncidentTransfer(
                incident_id=incident.id,
                from_department=source,
                to_department=target,
                reason=reason,
                state="pending",
                kind=kind_name,
                file_photo_ids=copies,
            )
        )
        note = f"{kind.label}（{kind.wording}）：移送至 {target}：{reason}；随附案卷材料副本 {len(copies)} 件"
        audit(session, incident, user, "transfer", incident.state, note)
    return incident


def answer_transfer(session: Session, user, incident: Incident, params: dict, accept: bool) -> Incident:
    """The receiving unit accepts (takes over; feedback due after 查处完成) or returns it with a reason (kept)."""
    with unit_of_work(session):
        item = _pick(incident.transfers, params.get("transfer_id"), "移送")
        access.require_handler(user, incident, [item.to_department])
        if item.state != "pending":
            raise Conflict("该移送已处理 (transfer already answered)")
        item.answered_at = now()
        if accept:
            item.state, item.answer = "accepted", str(params.get("reason") or "").strip() or None
            kept = [d for d in incident.department_codes if d != item.from_department]
            incident.department_codes = list(dict.fromkeys(kept + [item.to_department]))
            # 第四条: the fifteen working days run from 查处完成, recorded later, not from acceptance
            note = f"{item.to_department} 接收移送，查处完成后 {TRANSFER_FEEDBACK_DAYS} 个工作日内反馈"
        else:
            item.state, item.answer = "returned", required_text(params, "reason", "退回理由")
            note = f"{item.to_department} 退回移送：{item.answer}"
        audit(session, incident, user, "transfer_accept" if accept else "transfer_return", incident.state, note)
    return incident


def transfer_complete(session: Session, user, incident: Incident, params: dict) -> Incident:
    """The receiving unit records 查处完成 with its date; feedback is due 15 working days after that date."""
    with unit_of_work(session):
        item = _pick(incident.transfers, params.get("transfer_id"), "移送")
        access.require_handler(user, incident, [item.to_department])
        if item.state != "accepted" or item.completed_on is not None:
            raise Conflict("只有已接收且尚未登记查处完成的移送可以登记 (transfer not accepted or already completed)")
        day = parse_day(params.get("completed_on"), "completed_on") or china_date(now())
        if day > china_date(now()) or day < china_date(item.answered_at):
            raise InvalidInput("completed_on: 查处完成日期不能早于接收日期，也不能晚于今天 (date out of range)")
        item.completed_on, item.completed_note = day, str(params.get("reason") or "").strip() or None
        item.feedback_due = add_working_days(day, TRANSFER_FEEDBACK_DAYS)
        note = f"{item.to_department} 查处完成（{day.isoformat()}），反馈期限 {item.feedback_due.isoformat()}"
        audit(session, incident, user, "transfer_complete", incident.state, note)
    return incident


def transfer_feedback(session: Session, user, incident: Incident, params: dict) -> Incident:
    """The receiving unit reports its result back to the transferring unit (after recording 查处完成)."""
    with unit_of_work(session):
        item = _pick(incident.transfers, params.get("transfer_id"), "移送")
        access.require_handler(user, incident, [item.to_department])
        if item.state != "accepted":
            raise Conflict("只有已接收的移送可以反馈 (only accepted transfers take feedback)")
        if item.completed_on is None:
            raise Conflict("请先登记查处完成及其日期 (record 查处完成 first)")
        item.feedback, item.feedback_at, item.state = required_text(params, "feedback", "反馈内容"), now(), "fed_back"
        late = china_date(item.feedback_at) > item.feedback_due
        audit(
            session, incident, user, "transfer_feedback", incident.state, ("逾期反馈：" if late else "") + item.feedback
        )
    return incident


def feedback_status(item: IncidentTransfer, today: date) -> str | None:
    """'overdue' (no feedback, past due), 'late' (fed back after the due day), 'ok', or None (no due day yet)."""
    if item.feedback_due is None:
        return None
    if item.state == "accepted":
        return "overdue" if item.feedback_due < today else "ok"
    if item.feedback_at is not None and china_date(item.feedback_at) > item.feedback_due:
        return "late"
    return "ok"


def as_json(item: IncidentTransfer, today: date) -> dict:
    """A transfer as the case detail shows it to both sides: route, answer, 查处完成, due day, status, file."""
    kind = KINDS.get(item.kind, KINDS["department"])
    status = feedback_status(item, today)
    return {
        "id": item.id,
        "kind": item.kind,
        "kind_label": kind.label,
        "wording": kind.wording,
        "from": item.from_department,
        "to": item.to_department,
        "reason": item.reason,
        "state": item.state,
        "answer": item.answer,
        "completed_on": item.completed_on and item.completed_on.isoformat(),
        "feedback_due": item.feedback_due and item.feedback_due.isoformat(),
        "feedback_overdue": status == "overdue",
        "feedback_status": status,
        "feedback": item.feedback,
        "escalated_to": item.escalated_to,
        "file": [f"/incidents/photos/{pid}" for pid in item.file_photo_ids],
    }


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
    """Escalate each overdue case and each overdue transfer feedback once to the parent grid (督办); commits.

    A case is overdue when dispatched or in progress past its deadline; a transfer when accepted and its
    feedback (15 working days after 查处完成, 站前区 第四条) is past due. With ``user`` (a run started from
    the case list) only the cases in that user's scope, audited as theirs.
    """
    with unit_of_work(session):
        escalated = _escalate_cases(session, today, user)
        for incident in _escalate_transfers(session, today, user):
            if incident not in escalated:
                escalated.append(incident)
    return escalated


def _parent(incident: Incident) -> str:
    chain = incident.grid_codes
    return chain[-2] if len(chain) > 1 else chain[0]


def _escalate_cases(session: Session, today: date, user) -> list[Incident]:
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
    escalated = []
    for incident in session.scalars(stmt):
        incident.escalated_to, incident.escalated_at = _parent(incident), now()
        note = f"超过期限 {incident.deadline.isoformat()}，督办至上级网格 {incident.escalated_to}"
        audit(session, incident, user, "escalate", incident.state, note)
        escalated.append(incident)
    return escalated


def _escalate_transfers(session: Session, today: date, user) -> list[Incident]:
    stmt = (
        select(IncidentTransfer)
        .join(Incident, Incident.id == IncidentTransfer.incident_id)
        .where(
            IncidentTransfer.state == "accepted",
            IncidentTransfer.feedback_due < today,
            IncidentTransfer.escalated_at.is_(None),
        )
        .order_by(IncidentTransfer.id)
    )
    if user is not None:
        stmt = stmt.where(queries.scope_filter(user))
    touched = []
    for item in list(session.scalars(stmt)):
        incident = session.get(Incident, item.incident_id)
        item.escalated_to, item.escalated_at = _parent(incident), now()
        note = (
            f"移送 {item.id}（{item.to_department}）反馈超过期限 {item.feedback_due.isoformat()}，"
            f"督办至上级网格 {item.escalated_to}"
        )
        audit(session, incident, user, "transfer_escalate", incident.state, note)
        touched.append(incident)
    return touched
