"""The tracked-item engine: open an item, move it through its states with notes and files, escalate when late.

Other domains build on it (督办, meeting decisions, spot-check rectifications, evaluation rectifications):

    from gisgrid.tracking import service as tracking
    item = tracking.open_item(session, kind="rectification", title="补齐五定信息", owner="110102001000",
                              watcher="110102000000", priority="regular", due=None,
                              about=("evaluation", 7), actor=user)

``owner`` is a grid code, or ``owner_department=`` a department code (optionally ``owner_user=`` a person id)
with ``chain=`` the grid chain it answers to (default: the watcher's);
``watcher`` the grid that raised it (its label and chain are derived); ``due`` a date or None (the default
working days of the priority, ``rules.Rules``). Every call owns its unit of work, and joins the caller's when
nested, so a domain opens several items and its own rows in one transaction.

States: open → in_progress → reported_done → accepted | sent_back (→ in_progress / reported_done again).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session, selectinload

from gisgrid import media
from gisgrid.clock import today_in_china
from gisgrid.db import unit_of_work
from gisgrid.errors import Forbidden, InvalidInput, TooLarge
from gisgrid.tracking import access, hooks, queries
from gisgrid.tracking.models import ACTIVE_STATES, TrackedAttachment, TrackedEscalation, TrackedItem, TrackedNote
from gisgrid.tracking.rules import STATE_LABELS, Rules, check_priority, deadlines_passed

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_ATTACHMENTS = 5
ACTION_LABELS = {
    "open": "立项",
    "start": "开始办理",
    "note": "进展情况",
    "report_done": "报结",
    "accept": "验收通过",
    "send_back": "退回重办",
    "escalate": "超期升级督办",
}
# action → (states it starts from, state it leads to (None: unchanged), who may: owner | watcher | either)
MOVES = {
    "start": (("open", "sent_back"), "in_progress", "owner"),
    "note": ((*ACTIVE_STATES, "reported_done"), None, "either"),
    "report_done": (ACTIVE_STATES, "reported_done", "owner"),
    "accept": (("reported_done",), "accepted", "watcher"),
    "send_back": (("reported_done",), "sent_back", "watcher"),
}
NEEDS_TEXT = {"note": "进展情况", "report_done": "办理结果", "send_back": "退回理由"}
OFFICE_LABEL = "领导小组办公室"


@dataclass(frozen=True)
class Step:
    """One action on an item, as the caller parsed it (files are (client name, bytes), read by the web layer)."""

    action: str
    text: str | None = None
    files: tuple = ()
    new_due: date | None = None


def now() -> datetime:
    """The current time (UTC, aware)."""
    return datetime.now(UTC)


def _text(value, label: str, key: str) -> str:
    text = str(value or "").strip()
    if not text:
        raise InvalidInput(f"{key}: 请填写{label} ({key} is required)")
    return text


def _chains(session: Session, owner: str | None, watcher: str | None) -> tuple[list[str], list[str]]:
    watcher_chain = queries.grid_chain(session, watcher) if watcher else []
    if watcher and not watcher_chain:
        raise InvalidInput(f"watcher: 网格 {watcher!r} 不在已发布的网格中 (unknown grid)")
    chain = queries.grid_chain(session, owner) if owner else watcher_chain
    if owner and not chain:
        raise InvalidInput(f"owner: 网格 {owner!r} 不在已发布的网格中 (unknown grid)")
    if not chain:
        raise InvalidInput("owner: 须指定责任网格或（有督办网格时）责任部门 (owner grid or a watcher grid is required)")
    return chain, watcher_chain


def _due(due: date | None, priority: str, rules: Rules, today: date) -> date:
    value = due or rules.due_for(today, priority)
    if value < today:
        raise InvalidInput(f"due: 办理期限 {value.isoformat()} 早于今天 (due date in the past)")
    return value


def open_item(
    session: Session,
    *,
    kind: str,
    title: str,
    owner: str | None = None,
    owner_department: str | None = None,
    owner_user: int | None = None,
    watcher: str | None = None,
    watcher_label: str | None = None,
    chain: list[str] | None = None,
    priority: str = "regular",
    due: date | None = None,
    about: tuple[str, object] | None = None,
    detail: str | None = None,
    actor=None,
    rules: Rules | None = None,
    today: date | None = None,
) -> TrackedItem:
    """Open a tracked item (see the module docstring); commits, or joins the caller's unit of work."""
    today = today or today_in_china()
    with unit_of_work(session):
        if chain and not owner:  # a department's item placed by the caller (e.g. the case's chain to its level)
            owner_chain, watcher_chain = list(chain), _chains(session, None, watcher)[1] if watcher else []
        else:
            owner_chain, watcher_chain = _chains(session, owner, watcher)
        label = watcher_label or (queries.grid_names(session, [watcher]).get(watcher) if watcher else None)
        item = TrackedItem(
            kind=_text(kind, "类别", "kind"),
            title=_text(title, "事项名称", "title"),
            detail=(detail or "").strip() or None,
            priority=check_priority(priority),
            owner_grid_code=owner,
            owner_department_code=owner_department,
            owner_user_id=owner_user,
            chain=owner_chain,
            watcher_grid_code=watcher,
            watcher_label=label or OFFICE_LABEL,
            watcher_chain=watcher_chain,
            about_kind=about[0] if about else None,
            about_id=str(about[1]) if about else None,
            opened_on=today,
            due=_due(due, priority, rules or Rules(), today),
            created_by_id=getattr(actor, "id", None),
        )
        session.add(item)
        session.flush()
        _note(item, actor, "open", "open", item.detail)
        hooks.emit(session, hooks.Event(item, "open", actor, item.detail))
    return item


