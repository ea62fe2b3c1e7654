"""Response declarations of the background-job API (OpenAPI from one place)."""

from __future__ import annotations

from marshmallow import Schema, fields

from gisgrid.jobs.models import STATES


class JobRun(Schema):
    """A background job: state, progress (done of total, a message), the result or the error."""

    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "public_map.open_data, editor.import"})
    state = fields.String(required=True, metadata={"enum": list(STATES)})
    done = fields.Integer(required=True)
    total = fields.Integer(required=True)
    message = fields.String(required=True)
    result = fields.Raw(allow_none=True, metadata={"type": "object", "description": "the kind's result when done"})
    error = fields.String(allow_none=True)
    attempts = fields.Integer(required=True)
    max_attempts = fields.Integer(required=True)
    created_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    started_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    finished_at = fields.String(allow_none=True, metadata={"format": "date-time"})


class JobRuns(Schema):
    """The user's background jobs, newest first."""

    jobs = fields.List(fields.Nested(JobRun), required=True)
