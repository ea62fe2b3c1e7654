"""Admin queries of the audit trail: validated filters in, one page of changes out."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.orm import Session

from gisgrid.audit import queries
from gisgrid.audit.models import ACTIONS, AuditLog
from gisgrid.errors import InvalidInput

BEIJING = ZoneInfo("Asia/Shanghai")
MAX_PER_PAGE = 200
# names people use → audited tables (the table names themselves are accepted too)
ENTITIES = {
    "boundary": "boundary_version",
    "grid": "grid",
    "grid_staff": "grid_staff",
    "user": "app_user",
    "user_grid": "app_user_grid",
    "department": "department",
    "incident": "incident",
    "incident_task": "incident_task",
    "incident_transfer": "incident_transfer",
    "incident_photo": "incident_photo",
    "source": "pollution_source",
    "document": "source_document",
    "inspection": "source_inspection",
    "event": "pollution_event",
    "event_case": "pollution_event_case",
    "dispute": "jurisdiction_dispute",
    "station": "monitor_station",
    "station_limit": "monitor_limit",
    "security": "security",  # login, logout, failures, permission changes, exports, pruning (audit.security)
}
TABLES = frozenset(ENTITIES.values())
SOURCES = ("web", "api", "open311", "cli", "db", "monitoring")
LABELS = {
    "boundary_version": "边界版本",
    "grid": "网格",
    "grid_staff": "网格人员",
    "app_user": "用户",
    "app_user_grid": "用户网格",
    "department": "部门",
    "incident": "案件",
    "incident_task": "案件任务",
    "incident_transfer": "案件移送",
    "incident_photo": "案件照片",
    "pollution_source": "污染源",
    "source_document": "污染源档案",
    "source_inspection": "检查记录",
    "pollution_event": "跨界污染事件",
    "pollution_event_case": "事件关联案件",
    "jurisdiction_dispute": "管辖争议",
    "monitor_station": "监控点",
    "monitor_limit": "监控点排放限值",
    "security": "安全事件",
}

ACTION_LABELS = {
    "insert": "新增",
    "update": "修改",
    "delete": "删除",
    "login": "登录",
    "logout": "退出",
    "login_failed": "登录失败",
    "permission": "权限变更",
    "export": "导出",
    "prune": "清理",
    "reveal": "查看个人信息",
    "anonymise": "个人信息匿名化",
}


def parse_filters(raw: dict) -> dict:
    """Turn query-string values into filters; a wrong value raises InvalidInput saying which."""
    filters = {name: _text(raw.get(name), name) for name in ("entity_id", "key", "actor")}
    filters["entity"] = _choice(raw.get("entity"), "entity", ENTITIES, TABLES)
    filters["action"] = _choice(raw.get("action"), "action", {}, frozenset(ACTIONS))
    filters["source"] = _choice(raw.get("source"), "source", {}, frozenset(SOURCES))
    filters["txid"] = _integer(raw.get("txid"), "txid", 1, 2**62)
    filters["since"] = _moment(raw.get("since"), "since", end=False)
    filters["until"] = _moment(raw.get("until"), "until", end=True)
    if filters["since"] and filters["until"] and filters["since"] >= filters["until"]:
        raise InvalidInput("起始时间应早于截止时间 (since must be before until)")
    return filters


def changes(session: Session, raw: dict) -> dict:
    """One page of audit entries matching ``raw`` filters, newest first, with the total and per-day counts."""
    filters = parse_filters(raw)
    page = _integer(raw.get("page"), "page", 1, 100_000) or 1
    per_page = _integer(raw.get("per_page"), "per_page", 1, MAX_PER_PAGE) or 50
    rows = session.scalars(queries.page(filters, (page - 1) * per_page, per_page)).all()
    days = session.execute(queries.per_day(filters, 60)).all()
    return {
        "items": [entry(row) for row in rows],
        "page": page,
        "per_page": per_page,
        "total": session.scalar(queries.total(filters)),
        "per_day": [{"day": d.day.isoformat(), "entity": d.entity, "count": d.n} for d in days],
    }


EXPORT_MAX = 100_000
CSV_HEADER = (
    "id",
    "时间",
    "事务",
    "操作人编号",
    "操作人",
    "来源",
    "IP",
    "对象",
    "对象编号",
    "编码/名称",
    "动作",
    "内容",
    "哈希",
)


def export_csv(session: Session, raw: dict) -> tuple[str, int]:
    """The entries matching ``raw`` filters (newest first, at most EXPORT_MAX) as CSV text, and how many."""
    filters = parse_filters(raw)
    rows = session.scalars(queries.page(filters, 0, EXPORT_MAX)).all()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    sealed = _seal_hashes(session, rows)
    for row in rows:
        item = entry(row)
        actor = item["actor"]
        writer.writerow(
            (item["id"], item["at"], item["txid"], actor["id"], actor["name"], actor["source"], actor["ip"])
            + (item["entity_label"], item["entity_id"], item["key"], item["action"])
            + (json.dumps(item["changes"], ensure_ascii=False), row.row_hash or sealed.get(row.id, ""))
        )
    return out.getvalue(), len(rows)


_SEALS_OF = text(
    "SELECT txid, ids[1] AS first, ids[cardinality(ids)] AS last, hash FROM audit_seal"
    " WHERE txid = ANY(CAST(:txids AS bigint[]))"
)


def _seal_hashes(session: Session, rows) -> dict[int, str]:
    """Row id → the hash of its transaction's seal, for rows sealed per transaction (no row_hash of their own)."""
    txids = list({row.txid for row in rows if row.row_hash is None})
    seals: dict[int, list] = {}
    for seal in session.execute(_SEALS_OF, {"txids": txids}) if txids else ():
        seals.setdefault(seal.txid, []).append(seal)
    return {
        row.id: seal.hash or "" for row in rows for seal in seals.get(row.txid, ()) if seal.first <= row.id <= seal.last
    }


