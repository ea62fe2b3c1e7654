"""Items as plain dicts for pages and the JSON API (the shapes of tracking.schemas)."""

from __future__ import annotations

from datetime import date

from gisgrid.clock import china_iso
from gisgrid.tracking import access
from gisgrid.tracking.models import ACTIVE_STATES, TrackedItem
from gisgrid.tracking.rules import PRIORITY_LABELS, STATE_LABELS
from gisgrid.tracking.service import ACTION_LABELS, MOVES

ABOUT_LABELS = {
    "case": "案件",
    "source": "污染源",
    "grid": "网格",
    "department": "部门",
    "transfer": "移送",
    "meeting": "联席会议",
    "check": "督查",
    "campaign": "专项行动",
}
# where a page links an item's subject; other kinds (added by other domains) are shown without a link
ABOUT_URLS = {
    "case": "/incidents/{id}",
    "source": "/sources/{id}",
    "grid": "/grids/{id}",
    "meeting": "/supervision/meetings/{id}",
    "check": "/supervision/checks/{id}",
    "campaign": "/campaigns/{id}",
}


def about_url(kind: str | None, about_id: str | None) -> str | None:
    """The page of what an item is about, when there is one."""
    pattern = ABOUT_URLS.get(kind or "")
    return pattern.format(id=about_id) if pattern and about_id else None


def summary(item: TrackedItem, today: date) -> dict:
    """The list row of an item."""
    return {
        "id": item.id,
        "kind": item.kind,
        "title": item.title,
        "priority": item.priority,
        "priority_label": PRIORITY_LABELS[item.priority],
        "state": item.state,
        "state_label": STATE_LABELS[item.state],
        "owner_grid_code": item.owner_grid_code,
        "owner_department_code": item.owner_department_code,
        "owner_user": item.owner_user.display_name if item.owner_user else None,
        "watcher_grid_code": item.watcher_grid_code,
        "watcher_label": item.watcher_label,
        "about_kind": item.about_kind,
        "about_id": item.about_id,
        "about_url": about_url(item.about_kind, item.about_id),
        "opened_on": item.opened_on.isoformat(),
        "due": item.due.isoformat(),
        "overdue": item.state in ACTIVE_STATES and item.due < today,
        "escalation_level": item.escalation_level,
        "escalated_to": item.escalated_to,
        "owner_depth": len(item.chain),
    }


def detail(item: TrackedItem, user, today: date) -> dict:
    """An item with its notes, files, escalations and the actions this user may take now."""
    body = summary(item, today)
    body["detail"] = item.detail
    body["chain"] = list(item.chain)
    body["notes"] = [
        {"id": n.id, "at": china_iso(n.at), "actor": n.actor, "action": n.action,
         "action_label": ACTION_LABELS.get(n.action, n.action), "from_state": n.from_state,
         "to_state": n.to_state, "text": n.text}
        for n in item.notes
    ]  # fmt: skip
    body["attachments"] = [
        {"id": a.id, "note_id": a.note_id, "name": a.name, "mime": a.mime, "size": a.size,
         "url": f"/tracking/attachments/{a.id}"}
        for a in item.attachments
    ]  # fmt: skip
    body["escalations"] = [
        {"level": e.level, "to_grid_code": e.to_grid_code, "deadline": e.deadline.isoformat(),
         "at": china_iso(e.at), "reason": e.reason}
        for e in item.escalations
    ]  # fmt: skip
    body["actions"] = allowed_actions(user, item)
    return body


def allowed_actions(user, item: TrackedItem) -> list[str]:
    """The actions the user may take on the item in its current state."""
    owner, watcher = access.is_owner(user, item), access.is_watcher(user, item)
    who = {"owner": owner, "watcher": watcher, "either": owner or watcher}
    return [name for name, (starts, _target, role) in MOVES.items() if item.state in starts and who[role]]
