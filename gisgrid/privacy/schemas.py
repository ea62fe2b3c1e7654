"""Request and response contract of the personal-data endpoints (reveal, export)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from gisgrid.incidents.models import STATES
from gisgrid.privacy.service import MAX_REASON


class RevealBody(Schema):
    """Why the value is needed (optional for the case's own handler; kept in the audit row)."""

    class Meta:
        unknown = EXCLUDE  # a page's form also posts csrf_token

    reason = fields.String(validate=validate.Length(max=MAX_REASON))


class Reporter(Schema):
    """A reporter's real name and contact (null when none was given or it was anonymised)."""

    id = fields.Integer(required=True)
    name = fields.String(required=True, allow_none=True)
    contact = fields.String(required=True, allow_none=True)


class ExportBody(Schema):
    """The export's reason (required, audited) and an optional state filter."""

    class Meta:
        unknown = EXCLUDE

    reason = fields.String(
        required=True,
        validate=validate.Length(max=MAX_REASON),
        error_messages={"required": "请填写导出个人信息的事由 (reason is required)"},
    )
    state = fields.String(validate=validate.OneOf(STATES))
