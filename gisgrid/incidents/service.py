"""Entry points for routes and the CLI: read a case, act on it, list, serialise."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from gisgrid.clock import china_iso, today_in_china
from gisgrid.db import row_id, unit_of_work
from gisgrid.deployment import Profile
from gisgrid.errors import DomainError
from gisgrid.grids import assignments
from gisgrid.grids import queries as grid_queries
from gisgrid.grids import units as grid_units
from gisgrid.incidents import access, citizen, links, photos, public_reply, queries, transfer, workflow
from gisgrid.incidents.models import OUTCOMES, Incident, IncidentEvent
from gisgrid.masking import masked_reporter


def load(session: Session, incident_id) -> Incident:
    """A case by id (NotFound otherwise), without any access check."""
    number = row_id(incident_id)
    found = session.get(Incident, number) if number else None
    if found is None:
        raise access.not_found(incident_id)
    return found


def get_case(session: Session, user, incident_id) -> Incident:
    """A case the user may see."""
    incident = load(session, incident_id)
    access.require_view(user, incident)
    return incident


def act(
    session: Session,
    user,
    incident_id,
    action: str,
    params: dict,
    upload: photos.Upload | None = None,
    profile: Profile | None = None,
) -> Incident:
    """Perform ``action`` on a case for ``user`` (role, grid, department and state checked; audited).

    ``profile``: the deployment's rules (who organises 联合执法); None means the GISGRID_DEPLOYMENT one.

    ``upload``: photos of the handler's feedback (``handle``) or of the on-site verification (``verify``,
    ``rework``); other actions refuse photos.
    """
    with unit_of_work(session):  # one unit: the step, its audit row and its photos, or none of them
        incident = get_case(session, user, incident_id)
        if action in workflow.MOVES:
            return workflow.transition(session, user, incident, action, params, upload, profile)
        photos.check_for(action, upload)
        if action == "transfer":
            return transfer.transfer(session, user, incident, params)
        if action in ("transfer_accept", "transfer_return"):
            return transfer.answer_transfer(session, user, incident, params, accept=action == "transfer_accept")
        if action == "transfer_complete":
            return transfer.transfer_complete(session, user, incident, params)
        if action == "transfer_feedback":
            return transfer.transfer_feedback(session, user, incident, params)
        if action == "task_done":
            return transfer.task_done(session, user, incident, params)
        return workflow.transition(session, user, incident, action, params)  # raises "unknown action"


def allowed_actions(user, incident: Incident) -> list[str]:
    """State moves the user could make now (the detail page shows only these)."""
    result = []
    for action, (sources, _target) in workflow.MOVES.items():
        if incident.state not in sources:
            continue
        try:
            workflow.check_permission(user, incident, action)
        except DomainError:
            continue
        result.append(action)
    return result


def escalate_now(session: Session, user) -> list[Incident]:
    """Run the overdue escalation (督办) now, over the cases in the user's scope (China's date)."""
    return transfer.escalate_overdue(session, today_in_china(), user)


def list_cases(session: Session, user, state: str | None = None, escalated: bool = False) -> list[Incident]:
    """Cases in the user's grids and department."""
    return queries.list_cases(session, user, state, escalated)


def summary(incident: Incident, today: date | None = None) -> dict:
    """Short JSON form of a case (list and map)."""
    today = today or today_in_china()
    return {
        "id": incident.id,
        "category": incident.category_code,
        "category_name": incident.category.name,
        "state": incident.state,
        "state_label": workflow.STATE_LABELS[incident.state],
        "lon": incident.lon,
        "lat": incident.lat,
        "grid_codes": incident.grid_codes,
        "unit_grid_codes": list(incident.unit_grid_codes or ()),
        "departments": incident.department_codes,
        "deadline": incident.deadline.isoformat() if incident.deadline else None,
        "overdue": workflow.is_overdue(incident, today),
        "transfer_overdue": any(transfer.feedback_status(t, today) == "overdue" for t in incident.transfers),
        "escalated_to": incident.escalated_to,
        "reported_at": china_iso(incident.reported_at),
        "channel": incident.channel,
        "description": incident.description,
    }


def summaries(incidents: list[Incident]) -> list[dict]:
    """``summary`` of each case, with today's date read once for the whole list."""
    today = today_in_china()
    return [summary(c, today) for c in incidents]


