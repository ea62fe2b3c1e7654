"""Inspections: records, configurable frequencies, due and overdue lists per grid, conflicts."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid.auth.service import in_scope
from gisgrid.db import unit_of_work
from gisgrid.errors import InvalidInput, NotFound
from gisgrid.incidents import intake, matrix
from gisgrid.incidents.report import MAX_LENGTHS, Report
from gisgrid.sources import queries, rules
from gisgrid.sources.models import (
    CLASSES,
    Inspection,
    InspectionFrequency,
    InspectorConflict,
    LotteryDraw,
    SourceClassChange,
)
from gisgrid.sources.service import get_source, visible_source


def record_inspection(
    session: Session,
    source_id: int,
    user,
    *,
    inspected_on: date,
    violation: bool,
    findings: str | None,
    draw_id: int | None = None,
    today: date | None = None,
    category: str | None = None,
) -> Inspection:
    """Record an inspection; a violation moves the source to class C and opens a case, linked both ways.

    The case (channel ``inspection``, in the source's grid, category ``category`` of the duty matrix,
    default 其他环境问题) is part of the same unit of work: no inspection without its case.
    """
    with unit_of_work(session):
        today = today or rules.today_in_china()
        source = visible_source(session, user, source_id)
        if inspected_on > today:
            raise InvalidInput("检查日期不能晚于今天 (inspection date in the future)")
        record = Inspection(
            source_id=source.id,
            inspected_on=inspected_on,
            inspector_id=user.id,
            inspector_name=user.display_name,
            violation=violation,
            findings=(findings or "").strip() or None,
            draw_id=draw_id or _draw_of(session, source.id, inspected_on),
        )
        session.add(record)
        if violation:
            source.last_violation_on = max(filter(None, (source.last_violation_on, inspected_on)))
            _reclassify(source, user.username, today)
            record.incident_id = open_case(session, user, source, record, category).id
    return record


def open_case(session: Session, user, source, record: Inspection, category: str | None):
    """The case of a violation found on inspection: at the source, in its grid, described by the finding."""
    code = (category or "").strip() or matrix.FINDING_DEFAULT
    try:
        matrix.category(session, code)
    except NotFound:
        raise InvalidInput(f"category: 未知的事件类别 {code!r} (unknown category)", {"field": "category"}) from None
    lon, lat = queries.source_lonlat(session, source.id)
    finding = record.findings or "（未填写检查情况）"
    text = f"{source.name}（{source.code}）{record.inspected_on} 现场检查发现违法：{finding}"
    report = Report(
        channel="inspection",
        category=code,
        description=text[: MAX_LENGTHS["description"]],
        lon=lon,
        lat=lat,
        address=(source.address or "")[: MAX_LENGTHS["address"]] or None,
        reporter_name=(user.display_name or "")[: MAX_LENGTHS["reporter_name"]] or None,
    )
    return intake.report(session, report, user)[0]


def _draw_of(session: Session, source_id: int, day: date) -> int | None:
    """The draw of ``day``'s quarter that picked this source, so its outcome is published with the draw."""
    draw = session.scalar(select(LotteryDraw).where(LotteryDraw.quarter == rules.quarter_of(day)))
    if draw is not None and any(p["source_id"] == source_id for p in draw.results["picks"]):
        return draw.id
    return None


def _reclassify(source, by: str, today: date) -> None:
    c = rules.classify(
        key_source=source.key_source,
        large_polluter=source.large_polluter,
        last_violation=source.last_violation_on,
        today=today,
        requested=source.supervision_class,
    )
    if c.supervision_class != source.supervision_class:
        source.history.append(
            SourceClassChange(
                changed_by=by,
                from_class=source.supervision_class,
                to_class=c.supervision_class,
                reason=f"检查发现违法：{c.reason}",
            )
        )
        source.supervision_class, source.class_reason = c.supervision_class, c.reason


def set_frequencies(session: Session, months_by_class: dict[str, int]) -> dict[str, int]:
    """Set how many months apart each given class is inspected (1–60), all or none; returns all frequencies."""
    with unit_of_work(session):
        for cls, months in months_by_class.items():
            if cls not in CLASSES:
                raise InvalidInput("类别应为 A、B 或 C")
            if not 1 <= int(months) <= 60:
                raise InvalidInput("检查周期应为 1 到 60 个月")
        for cls, months in months_by_class.items():
            row = session.get(InspectionFrequency, cls)
            if row is None:
                session.add(InspectionFrequency(supervision_class=cls, interval_months=int(months)))
            else:
                row.interval_months = int(months)
    return queries.frequencies(session)


def due_list(session: Session, user, today: date | None = None, soon_days: int = rules.DUE_SOON_DAYS) -> list[dict]:
    """Sources in the user's scope with due day and status, soonest first."""
    rows = queries.due_rows(session, today or rules.today_in_china(), soon_days)
    return [r for r in rows if in_scope(user, r["grid_codes"])]


def by_grid(rows: list[dict], user=None) -> list[dict]:
    """Overdue / due soon / ok counts per grid in tree order; a street or county counts every source below it.

    The counts roll up along each source's grid code chain. With ``user``, only grids in the user's
    scope are listed, so that every listed sum is complete (nobody sees a partial county total).
    """
    counts: dict[tuple, dict] = {}
    for r in rows:
        chain = tuple(r["grid_codes"] or ("-",))
        for depth in range(1, len(chain) + 1):
            if user is None or in_scope(user, chain[:depth]):
                counts.setdefault(chain[:depth], {"overdue": 0, "due_soon": 0, "ok": 0})[r["status"]] += 1
    parents = {path[:-1] for path in counts}
    return [
        {
            "grid_code": path[-1],
            "parent_code": path[-2] if len(path) > 1 else None,
            "depth": len(path),
            "leaf": path not in parents,
            **c,
        }
        for path, c in sorted(counts.items())
    ]


def inspections_of(session: Session, source_id: int) -> list[Inspection]:
    """A source's inspections, newest first."""
    return list(
        session.scalars(
            select(Inspection)
            .where(Inspection.source_id == source_id)
            .order_by(Inspection.inspected_on.desc(), Inspection.id.desc())
        )
    )


def declare_conflict(session: Session, user_id: int, source_id: int, reason: str) -> None:
    """Record that ``user_id`` must not be drawn to inspect ``source_id``."""
    with unit_of_work(session):
        get_source(session, source_id)
        if not (reason or "").strip():
            raise InvalidInput("请说明回避理由 (a reason is required)")
        if session.get(InspectorConflict, (user_id, source_id)) is None:
            session.add(InspectorConflict(user_id=user_id, source_id=source_id, reason=reason.strip()))
