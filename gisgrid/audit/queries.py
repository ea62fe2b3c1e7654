"""Filtered reads of audit_log, built from small clauses with bound parameters."""

from __future__ import annotations

from sqlalchemy import Select, cast, func, select
from sqlalchemy.types import Date

from gisgrid.audit.models import AuditLog

# filter name → column compared for equality
EXACT = {
    "entity": AuditLog.entity,
    "entity_id": AuditLog.entity_id,
    "key": AuditLog.entity_key,
    "actor": AuditLog.actor_name,
    "source": AuditLog.actor_source,
    "action": AuditLog.action,
    "txid": AuditLog.txid,
}


def where(stmt: Select, filters: dict) -> Select:
    """``stmt`` restricted by parsed filters (exact matches, ``since`` inclusive, ``until`` exclusive)."""
    for name, column in EXACT.items():
        if filters.get(name) is not None:
            stmt = stmt.where(column == filters[name])
    if filters.get("since") is not None:
        stmt = stmt.where(AuditLog.at >= filters["since"])
    if filters.get("until") is not None:
        stmt = stmt.where(AuditLog.at < filters["until"])
    return stmt


def page(filters: dict, offset: int, limit: int) -> Select:
    """One page of entries, newest first."""
    return where(select(AuditLog), filters).order_by(AuditLog.id.desc()).offset(offset).limit(limit)


def total(filters: dict) -> Select:
    """How many entries match."""
    return where(select(func.count()).select_from(AuditLog), filters)


def per_day(filters: dict, days: int) -> Select:
    """Entries per day (Beijing time) and entity, for the last ``days`` days that have any."""
    day = cast(func.timezone("Asia/Shanghai", AuditLog.at), Date).label("day")
    recent = where(select(day, AuditLog.entity, func.count().label("n")), filters).group_by(day, AuditLog.entity)
    inner = recent.subquery()
    last_days = select(inner.c.day).distinct().order_by(inner.c.day.desc()).limit(days).scalar_subquery()
    return select(inner).where(inner.c.day.in_(last_days)).order_by(inner.c.day)
