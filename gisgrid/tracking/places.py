"""The 督办 lists on a map: each item placed through what it is about (sql/item_places.sql), coloured by state."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy.orm import Session

from gisgrid import sqlfiles
from gisgrid.grids import versions as grid_versions
from gisgrid.tracking import present, queries
from gisgrid.tracking.models import TrackedItem

LOCATED_BY = {
    "case": "案件位置",
    "transfer": "移送案件位置",
    "source": "污染源位置",
    "grid": "网格",
    "owner_grid": "责任网格",
}

# (colour key, colour, legend label): overdue before the states, the page's legend in this order
LEGEND = (
    ("escalated", "#7b1fa2", "超期已升级"),
    ("overdue", "#c62828", "超期"),
    ("open", "#757575", "待办理"),
    ("in_progress", "#f9a825", "办理中"),
    ("sent_back", "#ef6c00", "已退回"),
    ("reported_done", "#1565c0", "已报结"),
    ("accepted", "#2e7d32", "已验收"),
)
COLOURS = {key: colour for key, colour, _label in LEGEND}


def colour_key(row: dict) -> str:
    """What the map colours an item by: overdue first (escalated or not), else its state."""
    if row["overdue"]:
        return "escalated" if row["escalation_level"] else "overdue"
    return row["state"]


def features(session: Session, user, filters: dict, today: date) -> dict:
    """GeoJSON of the items the list shows (same scope and filters): a point each, a grid's outline too."""
    items = queries.list_items(session, user, filters, today)
    version = grid_versions.find_published(session)
    ids = [i.id for i in items]
    rows = {}
    if ids:
        stmt = sqlfiles.statement("gisgrid.tracking", "item_places.sql")
        params = {"ids": ids, "v": version.id if version else None}
        rows = {r["id"]: r for r in session.execute(stmt, params).mappings()}
    out = []
    for item in items:
        if item.id in rows:
            out += _item_features(item, rows[item.id], today)
    return {"type": "FeatureCollection", "features": out, "unplaced": len(items) - sum(1 for i in ids if i in rows)}


def _item_features(item: TrackedItem, place: dict, today: date) -> list[dict]:
    row = present.summary(item, today)
    props = {
        **{k: row[k] for k in ("id", "kind", "title", "priority_label", "state", "state_label", "due", "overdue")},
        "escalation_level": row["escalation_level"],
        "colour": colour_key(row),
        "located_by": place["located_by"],
        "located_by_label": LOCATED_BY[place["located_by"]],
        "url": f"/tracking/{item.id}",
    }
    point = {"type": "Point", "coordinates": [place["lon"], place["lat"]]}
    out = [{"type": "Feature", "geometry": point, "properties": {**props, "role": "item"}}]
    if place["outline"]:
        out.append(
            {"type": "Feature", "geometry": json.loads(place["outline"]), "properties": {**props, "role": "outline"}}
        )
    return out
