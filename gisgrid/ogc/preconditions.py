"""HTTP preconditions of Part 4 writes (RFC 9110 §13.1): ``If-Match`` and ``If-Unmodified-Since``, as the
editor's ``base`` lock counters of the grid written.

The check itself stays the editor's, under its row lock (``Workset.check_locks``): a precondition becomes the
counters it accepts, so a change that lands between reading the grid here and the editor's lock is still a 412.
Preconditions are evaluated only once the feature is known to exist (a missing one is 404 first, §13.2.1).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.http import parse_date

from gisgrid.editor.workset import ANY_LOCK
from gisgrid.errors import InvalidInput, PreconditionFailed
from gisgrid.grids.models import BoundaryVersion, Grid, UnitGrid
from gisgrid.ogc import collections as colls
from gisgrid.ogc.collections import Collection

# one element of an entity-tag list: [W/]"etagc*" (etagc: %x21 / %x23-7E / obs-text — a comma may be inside)
_ELEMENT = re.compile(r'[ \t]*(?:(W/)?"([\x21\x23-\x7e\x80-\U0010ffff]*)")?[ \t]*(?:,|$)')
_OURS = re.compile(r"v(\d+)-(\d+)")


def entity_tags(value: str) -> list[tuple[bool, str]]:
    """The (weak, opaque-tag) pairs of an ``If-Match`` list; 400 naming If-Match when it is not one (§8.8.3)."""
    tags, pos = [], 0
    while pos < len(value):
        match = _ELEMENT.match(value, pos)
        if match is None or match.end() == pos:
            raise InvalidInput(
                f'If-Match: 应为 * 或带引号的实体标签列表，如 "v7-3"，收到 {value[:80]!r} '
                "(If-Match must be * or a list of quoted entity tags)"
            )
        if match.group(2) is not None:
            tags.append((match.group(1) is not None, match.group(2)))
        pos = match.end()
    if not tags:
        raise InvalidInput("If-Match: 为空 (If-Match is empty: send * or an entity tag)")
    return tags


def accepted_locks(draft_id: int, if_match: str) -> list[str] | str:
    """The lock counters an ``If-Match`` accepts: ``*`` any, else those of its strong tags of this draft.

    Strong comparison (§8.8.3.2): a weak tag never matches, nor a tag of another draft; none left is a 412.
    """
    if if_match.strip() == "*":
        return ANY_LOCK
    locks = []
    for weak, opaque in entity_tags(if_match):
        ours = _OURS.fullmatch(opaque)
        if not weak and ours is not None and int(ours.group(1)) == draft_id:
            locks.append(ours.group(2))
    return locks


def last_modified(session: Session, collection_id: str, code: str) -> datetime | None:
    """When a draft feature last changed: its last edit, else the draft's creation (it was copied then)."""
    draft_id = colls.draft_id(collection_id)
    return _state(session, draft_id, colls.is_draft_unit(collection_id), code)[1]


def _state(session: Session, draft_id: int, unit: bool, code: str) -> tuple[int | None, datetime | None]:
    """A draft feature's lock counter and last modification, to the second (HTTP dates have no fractions)."""
    model = UnitGrid if unit else Grid
    row = session.execute(
        select(model.lock_version, func.coalesce(model.edited_at, BoundaryVersion.created_at))
        .join(BoundaryVersion, BoundaryVersion.id == model.version_id)
        .where(model.version_id == draft_id, model.code == code)
    ).first()
    if row is None:
        return None, None
    return row[0], row[1].astimezone(UTC).replace(microsecond=0)


def base(session: Session, coll: Collection, code: str, if_match: str | None, since: str | None) -> list[str] | str:
    """The lock counters of feature ``code`` a write carrying these preconditions accepts (the editor's ``base``).

    ``If-Unmodified-Since`` counts only without ``If-Match`` and when it is one valid HTTP-date (else it is
    ignored, §13.1.4); it holds when the feature has not changed after that second, and then becomes its
    current counter. No precondition: any counter (the write is unconditional, as HTTP allows).
    """
    if if_match is not None:
        return accepted_locks(coll.draft_id, if_match)
    date = _date(since)
    if date is None:
        return ANY_LOCK
    lock, changed = _state(session, coll.draft_id, coll.unit, code)
    if changed is not None and changed > date:
        raise PreconditionFailed(
            f"If-Unmodified-Since: {code[:64]} 于 {changed:%Y-%m-%d %H:%M:%S} UTC 之后已被修改，未保存 "
            "(the feature changed after that date; GET it again)",
            {"code": code[:64], "last_modified": changed.isoformat()},
        )
    return [str(lock)]


def current_lock(accepted: list[str] | str, lock: int, code: str) -> int:
    """The one counter to quote to an editor service that takes a single one (unit grids): the feature's
    current ``lock`` when the preconditions accept it, else 412 (the service re-checks it under its row lock)."""
    if accepted == ANY_LOCK or str(lock) in accepted:
        return lock
    raise PreconditionFailed(
        f"If-Match 已过期：{code[:64]} 的当前版本号为 {lock} (the feature changed since it was read; GET it again)",
        {"code": code[:64], "lock": lock},
    )


def _date(value: str | None) -> datetime | None:
    """One HTTP-date (IMF-fixdate, RFC 850 or asctime form) in UTC, else None (a list of dates is no date)."""
    if value is None or value.count(",") > 1:  # IMF-fixdate and RFC 850 dates have one comma, asctime none
        return None
    date = parse_date(value)
    return None if date is None else date.astimezone(UTC)
