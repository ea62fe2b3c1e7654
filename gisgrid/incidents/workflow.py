"""The case state machine: every transition checks role, grid and department and writes an audit row.

reported → registered (立案) | rejected → dispatched (派遣) → in_progress (处置) → handled (反馈)
→ verified (监督员现场核实) → closed (结案) → evaluated (综合评价); rework sends handled/verified back
to in_progress. Transfers (移送) and joint sub-tasks (联合执法) are actions that keep the state.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid.auth import roles
from gisgrid.auth.models import Department
from gisgrid.clock import china_date
from gisgrid.db import unit_of_work
from gisgrid.deployment import Profile, from_env
from gisgrid.errors import Conflict, InvalidInput
from gisgrid.incidents import access, hooks, matrix, organiser, photos
from gisgrid.incidents.deadlines import add_working_days
from gisgrid.incidents.models import OUTCOMES, Incident, IncidentEvent, IncidentTask

D, S, L = roles.DISPATCHER, roles.GRID_STAFF, roles.GRID_LEADER

LABELS = {
    "register": "立案",
    "reject": "不予立案",
    "dispatch": "派遣",
    "start": "开始处置",
    "handle": "反馈处置结果",
    "verify": "现场核实通过",
    "rework": "返工",
    "close": "结案",
    "evaluate": "综合评价",
    "escalate": "超期督办",
    "report": "上报",
    "transfer": "移送",
    "transfer_accept": "接收移送",
    "transfer_return": "退回移送",
    "transfer_complete": "登记查处完成",
    "transfer_feedback": "反馈移送结果",
    "transfer_escalate": "移送反馈超期督办",
    "task_done": "完成联合执法子任务",
    "photo_publish": "照片公开设置",
    "reassign": "网格调整",
    "jurisdiction": "跨界管辖",
    "reopen": "群众反映未解决，重新处置",
}
STATE_LABELS = {
    "reported": "已上报",
    "rejected": "不予立案",
    "registered": "已立案",
    "dispatched": "已派遣",
    "in_progress": "处置中",
    "handled": "已反馈",
    "verified": "已核实",
    "closed": "已结案",
    "evaluated": "已评价",
}
# action → (states it may start from, state it leads to)
MOVES = {
    "register": (("reported",), "registered"),
    "reject": (("reported",), "rejected"),
    "dispatch": (("registered",), "dispatched"),
    "start": (("dispatched",), "in_progress"),
    "handle": (("in_progress",), "handled"),
    "verify": (("handled",), "verified"),
    "rework": (("handled", "verified"), "in_progress"),
    "close": (("verified",), "closed"),
    "evaluate": (("closed",), "evaluated"),
}
OPEN_STATES = ("reported", "registered", "dispatched", "in_progress", "handled", "verified")


def now() -> datetime:
    """The current time (UTC, timezone-aware)."""
    return datetime.now(UTC)


def audit(
    session: Session,
    incident: Incident,
    user,
    action: str,
    to_state: str,
    reason: str | None = None,
    from_state: str | None = None,
) -> None:
    """Append one audit row (same transaction as the change it records)."""
    # appended to the loaded collection so the response shows it without reloading
    incident.events.append(
        IncidentEvent(
            incident_id=incident.id,
            user_id=getattr(user, "id", None),
            actor=getattr(user, "display_name", None) or "公众/外部系统",
            action=action,
            from_state=from_state if from_state is not None else incident.state,
            to_state=to_state,
            reason=reason,
        )
    )
    hooks.emit(session, hooks.Step(incident, action, to_state, user, reason))


def required_text(params: dict, key: str, label: str) -> str:
    """The stripped text ``params[key]``, or InvalidInput naming ``label``."""
    value = str(params.get(key) or "").strip()
    if not value:
        raise InvalidInput(f"请填写{label} ({key} is required)")
    return value


def check_permission(user, incident: Incident, action: str) -> None:
    """Raise Forbidden unless ``user`` may perform the state move ``action`` on this case."""
    if action in ("register", "reject", "dispatch", "close"):
        access.require_grid_role(user, incident, (D,))
    elif action in ("start", "handle"):
        access.require_handler(user, incident, incident.department_codes)
    elif action == "verify":
        access.require_verifier(user, incident)
    elif action == "rework":
        access.require_grid_role(user, incident, (S, L, D))
    elif action == "evaluate":
        access.require_grid_role(user, incident, (D, L))


def transition(
    session: Session,
    user,
    incident: Incident,
    action: str,
    params: dict,
    upload: photos.Upload | None = None,
    profile: Profile | None = None,
) -> Incident:
    """Apply one state change after checking role, grid, department and the current state; commits.

    Photos sent with feedback (处置前/处置后) or verification are checked before anything changes and
    stored in the same all-or-nothing step.
    """
    with unit_of_work(session):
        if action not in MOVES:
            raise InvalidInput(f"未知操作 {action!r} (unknown action)")
        sources, target = MOVES[action]
        check_permission(user, incident, action)
        if incident.state not in sources:
            raise Conflict(
                f"案件当前状态为“{STATE_LABELS[incident.state]}”，不能{LABELS[action]} "
                f"(cannot {action} from {incident.state})"
            )
        checked = photos.check_for(action, upload)
        reason = _apply(session, incident, action, params, profile or from_env())
        if checked:
            reason = f"{reason or ''}（附照片 {len(checked)} 张）"
        audit(session, incident, user, action, target, reason)
        incident.state = target
        photos.save_all(session, incident, checked, upload.media_dir if upload else "", getattr(user, "id", None))
    return incident


def _apply(session: Session, incident: Incident, action: str, params: dict, profile: Profile) -> str | None:
    """Side effects of ``action``; returns the reason for the audit row."""
    stamp = now()
    if action == "register":
        incident.registered_at = stamp
    elif action == "reject":
        return required_text(params, "reason", "不予立案的理由")
    elif action == "dispatch":
        return _dispatch(session, incident, params, stamp, profile)
    elif action == "handle":
        return _handle(incident, params, stamp)
    elif action == "rework":
        incident.rework_count += 1
        return required_text(params, "reason", "返工理由")
    elif action == "close":
        return _close(incident, params, stamp)
    elif action == "evaluate":
        return _evaluate(incident, params)
    return str(params.get("reason") or "").strip() or None


def _dispatch(session: Session, incident: Incident, params: dict, stamp: datetime, profile: Profile) -> str:
    cat = matrix.category(session, incident.category_code)
    depts = params.get("departments") or []
    if isinstance(depts, str):
        depts = depts.replace(",", "|").split("|")
    if not isinstance(depts, list):
        raise InvalidInput("departments 应为部门代码列表 (departments must be a list of codes)")
    # a blank form field means "as the duty matrix says"
    chosen = list(dict.fromkeys(str(d).strip() for d in depts if str(d).strip()))
    incident.department_codes = chosen or list(cat.department_codes)
    require_departments(session, incident.department_codes)
    incident.deadline = add_working_days(china_date(stamp), cat.deadline_days)
    incident.dispatched_at = stamp
    if len(incident.department_codes) > 1:
        incident.organiser = organiser.organiser(session, incident, profile)
        incident.tasks.extend(
            IncidentTask(incident_id=incident.id, department_code=d) for d in incident.department_codes
        )
    return f"派遣至 {'、'.join(incident.department_codes)}，期限 {incident.deadline.isoformat()}"


def require_departments(session: Session, codes: list[str]) -> None:
    """Raise InvalidInput unless every code is a known department."""
    known = set(session.scalars(select(Department.code).where(Department.code.in_(codes))))
    unknown = [c for c in codes if c not in known]
    if not codes or unknown:
        raise InvalidInput(f"未知部门 {', '.join(unknown) or '（空）'} (unknown department)")


def _handle(incident: Incident, params: dict, stamp: datetime) -> str:
    open_tasks = [t.department_code for t in incident.tasks if not t.done]
    if open_tasks:
        raise Conflict(f"联合执法子任务未完成：{'、'.join(open_tasks)} (joint sub-tasks still open)")
    incident.result = required_text(params, "result", "处置结果")
    incident.handled_at = stamp
    return incident.result


def _close(incident: Incident, params: dict, stamp: datetime) -> str:
    # 结案 records what was achieved: 已解决 / 部分解决 / 未解决 (with its reason), so fix rates are honest
    outcome = str(params.get("outcome") or "").strip()
    if outcome not in OUTCOMES:
        raise InvalidInput(
            f"outcome: 请选择结案结果（{'、'.join(OUTCOMES.values())}）(outcome must be one of {', '.join(OUTCOMES)})",
            {"outcome": ["required"]},
        )
    reason = str(params.get("outcome_reason") or params.get("reason") or "").strip() or None
    if outcome == "unresolved" and reason is None:
        raise InvalidInput("outcome_reason: 未解决须说明原因 (a reason is required)", {"outcome_reason": ["required"]})
    incident.outcome, incident.outcome_reason, incident.closed_at = outcome, reason, stamp
    return f"结案：{OUTCOMES[outcome]}" + (f"（{reason}）" if reason else "")


def _evaluate(incident: Incident, params: dict) -> str | None:
    try:
        score = int(params.get("score"))
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise InvalidInput("评分须为 1–5 (score must be 1..5)")
    incident.score = score
    return str(params.get("reason") or "").strip() or f"评分 {score}"


def is_overdue(incident: Incident, today: date) -> bool:
    """Open, dispatched and past its deadline."""
    return (
        incident.deadline is not None and incident.state in ("dispatched", "in_progress") and incident.deadline < today
    )
