"""Open311 GeoReport v2 at /open311/v2/: services = incident categories, requests = cases (json and xml).

CSRF-exempt because it never reads the session cookie: every request is anonymous (channel
"open311"); an API key is required only when GISGRID_OPEN311_API_KEYS is set.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from functools import wraps

from flask import Response, current_app, jsonify, request

from gisgrid.contract import Blueprint
from gisgrid.db import db
from gisgrid.errors import DomainError, Forbidden, NotFound
from gisgrid.incidents import intake, matrix, public_reply, queries, service
from gisgrid.incidents import open311_schemas as s
from gisgrid.incidents.models import OUTCOMES
from gisgrid.incidents.open311_schemas import FORMATS
from gisgrid.incidents.report import Report, located

bp = Blueprint("open311", __name__, url_prefix="/open311/v2", description="Open311 GeoReport v2 (json or xml)")
CLOSED = ("closed", "evaluated", "rejected")


def _xml(root: str, item: str, rows: list[dict]) -> Response:
    top = ET.Element(root)
    for row in rows:
        node = ET.SubElement(top, item)
        for key, value in row.items():
            child = ET.SubElement(node, key)
            if isinstance(value, list):
                for sub in value:
                    ET.SubElement(child, "value").text = str(sub)
            elif value is not None:
                child.text = str(value).lower() if isinstance(value, bool) else str(value)
    body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8", xml_declaration=False)
    return Response(body, mimetype="text/xml")


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise NotFound("格式只能是 json 或 xml (format must be json or xml)")


def _reply(fmt: str, root: str, item: str, rows: list[dict], status: int = 200):
    _check_format(fmt)
    resp = _xml(root, item, rows) if fmt == "xml" else jsonify(rows)
    resp.status_code = status
    return resp


@bp.errorhandler(DomainError)
def _error(err: DomainError):
    # GeoReport v2 errors are a list of {code, description}, in the format of the request
    rows = [{"code": err.status, "description": err.message}]
    fmt = "xml" if request.path.endswith(".xml") else "json"
    return _reply(fmt, "errors", "error", rows, err.status)


def _check_jurisdiction() -> None:
    given = (request.values.get("jurisdiction_id") or "").strip()
    if given and given != current_app.config["OPEN311_JURISDICTION"]:
        raise NotFound(f"未知的 jurisdiction_id {given!r} (unknown jurisdiction)")


def _guarded(*checks):
    """Run ``checks`` (jurisdiction, api key) before the request's fields are judged: 404/403 before 400."""

    def decorator(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            for check in checks:
                check()
            return view(*args, **kwargs)

        return guarded

    return decorator


def _service_row(cat) -> dict:
    return {
        "service_code": cat.code,
        "service_name": cat.name,
        "description": cat.description or cat.name,
        "metadata": False,
        "type": "realtime",
        "keywords": ",".join(cat.department_codes),
        "group": "环境",
    }


@bp.get("/services.<fmt>", parameters=s.FORMAT)
@_guarded(_check_jurisdiction)
@bp.arguments(s.JurisdictionArgs, location="query")
@bp.doc(responses=s.ok(s.Service(many=True), "the services"))
def services(_args: dict, fmt: str):
    """The incident categories as Open311 services."""
    return _reply(fmt, "services", "service", [_service_row(c) for c in matrix.categories(db.session())])


@bp.get("/services/<code>.<fmt>", parameters=s.FORMAT)
@_guarded(_check_jurisdiction)
@bp.arguments(s.JurisdictionArgs, location="query")
@bp.doc(responses=s.ok(s.ServiceDefinition, "the service definition"))
def service_definition(_args: dict, code: str, fmt: str):
    """A service definition (no extra attributes: every category takes description, location, photos)."""
    cat = matrix.category(db.session(), code)
    body = {"service_code": cat.code, "attributes": []}
    _check_format(fmt)
    if fmt == "xml":
        top = ET.Element("service_definition")
        ET.SubElement(top, "service_code").text = cat.code
        ET.SubElement(top, "attributes")
        return Response(ET.tostring(top, encoding="utf-8", xml_declaration=True), mimetype="text/xml")
    return jsonify(body)


def _check_key() -> None:
    keys = [k.strip() for k in current_app.config["OPEN311_API_KEYS"].split(",") if k.strip()]
    if keys and request.values.get("api_key") not in keys:
        raise Forbidden("api_key 无效 (invalid api_key)")


def _client_scope() -> str:
    # an api_key identifies the client (stored hashed); without one, the spec's device_id, else the address
    key = (request.values.get("api_key") or "").strip()
    if key:
        return "open311:key:" + hashlib.sha256(key.encode()).hexdigest()[:32]
    jurisdiction = current_app.config["OPEN311_JURISDICTION"]
    device = (request.values.get("device_id") or "").strip()[:100]
    return f"open311:{jurisdiction}:" + (f"device:{device}" if device else f"addr:{request.remote_addr}")


def _report(form: dict) -> Report:
    # GeoReport v2 names (service_code, long, first_name, phone/email, address_string) → the domain's Report
    lon, lat = located(form["long"], form["lat"], None, x_field="long")
    return Report(
        channel="open311",
        category=form["service_code"],
        description=form["description"],
        lon=lon,
        lat=lat,
        address=form.get("address_string") or form.get("address"),
        reporter_name=form.get("first_name"),
        reporter_contact=form.get("phone") or form.get("email"),
        client_request_id=form.get("client_request_id"),
    )


@bp.post("/requests.<fmt>", parameters=s.FORMAT)
@_guarded(_check_jurisdiction, _check_key)
@bp.arguments(s.RequestForm, location="form")
@bp.doc(responses=s.ok(s.Receipt(many=True), "the case made (201) or, for a retry, the first (200)", ("201", "200")))
@bp.doc(security=[{}, {"api_key": []}])
def create_request(form: dict, fmt: str):
    """Create a case from a form-encoded GeoReport request (idempotent with client_request_id)."""
    incident, _created = intake.report(
        db.session(), _report(form), None, current_app.config["MEDIA_DIR"], client_scope=_client_scope()
    )
    row = {"service_request_id": str(incident.id), "service_notice": "已受理，将按网格派遣处置", "account_id": None}
    return _reply(fmt, "service_requests", "request", [row], 201 if _created else 200)


def _request_row(c, reply: dict | None = None) -> dict:
    updated = max(e.at for e in c.events) if c.events else c.reported_at
    # a client reading back its own request by id learns the status; the free text waits for 立案
    reviewed = c.state not in queries.UNREVIEWED
    return {
        "service_request_id": str(c.id),
        "status": "closed" if c.state in CLOSED else "open",
        "status_notes": _status_notes(c, reply),
        "service_code": c.category_code,
        "service_name": c.category.name,
        "description": c.description if reviewed else None,
        "agency_responsible": ",".join(c.department_codes) or None,
        "service_notice": None,
        "requested_datetime": c.reported_at.isoformat(),
        "updated_datetime": updated.isoformat(),
        "expected_datetime": c.deadline.isoformat() if c.deadline else None,
        "address": c.address if reviewed else None,
        "lat": c.lat,
        "long": c.lon,
        "media_url": None,
    }


def _status_notes(c, reply: dict | None) -> str:
    # GeoReport v2 status_notes: the state, the outcome of a closed case and the handler's public reply
    # (incidents/public_reply.py); internal notes and personal data never
    notes = service.workflow.STATE_LABELS[c.state]
    if c.outcome:
        notes += f"；结果：{OUTCOMES[c.outcome]}"
    if reply:
        notes += f"；答复：{reply['body']}"
    return notes


def _rows(cases) -> list[dict]:
    cases = list(cases)
    replies = public_reply.for_cases(db.session(), [c.id for c in cases])
    return [_request_row(c, replies.get(c.id)) for c in cases]


def _states(status: str | None):
    if status == "closed":
        return CLOSED
    if status == "open":
        return tuple(state for state in service.workflow.STATE_LABELS if state not in CLOSED)
    return None


@bp.get("/requests.<fmt>", parameters=s.FORMAT)
@_guarded(_check_jurisdiction)
@bp.arguments(s.RequestListArgs, location="query")
@bp.doc(responses=s.ok(s.ServiceRequest(many=True), "the public cases"))
def list_requests(args: dict, fmt: str):
    """Cases filtered by service_request_id (comma list), service_code, status, start_date, end_date."""
    cases = queries.public_cases(
        db.session(),
        ids=args.get("service_request_id", []),
        service_code=args.get("service_code"),
        states=_states(args.get("status")),
        start=args.get("start_date"),
        end=args.get("end_date"),
    )
    return _reply(fmt, "service_requests", "request", _rows(cases))


@bp.get("/requests/<int:request_id>.<fmt>", parameters=s.FORMAT)
@_guarded(_check_jurisdiction)
@bp.arguments(s.JurisdictionArgs, location="query")
@bp.doc(responses=s.ok(s.ServiceRequest(many=True), "the case as a one-element list"))
def get_request(_args: dict, request_id: int, fmt: str):
    """One case as a one-element list (as the spec says)."""
    return _reply(fmt, "service_requests", "request", _rows([service.load(db.session(), request_id)]))
