"""Entry points for routes: record an event from a case, link cases, resolve, describe, list."""

from __future__ import annotations

from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import mapping
from sqlalchemy import select
from sqlalchemy.orm import Session

from gisgrid.auth import roles
from gisgrid.clock import china_iso
from gisgrid.db import row_id, unit_of_work
from gisgrid.errors import Conflict, Forbidden, InvalidInput
from gisgrid.grids import versions as grid_versions
from gisgrid.incidents import access as case_access
from gisgrid.incidents import service as case_service
from gisgrid.incidents import workflow
from gisgrid.jurisdiction import access, areas, disputes, geoinput, resolve, rules
from gisgrid.jurisdiction.models import EventArea, EventCase, PollutionEvent
from gisgrid.jurisdiction.resolve import Area, Resolution
from gisgrid.web import parse_day


def load_event(session: Session, event_id) -> PollutionEvent:
    """An event by id, without access checks (NotFound otherwise)."""
    number = row_id(event_id)
    event = session.get(PollutionEvent, number) if number else None
    if event is None:
        raise access.not_found("跨界事件", event_id)
    return event


def event_of_case(session: Session, incident_id: int) -> PollutionEvent | None:
    """The event a case is linked to, if any."""
    link = session.get(EventCase, incident_id)
    return session.get(PollutionEvent, link.event_id) if link else None


def reports(event: PollutionEvent) -> list[rules.Report]:
    """The linked cases as the rules weigh them (grid that received each, when, channel)."""
    return [
        rules.Report(link.incident_id, tuple(link.received_chain), link.received_at, link.channel)
        for link in event.cases
    ]


def resolution(session: Session, event: PollutionEvent) -> Resolution:
    """Resolve a stored event with its stored areas, linked cases and designation."""
    stored = tuple(Area(a.kind, to_shape(a.geom), dict(a.params)) for a in event.areas)
    return resolve.resolve(
        session, event.version_id, to_shape(event.act_geom), stored, reports(event), disputes.decision(event)
    )


def get_event(session: Session, user, event_id) -> tuple[PollutionEvent, Resolution]:
    """An event the user may see, with its resolution."""
    event = load_event(session, event_id)
    result = resolution(session, event)
    access.require_view(user, event, result)
    return event, result


def _require_unlocked(event: PollutionEvent) -> None:
    if disputes.open_dispute(event) is not None:
        raise Conflict("管辖争议待指定，暂不能修改事件 (a dispute awaits designation)")
    if disputes.decision(event) is not None:
        raise Conflict("已指定管辖，不能再修改发生地或关联案件 (jurisdiction was designated)")


def _link(event: PollutionEvent, incident, user) -> None:
    event.cases.append(
        EventCase(
            incident_id=incident.id,
            received_chain=list(incident.grid_codes),
            received_at=incident.reported_at,
            channel=incident.channel,
            linked_by=user.display_name,
        )
    )


def record(session: Session, user, incident_id, payload: dict) -> PollutionEvent:
    """Create or replace the case's event: act location, observed harm, derivations (all or nothing)."""
    with unit_of_work(session, conflict=f"案件 {row_id(incident_id)} 已关联跨界事件 (case already linked)"):
        if not isinstance(payload, dict):
            raise InvalidInput("请求体须为 JSON 对象 (body must be a JSON object)")
        incident = case_service.get_case(session, user, incident_id)
        case_access.require_grid_role(user, incident, access.RECORDERS)
        event = event_of_case(session, incident.id)
        if event is not None:
            _require_unlocked(event)
        crs = payload.get("crs")
        act = geoinput.parse(payload.get("act"), crs, "act")
        harm = areas.from_request(session, act, payload, crs)
        version_id = event.version_id if event else incident.version_id
        resolve.resolve(session, version_id, act, harm)  # refuses an act outside every grid before writing
        if event is None:
            event = PollutionEvent(version_id=version_id, created_by=user.display_name, title="")
            session.add(event)
            _link(event, incident, user)
        else:
            event.updated_by, event.updated_at = user.display_name, workflow.now()
        event.title = str(payload.get("title") or "").strip()[:200] or f"案件 {incident.id} 跨界污染"
        event.act_geom = from_shape(act, srid=4326)
        event.areas = [EventArea(kind=a.kind, params=a.params, geom=from_shape(a.geom, srid=4326)) for a in harm]
    return event


def link_case(session: Session, user, event_id, incident_id) -> PollutionEvent:
    """Add another report of the same act to the event (its receiving grid and time count for 最先接到举报)."""
    with unit_of_work(session, conflict=f"案件 {row_id(incident_id)} 已关联其他跨界事件 (case already linked)"):
        event, _ = get_event(session, user, event_id)
        _require_unlocked(event)
        if incident_id in (None, ""):
            raise InvalidInput("请填写要关联的案件编号 (incident_id is required)")
        incident = case_service.get_case(session, user, incident_id)
        case_access.require_grid_role(user, incident, access.RECORDERS)
        linked = session.get(EventCase, incident.id)
        if linked is not None:
            raise Conflict(f"案件 {incident.id} 已关联跨界事件 {linked.event_id} (case already linked)")
        _link(event, incident, user)
    return event


