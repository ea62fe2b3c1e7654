"""JSON API of the audit trail (admins only); the page with the same filters stays in audit.routes."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from gisgrid.audit import service
from gisgrid.audit.models import ACTIONS
from gisgrid.auth.capabilities import capability_required
from gisgrid.contract import Blueprint
from gisgrid.contract.fields import QueryArgs
from gisgrid.db import db

bp = Blueprint("audit_api", __name__, description="审计日志 (audit trail)")
_TEXT = {"validate": validate.Length(max=200)}


class AuditArgs(QueryArgs):
    """Filters and paging; the service checks them again for the page, which shares them."""

    entity = fields.String(validate=validate.OneOf(sorted(set(service.ENTITIES) | service.TABLES)))
    entity_id = fields.String(**_TEXT)
    key = fields.String(**_TEXT)
    actor = fields.String(**_TEXT)
    source = fields.String(validate=validate.OneOf(service.SOURCES))
    action = fields.String(validate=validate.OneOf(ACTIONS))
    txid = fields.Integer(validate=validate.Range(1, 2**62))
    since = fields.String(metadata={"description": "ISO date or date-time"})
    until = fields.String(metadata={"description": "ISO date (inclusive) or date-time"})
    page = fields.Integer(validate=validate.Range(1, 100_000))
    per_page = fields.Integer(validate=validate.Range(1, service.MAX_PER_PAGE))


class Actor(Schema):
    """Who made the change."""

    id = fields.Integer(required=True, allow_none=True)
    name = fields.String(required=True)
    source = fields.String(required=True)
    ip = fields.String(required=True, allow_none=True)


class Entry(Schema):
    """One audited change."""

    id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    txid = fields.Integer(required=True)
    actor = fields.Nested(Actor, required=True)
    entity = fields.String(required=True)
    entity_label = fields.String(required=True)
    entity_id = fields.String(required=True, allow_none=True)
    key = fields.String(required=True, allow_none=True)
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    changes = fields.Dict(required=True)


class DayCount(Schema):
    """Changes of one entity on one day."""

    day = fields.Date(required=True)
    entity = fields.String(required=True)
    count = fields.Integer(required=True)


class AuditPage(Schema):
    """One page of entries, newest first, with the total and the per-day counts."""

    items = fields.List(fields.Nested(Entry), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    per_day = fields.List(fields.Nested(DayCount), required=True)


@bp.get("/api/v1/audit")
@capability_required("read_audit")
@bp.arguments(AuditArgs, location="query")
@bp.alt_response(200, schema=AuditPage, success=True, description="one page of the audit trail")
@bp.doc(security=[{"session": []}])
def audit_api(args: dict):
    """Audit entries filtered by entity, entity_id, key, actor, source, action, txid, since, until; paged."""
    return service.changes(db.session(), args)
