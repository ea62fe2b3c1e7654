"""Source registry services: register and import (all or nothing), classes, export.

Services take plain values and a session, own the transaction, and never touch ``flask.request``.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import shapely
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gisgrid.auth import capabilities, roles
from gisgrid.auth.service import in_scope
from gisgrid.db import unit_of_work
from gisgrid.errors import Forbidden, InvalidInput, NotFound, ValidationFailed
from gisgrid.grids import queries as grid_queries
from gisgrid.grids import versions as grid_versions
from gisgrid.sources import fields, io, queries, rules
from gisgrid.sources.models import PollutionSource, SourceClassChange

MAX_ERRORS_SHOWN = 200
# departments inspect sources wherever they are (they have no grids of their own)
DISTRICT_WIDE = (roles.HANDLER,)


def _check_rows(session: Session, raw_rows: list[tuple[int, dict]], crs: str | None, progress=None):
    """Coerce every row; returns (good rows with their row numbers, per-row errors)."""
    good, errors = [], []
    for number, raw in progress(raw_rows) if progress else raw_rows:
        try:
            good.append((number, fields.coerce(raw, crs)))
        except InvalidInput as err:
            errors.append({"row": number, "code": str(raw.get("code") or ""), "message": err.message})
    counts = Counter(v["code"] for _, v in good)
    taken = queries.existing_codes(session, list(counts))
    for number, v in good:
        if counts[v["code"]] > 1:
            errors.append({"row": number, "code": v["code"], "message": "编号在文件中重复 (duplicate code)"})
        elif v["code"] in taken:
            errors.append({"row": number, "code": v["code"], "message": "编号已登记 (code already registered)"})
    return good, errors


def _assign_grids(session: Session, good: list[tuple[int, dict]], errors: list[dict]) -> int | None:
    """Resolve each row's grid chain in the published version; a row outside every grid is an error."""
    version = grid_versions.find_published(session)
    if version is None:
        raise InvalidInput("尚未发布网格边界，无法确定监管网格 (no published boundary version)")
    chains = grid_queries.leaf_codes_at(session, version.id, [(n, v["lon"], v["lat"]) for n, v in good])
    for number, v in good:
        if number in chains:
            v["grid_codes"] = list(chains[number])
        else:
            errors.append({"row": number, "code": v["code"], "message": "位置不在任何网格内 (outside every grid)"})
    return version.id


def insert(session: Session, v: dict, version_id: int, by: str, today: date) -> PollutionSource:
    """Add one checked row (``fields.coerce`` values plus ``grid_codes``) as a source, classified by the rules."""
    c = rules.classify(
        key_source=v["key_source"],
        large_polluter=v["large_polluter"],
        last_violation=v["last_violation_on"],
        today=today,
        requested=v["requested_class"],
        requested_reason=v["class_reason"],
    )
    source = PollutionSource(
        code=v["code"],
        name=v["name"],
        kind=v["kind"],
        industry=v["industry"],
        address=v["address"],
        permits=v["permits"],
        contacts=v["contacts"],
        key_source=v["key_source"],
        large_polluter=v["large_polluter"],
        last_violation_on=v["last_violation_on"],
        supervision_class=c.supervision_class,
        class_reason=c.reason,
        location=queries.point_geom(v["lon"], v["lat"]),
        site=queries.site_geom(v["site"]),
        grid_codes=v["grid_codes"],
        grid_version_id=version_id,
        registered_on=today,
        sample_data=v["sample_data"],
    )
    source.history.append(
        SourceClassChange(changed_by=by, from_class=None, to_class=c.supervision_class, reason=f"登记：{c.reason}")
    )
    session.add(source)
    return source


def register_rows(
    session: Session,
    raw_rows: list[tuple[int, dict]],
    *,
    by: str,
    crs: str | None = None,
    today: date | None = None,
    progress=None,
) -> list[PollutionSource]:
    """Check every row, then register them all, or raise ValidationFailed listing every bad row.

    ``progress`` optionally wraps the row iterable (the CLI passes a tqdm bar).
    """
    with unit_of_work(session):
        if not raw_rows:
            raise InvalidInput("文件中没有任何数据行 (no rows)")
        good, errors = _check_rows(session, raw_rows, crs, progress)
        version_id = _assign_grids(session, good, errors) if good else None
        if errors:  # nothing has been written yet
            errors.sort(key=lambda e: e["row"])
            raise ValidationFailed(
                f"{len(errors)} 行有错误，未导入任何数据 (nothing imported)", errors[:MAX_ERRORS_SHOWN]
            )
        sources = [insert(session, v, version_id, by, today or rules.today_in_china()) for _, v in good]
    return sources


def import_file(session: Session, path: str, *, by: str, crs: str | None = None, progress=None) -> int:
    """Import a CSV/XLSX/GeoPackage file of sources, all or nothing; returns how many were registered."""
    return len(register_rows(session, io.read_rows(path), by=by, crs=crs, progress=progress))


def create_source(session: Session, raw: dict, *, by: str, crs: str | None = None) -> PollutionSource:
    """Register one source from form/JSON values."""
    return register_rows(session, [(1, raw)], by=by, crs=crs)[0]