def detail(incident: Incident, user) -> dict:
    """Full JSON form of a case: audit timeline, transfer chain, joint sub-tasks, photos."""
    today = today_in_china()
    body = summary(incident, today)
    body.update(
        {
            "version_id": incident.version_id,
            "result": incident.result,
            "rework_count": incident.rework_count,
            "score": incident.score,
            "organiser": incident.organiser,
            "outcome": incident.outcome,
            "outcome_reason": incident.outcome_reason,
            "client_request_id": incident.client_request_id,
            "allowed_actions": allowed_actions(user, incident),
            # masked for everyone; the handler and dispatcher unmask through the audited 显示 (privacy.api)
            "reporter": masked_reporter(incident, access.may_reveal(user, incident)),
            "events": [
                {
                    "at": china_iso(e.at),
                    "actor": e.actor,
                    "action": e.action,
                    "from": e.from_state,
                    "to": e.to_state,
                    "reason": e.reason,
                }
                for e in incident.events
            ],
            "transfers": [transfer.as_json(t, today) for t in incident.transfers],
            "tasks": [
                {"id": t.id, "department": t.department_code, "done": t.done, "result": t.result}
                for t in incident.tasks
            ],
            "photos": [
                {"id": p.id, "url": f"/incidents/photos/{p.id}", "published": p.published, "stage": p.stage}
                for p in incident.photos
            ],
            # other domains' links (the inspection that opened it, a source registered from it)
            "links": links.of(object_session(incident), incident, user),
        }
    )
    return body


def _chains(session: Session, version_id: int, cases: list[Incident]) -> dict[int, list[str]]:
    # case id → its grid chain in version_id (cases outside every grid are left out)
    return grid_queries.leaf_codes_at(session, version_id, [(c.id, c.lon, c.lat) for c in cases])


def _moved(session: Session, version_id: int) -> list[assignments.Moved]:
    rows = list(
        session.scalars(
            select(Incident).where(Incident.state.in_(workflow.OPEN_STATES), Incident.version_id != version_id)
        )
    )
    chains = _chains(session, version_id, rows)
    placed = _placed_by_jurisdiction(session, [case.id for case in rows])
    result = []
    for case in rows:
        new = chains.get(case.id)
        if new != case.grid_codes and case.id not in placed:
            result.append(
                assignments.Moved(
                    "case",
                    case.id,
                    f"案件 {case.id}",
                    case.grid_codes[-1],
                    new[-1] if new else None,
                    case.lon,
                    case.lat,
                )
            )
    return result


def _placed_by_jurisdiction(session: Session, ids: list[int]) -> set[int]:
    # a case routed by a cross-boundary jurisdiction decision sits where the decision put it, not where its
    # point lies: a new boundary version must not offer to move it back
    return set(
        session.scalars(
            select(IncidentEvent.incident_id).where(
                IncidentEvent.incident_id.in_(ids), IncidentEvent.action == "jurisdiction"
            )
        )
    )


def _reassign(session: Session, ids: list[int], version_id: int) -> int:
    rows = list(session.scalars(select(Incident).where(Incident.id.in_(ids))))
    chains = _chains(session, version_id, rows)
    count = 0
    for case in rows:
        if chains.get(case.id):
            workflow.audit(
                session,
                case,
                None,
                "reassign",
                case.state,
                f"网格调整：{case.grid_codes[-1]} → {chains[case.id][-1]}（版本 {version_id}）",
            )
            case.grid_codes, case.version_id = chains[case.id], version_id
            case.unit_grid_codes = grid_units.codes_at(session, version_id, case.lon, case.lat)
            count += 1
    return count


assignments.register(assignments.Provider("case", "未结案件", _moved, _reassign))


def publish_photo(session: Session, user, photo_id, published: bool) -> dict:
    """Make a photo public (or private again); dispatchers and admins of the case's grids; audited."""
    with unit_of_work(session):
        from gisgrid.incidents.models import IncidentPhoto

        photo = session.get(IncidentPhoto, int(photo_id))
        if photo is None:
            raise access.not_found(f"photo {photo_id}")
        incident = get_case(session, user, photo.incident_id)
        access.require_grid_role(user, incident, ("dispatcher",))
        photo.published = published
        workflow.audit(
            session,
            incident,
            user,
            "photo_publish",
            incident.state,
            f"照片 {photo.id} {'公开' if published else '取消公开'}",
        )
    return {"id": photo.id, "published": photo.published}


def public_status(session: Session, number: str, reopen_days: int = 7) -> dict:
    """What anyone may know about a case (as Open311 GET shows): category, state, deadline, steps without actors.

    ``can_answer``: the 没有解决 form is offered (closed within ``reopen_days``); it carries the reply token of
    the closing notice's link or asks for the reply code; either is checked when the answer is posted.
    """
    incident = load(session, number)
    body = {
        k: v
        for k, v in summary(incident).items()
        if k in ("id", "category_name", "state", "state_label", "deadline", "reported_at")
    }
    body["outcome_label"] = OUTCOMES.get(incident.outcome) if incident.outcome else None
    body["public_reply"] = public_reply.for_case(session, incident.id)  # the handler's text marked public
    body["can_answer"] = citizen.may_reopen(incident, reopen_days)
    body["steps"] = [
        {"at": china_iso(e.at), "action": e.action, "to": e.to_state}
        for e in incident.events
        if e.action not in ("photo_publish", "reassign")
    ]
    return body