def _note(item: TrackedItem, user, action: str, to_state: str, text: str | None) -> TrackedNote:
    note = _note_row(item, user, action, to_state, text)
    item.notes.append(note)
    return note


def _note_row(item: TrackedItem, user, action: str, to_state: str, text: str | None) -> TrackedNote:
    return TrackedNote(
        item_id=item.id,
        user_id=getattr(user, "id", None),
        actor=getattr(user, "display_name", None) or "系统",
        action=action,
        from_state=item.state,
        to_state=to_state,
        text=text,
    )


def get_item(session: Session, user, item_id: int) -> TrackedItem:
    """The item if the user may see it (404 unknown, 401/403 otherwise)."""
    children = (selectinload(TrackedItem.notes), selectinload(TrackedItem.attachments))
    item = session.get(TrackedItem, item_id, options=(*children, selectinload(TrackedItem.escalations)))
    if item is None:
        raise access.not_found(item_id)
    access.require_view(user, item)
    return item


def _check_move(user, item: TrackedItem, action: str) -> str | None:
    if action not in MOVES:
        raise InvalidInput(f"action: 未知操作 {action!r} (one of {', '.join(MOVES)})")
    starts, target, who = MOVES[action]
    allowed = {
        "owner": access.is_owner(user, item),
        "watcher": access.is_watcher(user, item),
        "either": access.is_owner(user, item) or access.is_watcher(user, item),
    }[who]
    if not allowed:
        raise Forbidden(f"只有{'责任单位' if who == 'owner' else '督办单位'}可以{ACTION_LABELS[action]} (not allowed)")
    if item.state not in starts:
        raise InvalidInput(
            f"action: 事项当前为「{STATE_LABELS[item.state]}」，不能{ACTION_LABELS[action]} (wrong state)"
        )
    return target


def _checked_files(files) -> list[tuple[str, bytes, str]]:
    files = [(name, data) for name, data in files if data]
    if len(files) > MAX_ATTACHMENTS:
        raise InvalidInput(f"files: 最多 {MAX_ATTACHMENTS} 个附件 (at most {MAX_ATTACHMENTS} files)")
    for _name, data in files:
        if len(data) > MAX_ATTACHMENT_BYTES:  # the upload reader refuses these first; this guards other callers
            raise TooLarge.upload("files", MAX_ATTACHMENT_BYTES, "附件")
    return [(name, data, media.sniff_document(data)) for name, data in files]