def unlink_case(session: Session, user, event_id, incident_id) -> PollutionEvent:
    """Take a wrongly linked case off the event; the last case cannot be taken off."""
    with unit_of_work(session):
        event, _ = get_event(session, user, event_id)
        _require_unlocked(event)
        link = next((c for c in event.cases if c.incident_id == row_id(incident_id)), None)
        if link is None:
            raise access.not_found("关联案件", incident_id)
        case_access.require_grid_role(user, link.incident, access.RECORDERS)
        if len(event.cases) == 1:
            raise Conflict("事件至少须关联一个案件 (an event keeps at least one case)")
        event.cases.remove(link)
    return event


def resolve_adhoc(session: Session, user, payload: dict) -> dict:
    """Resolve an act and harm without storing anything.

    The version is the published one, the one in force ``at`` a date, or, with ``incident_id``, the case's
    (its event's reports then count for 最先接到举报, as a preview of recording it).
    """
    if not isinstance(payload, dict):
        raise InvalidInput("请求体须为 JSON 对象 (body must be a JSON object)")
    crs = payload.get("crs")
    act = geoinput.parse(payload.get("act"), crs, "act")
    version_id, weighed = _preview_basis(session, user, payload)
    harm = areas.from_request(session, act, payload, crs)
    result = resolve.resolve(session, version_id, act, harm, weighed)
    return {**resolve.to_json(session, result), "map": resolve.map_features(session, result)}


def _preview_basis(session: Session, user, payload: dict) -> tuple[int, list[rules.Report]]:
    if payload.get("incident_id") in (None, ""):
        return _version(session, payload.get("at")), []
    incident = case_service.get_case(session, user, payload.get("incident_id"))
    event = event_of_case(session, incident.id)
    if event is not None:
        return event.version_id, reports(event)
    return incident.version_id, [
        rules.Report(incident.id, tuple(incident.grid_codes), incident.reported_at, incident.channel)
    ]


def _version(session: Session, at) -> int:
    day = parse_day(at if at is None or isinstance(at, str) else str(at))
    return grid_versions.resolve(session, day).id


def _dispute_json(d) -> dict:
    return {
        "id": d.id,
        "parties": d.parties,
        "deciding": d.deciding_code,
        "reason": d.reason,
        "raised_by": d.raised_by,
        "raised_at": china_iso(d.raised_at),
        "state": d.state,
        "designated": d.designated_code,
        "decision_reason": d.decision_reason,
        "decided_by": d.decided_by,
        "decided_at": china_iso(d.decided_at),
    }


def describe(session: Session, user, event: PollutionEvent, result: Resolution) -> dict:
    """The event as the API and the panel show it: resolution, cases, disputes, map, what the user may do."""
    pending = disputes.open_dispute(event)
    status = "disputed" if pending else ("undetermined" if result.outcome.holder is None else "settled")
    return {
        "id": event.id,
        "title": event.title,
        "version_id": event.version_id,
        "status": status,
        "created_by": event.created_by,
        "created_at": china_iso(event.created_at),
        "updated_by": event.updated_by,
        "updated_at": china_iso(event.updated_at),
        "act": mapping(result.act),
        "areas": [{"kind": a.kind, "params": a.params} for a in result.areas],
        "cases": [
            {
                "incident_id": c.incident_id,
                "received_chain": c.received_chain,
                "received_at": china_iso(c.received_at),
                "channel": c.channel,
                "state": c.incident.state,
                "grid_codes": c.incident.grid_codes,
            }
            for c in event.cases
        ],
        "disputes": [_dispute_json(d) for d in event.disputes],
        "resolution": resolve.to_json(session, result),
        "allowed": disputes.allowed(session, user, event, result),
        "map": resolve.map_features(session, result),
    }


def for_case(session: Session, user, incident_id) -> dict:
    """The case's jurisdiction panel data: its event, or none yet (and whether the user may record one)."""
    incident = case_service.get_case(session, user, incident_id)
    if user.role == roles.PUBLIC:
        raise Forbidden("跨界管辖信息仅限工作人员查看 (staff only)")
    event = event_of_case(session, incident.id)
    if event is None:
        may_record = access.may(lambda: case_access.require_grid_role(user, incident, access.RECORDERS))
        return {"event": None, "incident_id": incident.id, "may_record": may_record, **_case_place(incident)}
    result = resolution(session, event)
    return {"event": describe(session, user, event, result), "incident_id": incident.id, **_case_place(incident)}


def _case_place(incident) -> dict:
    # where the case was reported and the level of its grid: the recording map starts there
    return {
        "case_point": {"type": "Point", "coordinates": [incident.lon, incident.lat]},
        "case_level": len(incident.grid_codes),
    }


def list_events(session: Session, user) -> list[dict]:
    """Events the user may see, newest first, each with its holder and status."""
    rows = session.scalars(select(PollutionEvent).order_by(PollutionEvent.id.desc()))
    listed = []
    for event in rows:
        result = resolution(session, event)
        if access.can_view(user, event, result):
            outcome = result.outcome
            listed.append(
                {
                    "id": event.id,
                    "title": event.title,
                    "holder": outcome.holder,
                    "rule": outcome.rule,
                    "act": mapping(result.act),
                    "rule_label": rules.RULE_LABELS[outcome.rule],
                    "disputed": disputes.open_dispute(event) is not None,
                    "jurisdiction": [h.code for h in result.jurisdiction],
                    "notified": [h.code for h in result.notified],
                    "cases": [c.incident_id for c in event.cases],
                }
            )
    return listed