def get_source(session: Session, source_id: int) -> PollutionSource:
    """One source or NotFound."""
    source = session.get(PollutionSource, source_id)
    if source is None:
        raise NotFound(f"污染源 {source_id} 不存在 (no such source)")
    return source


def visible_source(session: Session, user, source_id: int) -> PollutionSource:
    """The source, if it is in the user's grids (departments' handlers work district-wide)."""
    source = get_source(session, source_id)
    if not (in_scope(user, source.grid_codes) or user.role in DISTRICT_WIDE):
        raise Forbidden("该污染源不在您的网格范围内 (source outside your grids)")
    return source


def change_class(
    session: Session, user, source_id: int, to_class: str, reason: str, today: date | None = None
) -> PollutionSource:
    """Set a source's class with a reason, recorded in its history; the rules' C cannot be relaxed.

    Only users with ``set_source_class`` (the environment department's handlers, and the roles the
    deployment names) may: the seeds give the A/B/C class to the 环境保护主管部门.
    """
    with unit_of_work(session):
        capabilities.require(user, "set_source_class")
        source = visible_source(session, user, source_id)
        by = user.username
        if to_class not in ("A", "B", "C"):
            raise InvalidInput("to_class: 类别应为 A、B 或 C (class must be A, B or C)", {"field": "to_class"})
        if not (reason or "").strip():
            raise InvalidInput("reason: 请填写调整类别的理由 (a reason is required)", {"field": "reason"})
        c = rules.classify(
            key_source=source.key_source,
            large_polluter=source.large_polluter,
            last_violation=source.last_violation_on,
            today=today or rules.today_in_china(),
            requested=to_class,
            requested_reason=reason.strip(),
        )
        if c.supervision_class != to_class:
            raise InvalidInput(f"按规则该污染源必须为C类（{c.reason}），不能调整为{to_class}类")
        if to_class != source.supervision_class:
            source.history.append(
                SourceClassChange(
                    changed_by=by, from_class=source.supervision_class, to_class=to_class, reason=c.reason
                )
            )
            source.supervision_class, source.class_reason = to_class, c.reason
    return source


EDITABLE = ("name", "industry", "address", "permits", "contacts")


def update_source(session: Session, user, source_id: int, raw: dict, today: date | None = None) -> PollutionSource:
    """Edit a source's data and key-source/large-polluter flags; the class follows the rules (with history)."""
    with unit_of_work(session):
        source = visible_source(session, user, source_id)
        values = {f: fields.clean_text(raw.get(f)) for f in EDITABLE}
        if not values["name"]:
            raise InvalidInput("名称不能为空")
        key = fields.to_bool(raw.get("key_source"), "key_source")
        large = fields.to_bool(raw.get("large_polluter"), "large_polluter")
        for name, value in values.items():
            setattr(source, name, value)
        source.key_source, source.large_polluter = key, large
        c = rules.classify(
            key_source=key,
            large_polluter=large,
            last_violation=source.last_violation_on,
            today=today or rules.today_in_china(),
            requested=source.supervision_class,
            requested_reason=source.class_reason,
        )
        if c.supervision_class != source.supervision_class:
            source.history.append(
                SourceClassChange(
                    changed_by=user.username,
                    from_class=source.supervision_class,
                    to_class=c.supervision_class,
                    reason=f"信息变更：{c.reason}",
                )
            )
            source.supervision_class, source.class_reason = c.supervision_class, c.reason
    return source


def export_file(session: Session, path: str, user=None) -> int:
    """Write the active sources (those in ``user``'s grids, or all) to CSV/XLSX/GeoPackage; returns the count."""
    io.format_of(path)
    rows = []
    query = (
        select(
            PollutionSource,
            func.ST_X(PollutionSource.location),
            func.ST_Y(PollutionSource.location),
            func.ST_AsBinary(PollutionSource.site),
        )
        .where(PollutionSource.active)
        .order_by(PollutionSource.id)
    )
    for s, lon, lat, site in session.execute(query):
        if user is None or in_scope(user, s.grid_codes):
            rows.append(export_row(s, lon, lat, site))
    io.write_rows(path, rows, fields.EXPORT_COLUMNS)
    return len(rows)


def export_row(s: PollutionSource, lon: float, lat: float, site_wkb) -> dict:
    """One source as an export row (the standard import columns)."""
    return {
        "code": s.code,
        "name": s.name,
        "kind": s.kind,
        "lon": lon,
        "lat": lat,
        "industry": s.industry,
        "address": s.address,
        "permits": s.permits,
        "contacts": s.contacts,
        "key_source": "是" if s.key_source else "否",
        "large_polluter": "是" if s.large_polluter else "否",
        "last_violation_on": s.last_violation_on.isoformat() if s.last_violation_on else None,
        "class": s.supervision_class,
        "class_reason": s.class_reason,
        "grid_code": s.grid_codes[-1] if s.grid_codes else None,
        "sample_data": "是" if s.sample_data else "否",
        "site_wkt": shapely.from_wkb(bytes(site_wkb)).wkt if site_wkb is not None else None,
    }


def set_public(session: Session, user, source_id: int, public: bool) -> PollutionSource:
    """Put a source in the public register (信息公开) or take it out; its emission data follow its public stations."""
    capabilities.require(user, "disclose_sources")
    with unit_of_work(session):
        source = visible_source(session, user, source_id)
        source.public = public
    return source
