"""The 待办 list and its counts, across every registered source, most urgent first."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from gisgrid.inbox.registry import Entry, as_entry, sources

_LATE = date.max  # entries without a due day sort after those with one


def sort_key(entry: Entry) -> tuple:
    """Overdue first, then urgency (lower first), then the earliest due day, then the title."""
    return (not entry.overdue, entry.urgency, entry.due or _LATE, entry.title)


def entries(session: Session, user) -> list[Entry]:
    """Everything waiting for ``user`` (nothing for nobody), most urgent first."""
    if not getattr(user, "is_authenticated", False):
        return []
    found = [as_entry(item) for source in sources() for item in source.entries(session, user)]
    return sorted(found, key=sort_key)


def counts(session: Session, user) -> dict[str, int]:
    """Source name → how many entries wait for ``user``: one count per source (the header badge)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    return {s.name: (s.count(session, user) if s.count else len(s.entries(session, user))) for s in sources()}


def as_json(entry: Entry) -> dict:
    """An entry for the API and the phone app."""
    return {
        "kind": entry.kind,
        "title": entry.title,
        "url": entry.url,
        "due": entry.due.isoformat() if entry.due else None,
        "overdue": entry.overdue,
        "urgency": entry.urgency,
    }


def inbox_json(session: Session, user) -> dict:
    """The API answer: entries, the count per source and the total."""
    found = entries(session, user)
    per_source = counts(session, user)
    return {"entries": [as_json(e) for e in found], "counts": per_source, "total": sum(per_source.values())}
