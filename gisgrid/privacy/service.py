"""Who sees a reporter's name and contact unmasked, the audited "显示" and the audited export."""

from __future__ import annotations

import csv
import io

from sqlalchemy.orm import Session

from gisgrid.auth import roles
from gisgrid.clock import china_iso
from gisgrid.db import unit_of_work
from gisgrid.errors import Forbidden, InvalidInput
from gisgrid.incidents import access, queries
from gisgrid.incidents import service as cases
from gisgrid.privacy import record

MAX_REASON = 500
EXPORT_LIMIT = 20_000  # cases in one export (the list page shows 500)
EXPORT_COLUMNS = ("编号", "状态", "类别", "上报时间", "地址", "举报人", "联系方式")


def may_export(user) -> bool:
    """Only the roles that may unmask may export contacts (each case still checked by ``may_reveal``)."""
    return getattr(user, "role", None) in (roles.DISPATCHER, roles.HANDLER)


def _reason(raw: str | None, required: bool) -> str | None:
    reason = (raw or "").strip()
    if required and not reason:
        raise InvalidInput("请填写导出个人信息的事由（字段 reason）(reason is required)", {"reason": ["required"]})
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"事由不能超过 {MAX_REASON} 字 (reason too long)", {"reason": ["too long"]})
    return reason or None


def reveal(session: Session, user, incident_id, reason: str | None = None) -> dict:
    """The unmasked name and contact of a case's reporter, for its handler or dispatcher; audited."""
    reason = _reason(reason, required=False)
    with unit_of_work(session):  # the value only with its audit row
        incident = cases.get_case(session, user, incident_id)
        if not access.may_reveal(user, incident):
            raise Forbidden("只有本案件的承办人和调度员可以查看举报人信息 (only the case handler or dispatcher)")
        fields = {"fields": ["reporter_name", "reporter_contact"]}
        record.record(session, record.REVEAL, "incident", incident.id, reason, fields)
    return {"id": incident.id, "name": incident.reporter_name, "contact": incident.reporter_contact}


def export_csv(session: Session, user, reason: str | None, state: str | None = None) -> tuple[str, int]:
    """The cases the user may unmask, with reporters' contacts, as CSV (UTF-8 BOM); audited with the reason."""
    if not may_export(user):
        raise Forbidden("只有调度员和部门承办人可以导出举报人信息 (only dispatchers and handlers export contacts)")
    reason = _reason(reason, required=True)
    with unit_of_work(session):
        listed = queries.list_cases(session, user, state, limit=EXPORT_LIMIT)
        rows = [c for c in listed if access.may_reveal(user, c)]
        record.record(session, record.EXPORT, "incident", None, reason, {"ids": [c.id for c in rows], "state": state})
    out = io.StringIO()
    out.write("\ufeff")  # Excel opens UTF-8 only with a BOM
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for c in rows:
        writer.writerow(
            (c.id, c.state, c.category.name, china_iso(c.reported_at), c.address, c.reporter_name, c.reporter_contact)
        )
    return out.getvalue(), len(rows)
