"""One-by-one registration of a pollution source (登记污染源), also from a 新增污染源 report.

西城区's plan: the 监督员 "发现新增的污染源，及时通过平台上报". A report in the duty matrix's 新增污染源
category leads to a registration form pre-filled from the case; the registered source keeps a link to
that case (``reported_incident_id``), and the case page shows it (incidents/links.py, registered in
sources/links.py). Bulk import stays in service.register_rows; both write the same rows, audited by
the pollution_source trigger.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from gisgrid import coords
from gisgrid.auth import capabilities
from gisgrid.auth.service import in_scope
from gisgrid.db import unit_of_work
from gisgrid.errors import Conflict, Forbidden, InvalidInput, NotFound
from gisgrid.grids import queries as grid_queries
from gisgrid.grids import versions as grid_versions
from gisgrid.incidents import matrix
from gisgrid.incidents import service as incidents
from gisgrid.sources import fields, queries, rules, service
from gisgrid.sources.models import PollutionSource

NEW_CODE_PREFIX = "XZ"  # 新增: codes given to sources registered without one, XZ20261205-001
MAX_LENGTHS = {"code": 100, "name": 200, "industry": 200, "address": 500, "permits": 500, "contacts": 500}
TAKEN = "code: 编号已登记 (a source with this code is already registered)"


def _invalid(field: str, why: str) -> InvalidInput:
    return InvalidInput(f"{field}: {why}", {"field": field})


def check_values(raw: dict) -> dict:
    """The form's values checked field by field; a bad one is a 400 naming its field."""
    values = {name: fields.clean_text(raw.get(name)) for name in MAX_LENGTHS}
    for name, limit in MAX_LENGTHS.items():
        if values[name] and len(values[name]) > limit:
            raise _invalid(name, f"最多 {limit} 个字符 (at most {limit} characters)")
    if not values["name"]:
        raise _invalid("name", "请填写污染源名称 (name is required)")
    for name in ("kind", "lon", "lat", "key_source", "large_polluter"):
        try:
            values[name] = _one(name, raw.get(name))
        except InvalidInput as err:
            raise _invalid(name, err.message) from None
    values["crs"] = fields.clean_text(raw.get("crs"))
    try:
        coords.parse_crs(values["crs"])
    except InvalidInput as err:
        raise _invalid("crs", err.message) from None
    return values


def _one(name: str, value):
    if name == "kind":
        return fields.to_kind(value)
    if name in ("lon", "lat"):
        if fields.clean_text(value) is None:
            raise InvalidInput("缺少坐标 (required)")
        return fields.to_number(value, name)
    return fields.to_bool(value, name)


def prefill(session: Session, user, incident_id) -> dict:
    """The registration form's values from a 新增污染源 case: location, address, description, grid."""
    case = _reporting_case(session, user, incident_id)
    return {
        "incident_id": case.id,
        "lon": case.lon,
        "lat": case.lat,
        "address": case.address,
        "description": case.description,
        "grid_codes": list(case.grid_codes),
    }


def _reporting_case(session: Session, user, incident_id):
    """The case a source is registered from: one the user may see, of the 新增污染源 category, not yet used."""
    try:
        case = incidents.get_case(session, user, incident_id)
    except NotFound as err:
        raise NotFound(f"incident_id: {err.message}", {"field": "incident_id"}) from None
    if case.category_code != matrix.NEW_SOURCE:
        raise _invalid("incident_id", f"案件 {case.id} 不是“新增污染源”上报 (not a new-source report)")
    if queries.source_of_incident(session, case.id) is not None:
        raise Conflict(f"incident_id: 案件 {case.id} 已登记污染源 (already registered)")
    return case


def register(session: Session, user, raw: dict, today: date | None = None) -> PollutionSource:
    """Register one source in a grid of the user's scope (from a case when ``incident_id`` is given)."""
    capabilities.require(user, "register_sources")
    values = check_values(raw)
    with unit_of_work(session, conflict=TAKEN):
        case = _reporting_case(session, user, raw["incident_id"]) if raw.get("incident_id") else None
        row, version_id = _placed(session, user, values)
        today = today or rules.today_in_china()
        row["code"] = values["code"] or _new_code(session, today)
        if queries.existing_codes(session, [row["code"]]):
            raise Conflict(TAKEN, {"field": "code"})
        source = service.insert(session, row, version_id, user.username, today)
        if case is not None:
            source.reported_incident_id = case.id
            source.history[-1].reason += f"（新增污染源上报，案件 {case.id}：{case.description[:200]}）"
        session.flush()
    return source


def _placed(session: Session, user, values: dict) -> tuple[dict, int]:
    """The coerced row with its grid chain in the published version; the grid must be in the user's scope."""
    version = grid_versions.find_published(session)
    if version is None:
        raise InvalidInput("尚未发布网格边界，无法确定监管网格 (no published boundary version)")
    try:
        row = fields.coerce({**values, "code": values["code"] or "-"}, values["crs"])
    except InvalidInput as err:  # what is left after check_values: the point itself
        raise _invalid("lon", err.message) from None
    chain = grid_queries.leaf_codes_at(session, version.id, [(0, row["lon"], row["lat"])]).get(0)
    if not chain:
        raise _invalid("lon", "位置不在任何网格内 (location outside every grid)")
    if not (in_scope(user, chain) or user.role in service.DISTRICT_WIDE):
        raise Forbidden(f"该位置属于网格 {chain[-1]}，不在您的网格范围内 (outside your grids)")
    return {**row, "grid_codes": list(chain)}, version.id


def _new_code(session: Session, today: date) -> str:
    """The next free XZyyyymmdd-nnn code (two registrations racing for it: the loser gets a 409)."""
    prefix = f"{NEW_CODE_PREFIX}{today:%Y%m%d}-"
    number = queries.count_codes_with_prefix(session, prefix) + 1
    while queries.existing_codes(session, [f"{prefix}{number:03d}"]):  # a code typed by hand took it
        number += 1
    return f"{prefix}{number:03d}"