def entry(row: AuditLog) -> dict:
    """An audit row as JSON."""
    return {
        "id": row.id,
        "at": row.at.astimezone(BEIJING).isoformat(),
        "txid": row.txid,
        "actor": {"id": row.actor_id, "name": row.actor_name, "source": row.actor_source, "ip": row.actor_ip},
        "entity": row.entity,
        "entity_label": LABELS.get(row.entity, row.entity),
        "entity_id": row.entity_id,
        "key": row.entity_key,
        "action": row.action,
        "changes": row.changes,
    }


def _text(value, name: str) -> str | None:
    if value in (None, ""):
        return None
    if len(value) > 200 or "\x00" in value:
        raise InvalidInput(f"参数 {name} 过长或含非法字符 ({name} is too long or has a NUL)")
    return value


def _choice(value, name: str, aliases: dict, allowed: frozenset) -> str | None:
    if value in (None, ""):
        return None
    value = aliases.get(value, value)
    if value not in allowed:
        raise InvalidInput(f"参数 {name} 的取值无效：{value[:50]}，可选：{'、'.join(sorted(set(aliases) | allowed))}")
    return value


def _integer(value, name: str, low: int, high: int) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"参数 {name} 应为整数 ({name} must be an integer)") from None
    if not low <= number <= high:
        raise InvalidInput(f"参数 {name} 应在 {low} 到 {high} 之间 ({name} out of range)")
    return number


def _moment(value, name: str, end: bool) -> datetime | None:
    """An ISO date (a whole day in Beijing time; ``until`` includes it) or an ISO date-time."""
    if value in (None, ""):
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day + timedelta(days=1 if end else 0), time(), BEIJING)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"参数 {name} 应为日期 2026-12-01 或时间 2026-12-01T08:00 ({name} is not ISO 8601)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)
