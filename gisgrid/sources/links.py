"""The links a case page shows to sources: the inspection that opened it, the source registered from it.

Registered with incidents.links (incidents imports nothing of sources). A 新增污染源 case not yet
registered offers the registration form to users who may register sources.
"""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid.auth import capabilities
from gisgrid.incidents import links, matrix
from gisgrid.sources import queries
from gisgrid.sources.models import Inspection, PollutionSource


@links.register
def case_links(session: Session, incident, user) -> list[dict]:
    """Source links of one case."""
    found = [_inspection_link(session, i) for i in session.scalars(_inspections(incident.id))]
    source = queries.source_of_incident(session, incident.id)
    if source is not None:
        found.append(_source_link("registered_source", f"已登记为污染源：{source.name}（{source.code}）", source))
    elif incident.category_code == matrix.NEW_SOURCE and capabilities.can(user, "register_sources"):
        url = url_for("sources.register_page", incident=incident.id)
        found.append({"kind": "register_source", "label": "登记该新增污染源", "url": url})
    return found


def _inspections(incident_id: int):
    return select(Inspection).where(Inspection.incident_id == incident_id).order_by(Inspection.id)


def _inspection_link(session: Session, inspection: Inspection) -> dict:
    source = session.get(PollutionSource, inspection.source_id)
    label = f"由污染源 {source.name}（{source.code}）{inspection.inspected_on} 的检查发现违法而立案"
    return {**_source_link("inspection", label, source), "inspection_id": inspection.id}


def _source_link(kind: str, label: str, source: PollutionSource) -> dict:
    return {"kind": kind, "label": label, "url": url_for("sources.detail", source_id=source.id), "source_id": source.id}
