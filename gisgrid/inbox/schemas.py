"""Response declarations of the 待办 API."""

from __future__ import annotations

from marshmallow import Schema, fields


class InboxEntry(Schema):
    """One piece of work waiting for the user."""

    kind = fields.String(required=True, metadata={"description": "case_register, case_handle, transfer, inspection, …"})
    title = fields.String(required=True)
    url = fields.String(required=True, metadata={"description": "the page where it is done"})
    due = fields.Date(required=True, allow_none=True)
    overdue = fields.Boolean(required=True)
    urgency = fields.Integer(required=True, metadata={"description": "lower is more urgent"})


class Inbox(Schema):
    """Everything waiting for the logged-in user, most urgent first, and the count per source."""

    entries = fields.List(fields.Nested(InboxEntry), required=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    total = fields.Integer(required=True)
