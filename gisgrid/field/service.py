"""What the phone keeps for offline use: my grids and their contacts, my sources, my 待办, the forms' choices."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from gisgrid.auth.capabilities import can
from gisgrid.auth.service import sees_all
from gisgrid.field import queries
from gisgrid.inbox import service as inbox
from gisgrid.incidents import matrix
from gisgrid.sources import checklists, inspections


def _contacts(grid) -> dict:
    # staff read their own grids' private phones too: they are the people who call them
    return {
        "entity": grid.entity,
        "leader": grid.leader_name,
        "leader_phone": grid.leader_phone,
        "contact_phone": grid.contact_phone,
        "staff": [{"name": s.name, "role": s.role, "phone": s.phone} for s in grid.staff],
    }


def grids(session: Session, user) -> dict:
    """My grids' outlines with name, code and contacts (GeoJSON)."""
    codes = None if sees_all(user) else sorted(user.grid_codes)
    features = [
        {
            "type": "Feature",
            "geometry": outline,
            "properties": {"code": g.code, "name": g.name, "level": g.level, **_contacts(g)},
        }
        for g, outline in queries.my_grids(session, codes)
    ]
    return {"type": "FeatureCollection", "features": features}


def _source(row: dict, dossier) -> dict:
    return {
        "id": row["id"],
        "code": row["code"],
        "name": row["name"],
        "kind": row["kind"],
        "class": row["supervision_class"],
        "lon": row["lon"],
        "lat": row["lat"],
        "status": row["status"],
        "due_on": row["due_on"].isoformat(),
        "last_inspected": row["last_on"].isoformat() if row["last_on"] else None,
        "inspections": row["inspections"],
        "address": dossier.address if dossier else None,
        "industry": dossier.industry if dossier else None,
        "contacts": dossier.contacts if dossier else None,
        "permits": dossier.permits if dossier else None,
        "checklist": list(checklists.checklist(row["kind"])),
    }


def sources(session: Session, user) -> list[dict]:
    """The sources in my grids, soonest due first, with the dossier summary and the checklist of their kind."""
    rows = inspections.due_list(session, user)
    found = queries.dossiers(session, [r["id"] for r in rows])
    return [_source(r, found.get(r["id"])) for r in rows]


def bundle(session: Session, user) -> dict:
    """Everything the app shows offline, in one answer the service worker caches."""
    return {
        "user": {"name": user.display_name, "role": user.role_label},
        "can": {
            "patrol": can(user, "upload_tracks"),
            "report_patrol": can(user, "report_patrol"),
            "inspect": can(user, "inspect_sources"),
        },
        "grids": grids(session, user),
        "sources": sources(session, user) if can(user, "inspect_sources") else [],
        "inbox": [inbox.as_json(e) for e in inbox.entries(session, user)],
        "categories": [{"code": c.code, "name": c.name} for c in matrix.categories(session)],
        "fetched_at": datetime.now(UTC).isoformat(),
    }
