"""Response declarations of the field app's bundle."""

from __future__ import annotations

from marshmallow import Schema, fields

from gisgrid.contract.schemas import FeatureCollection
from gisgrid.inbox.schemas import InboxEntry


class _User(Schema):
    name = fields.String(required=True)
    role = fields.String(required=True)


class _Can(Schema):
    patrol = fields.Boolean(required=True)
    report_patrol = fields.Boolean(required=True)
    inspect = fields.Boolean(required=True)


class _Source(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    class_ = fields.String(required=True, data_key="class")
    lon = fields.Float(required=True)
    lat = fields.Float(required=True)
    status = fields.String(required=True)
    due_on = fields.Date(required=True)
    last_inspected = fields.Date(required=True, allow_none=True)
    inspections = fields.Integer(required=True)
    address = fields.String(required=True, allow_none=True)
    industry = fields.String(required=True, allow_none=True)
    contacts = fields.String(required=True, allow_none=True)
    permits = fields.String(required=True, allow_none=True)
    checklist = fields.List(fields.String(), required=True)


class _Category(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class Bundle(Schema):
    """Everything the app shows offline."""

    user = fields.Nested(_User, required=True)
    can = fields.Nested(_Can, required=True)
    grids = fields.Nested(FeatureCollection, required=True)
    sources = fields.List(fields.Nested(_Source), required=True)
    inbox = fields.List(fields.Nested(InboxEntry), required=True)
    categories = fields.List(fields.Nested(_Category), required=True)
    fetched_at = fields.String(required=True, metadata={"format": "date-time"})
