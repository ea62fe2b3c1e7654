"""Grid registry services: import, publish, export and point lookup.

Services take plain values and a session, own the transaction, and never touch
``flask.request``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import shapely
from sqlalchemy.orm import Session

from gisgrid import coords
from gisgrid.db import unit_of_work
from gisgrid.errors import Conflict, InvalidInput, NotFound, ValidationFailed
from gisgrid.grids import fields, queries, units, versions
from gisgrid.grids import repair as repair_mod
from gisgrid.grids.reader import read_grids
from gisgrid.grids.repair_report import RepairReport
from gisgrid.grids.validation import format_report, validate_grids

GRID_COLUMNS = fields.GRID_COLUMNS  # stored columns of table grid, from the field registry


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote."""

    version_id: int
    grid_count: int
    published: bool
    warnings: list
    repair: RepairReport | None = None


@dataclass(frozen=True)
class RepairLimits:
    """``--repair``: snap vertices closer than ``snap_m``; give gaps narrower than ``max_gap_width_m`` away."""

    snap_m: float = repair_mod.DEFAULT_SNAP_M
    max_gap_width_m: float = repair_mod.DEFAULT_MAX_GAP_WIDTH_M


def file_digest(path: str) -> str:
    """sha256 of a file, used to recognise a dataset that is already loaded."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def import_file(
    session: Session,
    path: str,
    *,
    layer=None,
    crs=None,
    field_map=None,
    label: str | None = None,
    publish: bool = False,
    tolerance_m2: float = 1.0,
    unit_depths: tuple[int, ...] = (),
    progress=None,
    repair: RepairLimits | None = None,
    report_path: str | None = None,
) -> ImportResult:
    """Read, (optionally repair,) validate and store a boundary file as a new draft version (optionally published).

    ``unit_depths``: the profile's levels that may designate unit grids; ``progress(done, total)`` follows
    the validation (see ``validate_grids``). With ``repair``, the repair report is written to
    ``report_path`` (.geojson/.csv) before validation, so a planner can inspect it in QGIS even when what
    is left still fails validation.
    """
    frame = read_grids(path, layer=layer, crs=crs, field_map=field_map)
    source = f"{Path(path).name} sha256:{file_digest(path)}"
    label = label or Path(path).stem
    return import_frame(
        session,
        frame,
        label=label,
        source=source,
        publish=publish,
        tolerance_m2=tolerance_m2,
        unit_depths=unit_depths,
        progress=progress,
        repair=repair,
        report_path=report_path,
    )


def repair_frame(frame, limits: RepairLimits, report_path: str | None = None):
    """(repaired frame, RepairReport); the report is written to ``report_path`` when given."""
    if len(frame) == 0:
        raise InvalidInput("文件中没有任何网格要素 (the file has no features)")
    repaired, report = repair_mod.repair(frame, limits.snap_m, limits.max_gap_width_m)
    if report_path:
        report.write(report_path)
    return repaired, report


def import_frame(
    session: Session,
    frame,
    *,
    label: str,
    source: str | None = None,
    publish: bool = False,
    tolerance_m2: float = 1.0,
    unit_depths: tuple[int, ...] = (),
    progress=None,
    repair: RepairLimits | None = None,
    report_path: str | None = None,
) -> ImportResult:
    """(Optionally repair,) validate a normalised GeoDataFrame, then write it all or nothing."""
    if len(frame) == 0:
        raise InvalidInput("文件中没有任何网格要素 (the file has no features)")
    report = None
    if repair is not None:
        frame, report = repair_frame(frame, repair, report_path)
    problems = validate_grids(frame, tolerance_m2=tolerance_m2, unit_depths=unit_depths, progress=progress)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        repaired = f"{report.summary()}\n修复后仍有错误 (errors left after the repair):\n" if report else ""
        raise ValidationFailed(
            f"校验未通过，共 {len(errors)} 个错误，未写入任何数据 (validation failed: nothing was written)\n"
            + repaired
            + format_report(problems),
            details=[p.to_dict() for p in problems],
        )
    with unit_of_work(session):
        version_id = _write_version(session, frame, label, source, report.metadata() if report else None)
        if publish:
            versions.publish(session, version_id)
    warnings = [p.to_dict() for p in problems if p.severity != "error"]
    return ImportResult(version_id, len(units.split(frame)[0]), publish, warnings, report)


def _write_version(session: Session, frame, label: str, source: str | None, repair: dict | None = None) -> int:
    version_id = queries.insert_version(session, label, source, repair)
    write_grids(session, version_id, frame)
    return version_id


def write_grids(session: Session, version_id: int, frame) -> None:
    """Insert a normalised frame's grids, staff and unit grids into ``version_id``, build its lookup parts (no commit)."""
    frame, unit_frame = units.split(frame)
    rows = [
        _grid_row(record, geom) for record, geom in zip(frame[list(GRID_COLUMNS)].to_dict("records"), frame.geometry)
    ]
    ids = queries.insert_grids(session, version_id, rows)
    # read_grids normalised each person to {name, role, phone, phone_public} (fields.parse_staff)
    staff = [
        {"grid_id": ids[row["code"]], "position": i, **person}
        for row, people in zip(rows, frame["staff"])
        for i, person in enumerate(people or [])
    ]
    queries.insert_staff(session, staff)
    queries.build_version(session, version_id)
    unit_records = unit_frame[list(GRID_COLUMNS)].to_dict("records")
    units.insert_units(session, version_id, [_grid_row(r, g) for r, g in zip(unit_records, unit_frame.geometry)])


