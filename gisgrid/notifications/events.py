"""Case steps → notifications: which event a step is, who hears of it, and what they read.

Registered on ``gisgrid.incidents.hooks`` by ``install()``; runs inside the step's unit of work, so
the outbox rows commit (or roll back) with the step.
"""

from __future__ import annotations

from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from gisgrid import config as settings
from gisgrid.incidents import citizen, hooks, workflow
from gisgrid.incidents.models import OUTCOMES
from gisgrid.notifications import outbox, recipients

EVENTS = {
    "dispatched": "案件派遣给您",
    "transfer_received": "收到移送案件",
    "due_soon": "案件将于 1 个工作日内到期",
    "overdue": "案件已超期",
    "escalated": "超期案件督办至您",
    "verify_requested": "请现场核实处置结果",
    "closed": "案件已结案",
    "reopened": "举报人反馈没有解决，案件重新处置",
    "status": "您反映的问题有新进展",
    "digest": "每日通知汇总",
    # tracked items (督办, decisions, rectifications): written by tracking_events.py
    "tracking_opened": "督办事项交您办理",
    "tracking_escalated": "超期督办事项升级至您",
    "tracking_overdue": "您的督办事项已超期",
    "tracking_reported_done": "督办事项已报结，请验收",
    "tracking_sent_back": "督办事项被退回重办",
}
# steps a citizen who left an e-mail or mobile number hears about
CITIZEN_STEPS = ("register", "reject", "dispatch", "handle", "close", "reopen")


def config() -> dict:
    """The running app's settings (the worker and the CLI run inside an app context too)."""
    return current_app.config if has_app_context() else settings.from_env()


def staff_message(kind: str, incident) -> outbox.Message:
    """The text staff get: event, case number, category, description, deadline and a link to the case."""
    label = EVENTS[kind]
    deadline = incident.deadline.isoformat() if incident.deadline else "—"
    body = (
        f"{label}：案件 {incident.id}（{incident.category.name}）{incident.description[:80]}。"
        f"期限：{deadline}。详情：{config()['PUBLIC_URL']}/incidents/{incident.id}"
    )
    params = {"case": str(incident.id), "event": label, "deadline": deadline}
    return outbox.Message(kind, incident.id, f"【网格化环境监管】{label}（案件 {incident.id}）", body, params)


def citizen_message(incident, step: hooks.Step) -> outbox.Message:
    """The status update a reporter gets; a closing carries its outcome and the 没有解决 reply link."""
    cfg = config()
    state = workflow.STATE_LABELS[step.to_state]
    link = f"{cfg['PUBLIC_URL']}/report/status?id={incident.id}"
    text = (
        f"您反映的问题（案件 {incident.id}）进展：{workflow.LABELS.get(step.action, step.action)}，当前状态：{state}。"
    )
    params = {"case": str(incident.id), "state": state}
    if step.action == "close":
        link += f"&t={citizen.token(cfg['SECRET_KEY'], incident)}"
        params["code"] = citizen.code(cfg["SECRET_KEY"], incident)
        text += (
            f"结案结果：{OUTCOMES.get(incident.outcome, '')}。如问题没有解决，{cfg['REOPEN_DAYS']} 天内可通过链接反馈，"
            f"或在办理进度查询页输入案件编号和反馈码 {params['code']}。"
        )
    if step.action == "reject" and step.reason:
        text += f"理由：{step.reason}。"
    params["link"] = link
    return outbox.Message(
        "status", incident.id, f"【网格化环境监管】案件 {incident.id} {state}", f"{text}{link}", params
    )


def _staff_recipients(session: Session, step: hooks.Step) -> tuple[str, list] | None:
    incident, action = step.incident, step.action
    if action == "dispatch":
        return "dispatched", recipients.handlers(session, incident, incident.department_codes)
    if action == "transfer":
        pending = [t.to_department for t in incident.transfers if t.state == "pending"]
        return "transfer_received", recipients.handlers(session, incident, pending)
    if action in ("escalate", "transfer_escalate"):
        target = incident.escalated_to or next((t.escalated_to for t in incident.transfers if t.escalated_to), None)
        return "escalated", recipients.escalated_to(session, incident, target)
    if action == "handle":
        return "verify_requested", recipients.verifiers(session, incident)
    if action == "close":
        return "closed", recipients.handlers(session, incident, incident.department_codes)
    if action == "reopen":
        return "reopened", recipients.handlers(session, incident, incident.department_codes)
    return None


def on_step(session: Session, step: hooks.Step) -> None:
    """The hook: write the outbox rows of this step (staff events, and the reporter's status update)."""
    found = _staff_recipients(session, step)
    if found:
        kind, people = found
        actor = getattr(step.user, "id", None)
        outbox.to_users(session, [p for p in people if p.id != actor], staff_message(kind, step.incident))
    if step.action in CITIZEN_STEPS:
        _tell_reporter(session, step)


def _tell_reporter(session: Session, step: hooks.Step) -> None:
    incident = step.incident
    message = citizen_message(incident, step)
    contact = recipients.contact_channel(incident.reporter_contact)
    if contact:
        outbox.to_address(session, *contact, message)
    account = [u for u in recipients.reporter(incident) if u.id != getattr(step.user, "id", None)]
    if account:
        outbox.to_users(session, account, message)


def install() -> None:
    """Register the listeners on the case steps and on tracked-item events (idempotent)."""
    from gisgrid.notifications import tracking_events  # it imports this module's config()

    hooks.on_step("notifications", on_step)
    tracking_events.install()
