"""Request and response schemas of the tracked-item API (/api/v1/tracking/*)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from gisgrid.contract.fields import Day, QueryArgs
from gisgrid.tracking.models import PRIORITIES, STATES
from gisgrid.tracking.queries import VIEWS
from gisgrid.tracking.service import MOVES


class ListArgs(QueryArgs):
    """Filters of the item list: ``view`` (all/mine/raised), state, kind, priority, about, overdue, level."""

    view = fields.String(load_default="all", validate=validate.OneOf(VIEWS))
    state = fields.String(validate=validate.OneOf(STATES))
    kind = fields.String(validate=validate.Length(1, 40))
    priority = fields.String(validate=validate.OneOf(PRIORITIES))
    about_kind = fields.String(validate=validate.Length(1, 40))
    about_id = fields.String(validate=validate.Length(1, 100))
    overdue = fields.Boolean()
    level = fields.Integer(validate=validate.Range(0, 20))


class TrackingActionBody(Schema):
    """``text`` (required for note, report_done, send_back) and, for send_back, a new ``due`` date."""

    class Meta:
        unknown = EXCLUDE  # the item page's forms also post csrf_token

    text = fields.String(validate=validate.Length(max=4000))
    due = Day()


class Item(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    title = fields.String(required=True)
    priority = fields.String(required=True, validate=validate.OneOf(PRIORITIES))
    priority_label = fields.String(required=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    state_label = fields.String(required=True)
    owner_grid_code = fields.String(required=True, allow_none=True)
    owner_department_code = fields.String(required=True, allow_none=True)
    owner_user = fields.String(required=True, allow_none=True)
    watcher_grid_code = fields.String(required=True, allow_none=True)
    watcher_label = fields.String(required=True)
    about_kind = fields.String(required=True, allow_none=True)
    about_id = fields.String(required=True, allow_none=True)
    about_url = fields.String(required=True, allow_none=True)
    opened_on = fields.Date(required=True)
    due = fields.Date(required=True)
    overdue = fields.Boolean(required=True)
    escalation_level = fields.Integer(required=True)
    escalated_to = fields.String(required=True, allow_none=True)
    owner_depth = fields.Integer(required=True)


class Note(Schema):
    id = fields.Integer(required=True)
    at = fields.String(required=True)
    actor = fields.String(required=True)
    action = fields.String(required=True)
    action_label = fields.String(required=True)
    from_state = fields.String(required=True)
    to_state = fields.String(required=True)
    text = fields.String(required=True, allow_none=True)


class Attachment(Schema):
    id = fields.Integer(required=True)
    note_id = fields.Integer(required=True, allow_none=True)
    name = fields.String(required=True)
    mime = fields.String(required=True)
    size = fields.Integer(required=True)
    url = fields.String(required=True)


class Escalation(Schema):
    level = fields.Integer(required=True)
    to_grid_code = fields.String(required=True)
    deadline = fields.Date(required=True)
    at = fields.String(required=True)
    reason = fields.String(required=True)


class ItemDetail(Item):
    detail = fields.String(required=True, allow_none=True)
    chain = fields.List(fields.String(), required=True)
    notes = fields.List(fields.Nested(Note), required=True)
    attachments = fields.List(fields.Nested(Attachment), required=True)
    escalations = fields.List(fields.Nested(Escalation), required=True)
    actions = fields.List(fields.String(validate=validate.OneOf(tuple(MOVES))), required=True)


class ItemList(Schema):
    items = fields.List(fields.Nested(Item), required=True)


class LevelRow(Schema):
    depth = fields.Integer(required=True)
    level_label = fields.String(required=True)
    active = fields.Integer(required=True)
    overdue = fields.Integer(required=True)
    escalated = fields.Integer(required=True)
    max_level = fields.Integer(required=True)


class OverdueByLevel(Schema):
    today = fields.Date(required=True)
    levels = fields.List(fields.Nested(LevelRow), required=True)


class Waiting(Schema):
    kind = fields.String(required=True)
    title = fields.String(required=True)
    url = fields.String(required=True)
    due = fields.Date(required=True, allow_none=True)
    overdue = fields.Boolean(required=True)
    urgency = fields.Integer(required=True)


class WaitingList(Schema):
    items = fields.List(fields.Nested(Waiting), required=True)