def act(session: Session, user, item_id: int, step: Step, media_dir: str, today: date | None = None) -> TrackedItem:
    """Perform ``step`` on the item (start, note, report_done, accept, send_back) with its files; commits."""
    today = today or today_in_china()
    with unit_of_work(session):
        item = get_item(session, user, item_id)
        target = _check_move(user, item, step.action)
        text = _text(step.text, NEEDS_TEXT[step.action], "text") if step.action in NEEDS_TEXT else step.text
        checked = _checked_files(step.files)
        note = _note(item, user, step.action, target or item.state, (text or "").strip() or None)
        session.flush()
        for name, data, mime in checked:
            path = media.save(session, media_dir, f"tracking/{item.id}", data, "")
            item.attachments.append(
                TrackedAttachment(
                    item_id=item.id,
                    note_id=note.id,
                    name=(name or "附件")[:200],
                    path=path,
                    mime=mime,
                    size=len(data),
                    user_id=user.id,
                )  # fmt: skip
            )
        _apply(item, step, target, today)
        hooks.emit(session, hooks.Event(item, step.action, user, note.text))
    return item


def _apply(item: TrackedItem, step: Step, target: str | None, today: date) -> None:
    if target is None:
        return
    item.state = target
    if target == "reported_done":
        item.reported_at = now()
    elif target == "accepted":
        item.closed_at = now()
    elif target == "sent_back" and step.new_due is not None:
        if step.new_due < today:
            raise InvalidInput(f"due: 新期限 {step.new_due.isoformat()} 早于今天 (due date in the past)")
        item.due = step.new_due


def escalate_overdue(session: Session, today: date, rules: Rules, user=None) -> list[TrackedEscalation]:
    """Escalate every overdue active item one grid level per deadline passed (due, then every step working days).

    Each escalation is a ``tracked_escalation`` row (audited) and a note on the item; running twice on one
    day adds nothing. With ``user``, only the items in that user's scope. Commits."""
    with unit_of_work(session, conflict="督办升级正在另一处运行，请重试 (escalation running elsewhere)"):
        # items already at their top level are left out: the daily re-run reads only what can still climb
        top = func.greatest(func.cardinality(TrackedItem.chain) - 1, 1)
        stmt = select(TrackedItem).where(
            TrackedItem.state.in_(ACTIVE_STATES), TrackedItem.due < today, TrackedItem.escalation_level < top
        )
        if user is not None:
            stmt = stmt.where(queries.scope_filter(user))
        made, events = [], []
        for item in session.scalars(stmt.order_by(TrackedItem.id).with_for_update(skip_locked=True, of=TrackedItem)):
            rows = _escalate(item, today, rules, user)
            if rows:  # one event per item: the grid it reached now (levels skipped at once are one message)
                events.append(
                    hooks.Event(item, "escalate", user, rows[-1].reason, rows[-1].to_grid_code, rows[-1].level)
                )
            made += rows
        hooks.emit(session, *events)  # one batch: listeners read what the events share once per run
    return made


def _escalate(item: TrackedItem, today: date, rules: Rules, user) -> list[TrackedEscalation]:
    # level k goes to the k-th grid above the owner grid; an owner at the top stays at the top (level 1)
    cap = max(len(item.chain) - 1, 1)
    passed = deadlines_passed(item.due, today, rules.step_days, cap)
    made = []
    for level in range(item.escalation_level + 1, len(passed) + 1):
        to_grid = item.chain[max(len(item.chain) - 1 - level, 0)]
        deadline = passed[level - 1]
        reason = f"超过期限 {deadline.isoformat()}，第 {level} 次升级督办至上级网格 {to_grid}"
        row = TrackedEscalation(item_id=item.id, level=level, to_grid_code=to_grid, deadline=deadline, reason=reason)
        # added to the session, not to the item's collections: loading them per item would dominate the run
        session = object_session(item)
        session.add_all([row, _note_row(item, user, "escalate", item.state, reason)])
        item.escalation_level, item.escalated_to, item.escalated_at = level, to_grid, now()
        made.append(row)
    if made:
        object_session(item).expire(item, ["notes", "escalations"])  # a later read sees the new rows
    return made
