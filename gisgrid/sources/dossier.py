"""一企一档: everything about one source for its page, its documents on disk, and the map/list views."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gisgrid import media
from gisgrid.auth.service import in_scope
from gisgrid.db import unit_of_work
from gisgrid.errors import InvalidInput, NotFound, TooLarge
from gisgrid.patrols import service as patrol_service
from gisgrid.patrols.service import period
from gisgrid.sources import inspections, queries, rules
from gisgrid.sources.models import PollutionSource, SourceDocument
from gisgrid.sources.service import visible_source

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
_SAFE_NAME = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


def dossier(session: Session, user, source_id: int, today: date | None = None) -> dict:
    """The source, its location, class history, inspections, documents and inspection due state."""
    source = visible_source(session, user, source_id)
    lon, lat = queries.source_lonlat(session, source_id)
    site = session.scalar(select(func.ST_AsGeoJSON(PollutionSource.site, 6)).where(PollutionSource.id == source_id))
    due = next(
        (
            r
            for r in queries.due_rows(session, today or rules.today_in_china(), rules.DUE_SOON_DAYS)
            if r["id"] == source_id
        ),
        None,
    )
    docs = session.scalars(
        select(SourceDocument).where(SourceDocument.source_id == source_id).order_by(SourceDocument.id)
    )
    return {
        "source": source,
        "lon": lon,
        "lat": lat,
        "site": json.loads(site) if site else None,
        "due": due,
        "inspections": inspections.inspections_of(session, source_id),
        "documents": list(docs),
        "frequencies": queries.frequencies(session),
        "grid": queries.grid_outline(session, source.grid_codes[-1] if source.grid_codes else None),
    }


def add_document(
    session: Session, user, source_id: int, title: str, filename: str, data: bytes, media_dir: str
) -> SourceDocument:
    """Store a file under ``media_dir/sources/<id>/`` and list it in the dossier; the file goes if the row does."""
    with unit_of_work(session):
        visible_source(session, user, source_id)
        if not data:
            raise InvalidInput("文件为空 (empty file)")
        if len(data) > MAX_DOCUMENT_BYTES:
            raise TooLarge.upload("file", MAX_DOCUMENT_BYTES, "档案文件")
        media.sniff_document(data)
        safe = _SAFE_NAME.sub("_", Path(filename or "file").name).strip("._")[:100] or "file"
        stored = media.save(session, media_dir, f"sources/{source_id}", data, "_" + safe)
        doc = SourceDocument(
            source_id=source_id,
            title=(title or "").strip() or safe,
            filename=safe,
            stored_path=stored,
            size=len(data),
            uploaded_by=user.username,
        )
        session.add(doc)
    return doc


def document_file(session: Session, user, source_id: int, doc_id: int, media_dir: str) -> tuple[Path, str]:
    """(absolute path, download name) of one document the user may see."""
    visible_source(session, user, source_id)
    doc = session.get(SourceDocument, doc_id)
    if doc is None or doc.source_id != source_id:
        raise NotFound("文件不存在")
    path = media.resolve(media_dir, doc.stored_path)
    if not path.is_file():
        raise NotFound("文件已不在存储目录中 (file missing on disk)")
    return path, doc.filename


def map_features(session: Session, user, today: date | None = None, all_levels: bool = False) -> dict:
    """Sources in the user's scope as GeoJSON with class, inspection status and grid chain; grid outlines."""
    rows = inspections.due_list(session, user, today)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
            "properties": {
                "id": r["id"],
                "code": r["code"],
                "name": r["name"],
                "kind": r["kind"],
                "class": r["supervision_class"],
                "status": r["status"],
                "due_on": r["due_on"].isoformat(),
                "last_inspected": r["last_on"].isoformat() if r["last_on"] else None,
                "days_overdue": r["days_overdue"],
                "grid_code": r["grid_codes"][-1] if r["grid_codes"] else None,
                "grid_codes": list(r["grid_codes"] or []),
                "sample_data": r["sample_data"],
            },
        }
        for r in rows
    ]
    return {"type": "FeatureCollection", "features": features, "grids": queries.grid_outlines(session, all_levels)}


PATROL_WINDOW_DAYS = 30
PATROL_DISTANCE_M = 100.0


def _unpatrolled(session: Session, user, today: date) -> list[dict]:
    """Sources in scope no patrol track passed within 100 m of in the last 30 days (today included)."""
    since, until = period(today - timedelta(days=PATROL_WINDOW_DAYS - 1), today)
    rows = patrol_service.visited_sources(session, since, until, PATROL_DISTANCE_M)
    return [r for r in rows if not r["visited"] and in_scope(user, r["grid_codes"])]


def reminders(session: Session, user, today: date | None = None) -> dict:
    """The staff dashboard: overdue and due-soon inspections, unpatrolled sources, counts per grid."""
    today = today or rules.today_in_china()
    rows = inspections.due_list(session, user, today)
    return {
        "overdue": [r for r in rows if r["status"] == "overdue"],
        "unpatrolled": _unpatrolled(session, user, today),
        "due_soon": [r for r in rows if r["status"] == "due_soon"],
        "by_grid": inspections.by_grid(rows, user),
        "total": len(rows),
        "frequencies": queries.frequencies(session),
        "grid_names": queries.grid_names(session),
    }


_DUE_KEYS = ("id", "code", "name", "supervision_class", "grid_codes", "last_on", "due_on", "status", "days_overdue")


def due_json(session: Session, user, today: date | None = None) -> dict:
    """The API's view of the reminders: overdue and due-soon sources (dates as ISO text), counts, intervals."""
    data = reminders(session, user, today)

    def pick(rows: list[dict]) -> list[dict]:
        return [{k: (r[k].isoformat() if hasattr(r[k], "isoformat") else r[k]) for k in _DUE_KEYS} for r in rows]

    return {
        "overdue": pick(data["overdue"]),
        "due_soon": pick(data["due_soon"]),
        "by_grid": data["by_grid"],
        "frequencies": data["frequencies"],
    }
