"""督办 events → notifications: a tracked item opened, escalated, overdue, reported done or sent back.

Registered on ``gisgrid.tracking.hooks`` by ``install()`` (tracking knows nothing of notifications); runs inside
the event's unit of work, so the outbox rows commit or roll back with it. Who hears of what:

| event | who |
| --- | --- |
| opened, sent back | the owner: the named person, else whoever may act as owner (``tracking.access.is_owner``) |
| escalated | the grid leaders and dispatchers of the grid the item reached (the new level's responsible people) |
| overdue | the owner, once per item, with its first escalation |
| reported done | the watcher: the opener, and leaders/dispatchers of the watcher grid who may accept |

The actor never hears of their own step; administrators are nobody's addressee (they see everything).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid.auth import roles
from gisgrid.auth.models import User
from gisgrid.notifications import outbox
from gisgrid.notifications.events import EVENTS, config
from gisgrid.tracking import access, hooks
from gisgrid.tracking.rules import PRIORITY_LABELS

_KINDS = {"open": "tracking_opened", "report_done": "tracking_reported_done", "send_back": "tracking_sent_back"}
_LEADERS = (roles.GRID_LEADER, roles.DISPATCHER)
_ROLES = (roles.GRID_STAFF, roles.GRID_LEADER, roles.DISPATCHER, roles.HANDLER)


def message(kind: str, item, extra: str | None = None) -> outbox.Message:
    """The text: event, item number and title, priority, due day, a reason or note, and a link to the item."""
    label, due = EVENTS[kind], item.due.isoformat()
    body = f"{label}：{PRIORITY_LABELS[item.priority]}「{item.title}」（督办 {item.id}），办理期限 {due}。"
    if extra:
        body += f"{extra[:120]}。"
    body += f"详情：{config()['PUBLIC_URL']}/tracking/{item.id}"
    params = {"item": str(item.id), "title": item.title[:20], "event": label, "due": due}
    return outbox.Message(kind, None, f"【网格化环境监管】{label}（督办 {item.id}）", body, params)


def _people(session: Session) -> list[User]:
    # every account that can be an item's owner or watcher, read once per batch of events
    stmt = select(User).where(User.active.is_(True), User.role.in_(_ROLES)).order_by(User.id)
    return list(session.scalars(stmt))


def owners(session: Session, item, people: list[User]) -> list[User]:
    """The named owner; else everyone who may act as owner (the owner grid's people, the department's handlers)."""
    if item.owner_user_id is not None:
        person = session.get(User, item.owner_user_id)
        return [person] if person is not None and person.active else []
    return [u for u in people if access.is_owner(u, item)]


def holders(code: str | None, people: list[User]) -> list[User]:
    """Grid leaders and dispatchers holding the grid ``code`` itself (not the grids above it)."""
    return [u for u in people if u.role in _LEADERS and code in u.grid_codes] if code else []


def watchers(session: Session, item, people: list[User]) -> list[User]:
    """The opener and the leaders/dispatchers of the watcher grid who may accept."""
    opener = session.get(User, item.created_by_id) if item.created_by_id else None
    found = [opener] if opener is not None and opener.active and opener.role != roles.ADMIN else []
    return found + [u for u in holders(item.watcher_grid_code, people) if access.is_watcher(u, item)]


def _sends(session: Session, event: hooks.Event, people: list[User]) -> list[tuple]:
    # (recipients, message, dedupe key) of one event; the actor is not told of their own step
    item, actor = event.item, getattr(event.user, "id", None)

    def to(users, kind, extra=None, dedupe=None):
        return ([u for u in users if u.id != actor], message(kind, item, extra), dedupe)

    if event.action == "escalate":
        return [
            to(
                holders(event.to_grid, people), "tracking_escalated", event.text, f"tracking:{item.id}:up:{event.level}"
            ),
            to(owners(session, item, people), "tracking_overdue", None, f"tracking:{item.id}:overdue"),
        ]
    if event.action in ("open", "send_back"):
        return [to(owners(session, item, people), _KINDS[event.action], event.text)]
    if event.action == "report_done":
        return [to(watchers(session, item, people), "tracking_reported_done", event.text)]
    return []


def on_event(session: Session, events: list[hooks.Event]) -> None:
    """The hook: write the outbox rows of these events (the accounts and preferences read once for all)."""
    people = _people(session)
    outbox.to_many(session, [send for event in events for send in _sends(session, event, people)])


def install() -> None:
    """Register the listener on tracked-item events (idempotent)."""
    hooks.on_event("notifications", on_event)