def _clean(value):
    # pandas hands back NaN for empty cells; the database wants NULL
    return None if value is None or (isinstance(value, float) and value != value) else value


def _grid_row(record: dict, geom) -> dict:
    row = {key: _clean(record[key]) for key in GRID_COLUMNS}
    row["level"] = int(row["level"])
    for flag, default in fields.BOOL_DEFAULTS.items():
        row[flag] = default if row[flag] is None else bool(row[flag])
    row["wkb"] = shapely.to_wkb(geom)
    return row


def publish_version(session: Session, version_id: int) -> None:
    """Publish a stored version: lookups switch to it in one transaction."""
    version = versions.by_id(session, version_id)
    if version.status == "published":
        raise Conflict(f"边界版本 {version_id} 已是当前发布版本 (already published)")
    with unit_of_work(session):
        versions.publish(session, version_id)


@dataclass(frozen=True)
class LookupQuery:
    """What a single lookup asks: the point as given (x/y win over lon/lat), its CRS, radius and day."""

    x: float
    y: float
    crs: str | None
    radius_m: float
    at: object = None  # a date: answer from the version published at the end of that day

    @classmethod
    def from_args(cls, args: dict, default_radius_m: float) -> LookupQuery:
        """``PointArgs``' parsed values (lean or schema) → the query; no ``near``: the setting's radius."""
        use_xy = args.get("x") is not None or args.get("y") is not None
        x, y = (args.get("x"), args.get("y")) if use_xy else (args.get("lon"), args.get("lat"))
        near = args.get("near")
        return cls(x, y, args.get("crs"), default_radius_m if near is None else near, args.get("at"))


def lookup(read, x: float, y: float, crs_name: str | None, radius_m: float, at=None, memory=None) -> str:
    """Resolve a point in any supported CRS to its grid chain as a JSON document; NotFound outside every grid.

    ``read(work)`` runs ``work(dbapi_connection)`` (``db.read``); ``memory``: the published version resident
    in this process (``grids.resident``), which answers without a round trip when it can answer exactly.
    ``at`` (a date): answer from the version that was published at the end of that day (always SQL).
    """
    lon, lat = coords.point_to_wgs84(x, y, crs_name)
    result = memory.answer(lon, lat, radius_m) if memory is not None and at is None else None
    if result is None:
        result = read(lambda conn: _lookup_sql(conn, lon, lat, radius_m, at))
    return lookup_document(result, x, y, crs_name, (lon, lat), radius_m)


def lookup_document(result: dict, x: float, y: float, crs_name: str | None, wgs84: tuple, radius_m: float) -> str:
    """The lookup's JSON document from a lookup.sql-shaped ``result``; NotFound without a version or a chain.

    The one assembly of the document: the Flask route (through ``lookup``) and the WSGI fast path
    (``grids.lookup_wsgi``) both call it, so their bodies are the same bytes.
    """
    if result["version"] is None:
        raise NotFound("尚无已发布的网格边界版本 (no boundary version is published)")
    lon, lat = wgs84
    query = {"lon": round(lon, 9), "lat": round(lat, 9), "crs": crs_name or "wgs84", "input": [x, y]}
    if result["chain"] is None:
        raise NotFound(
            "该位置不在任何已发布网格内 (no published grid covers this point)",
            details={"query": query, "near_boundary": json.loads(result["near_boundary"])},
        )
    # the JSON of the database is spliced in as text: parsing and re-serialising it cost more than the query
    return (
        f'{{"query":{json.dumps(query, ensure_ascii=False)},"version":{result["version"]},'
        f'"grid":{result["grid"]},"chain":{result["chain"]},"near_boundary_m":{json.dumps(radius_m)},'
        f'"near_boundary":{result["near_boundary"]},"unit_grids":{result["unit_grids"]}}}'
    )


def _lookup_sql(conn, lon: float, lat: float, radius_m: float, at) -> dict:
    # the published version is resolved inside lookup.sql (no extra round trip on the hot path)
    version_id = versions.id_on_day(conn, at) if at is not None else None
    return queries.lookup_point(conn, lon, lat, radius_m, version_id)
