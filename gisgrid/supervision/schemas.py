"""Request and response schemas of the 督办 / 督查 / 联席会议 API (/api/v1/supervision/*)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from gisgrid.contract.fields import Day
from gisgrid.supervision.models import TOPIC_TYPES
from gisgrid.supervision.subjects import KINDS
from gisgrid.tracking.models import PRIORITIES
from gisgrid.tracking.schemas import Item

_TEXT = validate.Length(max=4000)


class DubanBody(Schema):
    """Open a 督办: on what (``about_kind``/``about_id``), owned by whom (default: the subject's grid or department)."""

    class Meta:
        unknown = EXCLUDE  # the case page's form also posts csrf_token

    about_kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    about_id = fields.String(required=True, validate=validate.Length(1, 100))
    owner_grid = fields.String(validate=validate.Length(max=100))
    owner_department = fields.String(validate=validate.Length(max=100))
    priority = fields.String(load_default="regular", validate=validate.OneOf(PRIORITIES))
    due = Day()
    title = fields.String(validate=validate.Length(max=200))
    detail = fields.String(validate=_TEXT)


class Verdict(Schema):
    passed = fields.Boolean(allow_none=True)
    note = fields.String(allow_none=True, validate=_TEXT)


class Rectification(Schema):
    title = fields.String(required=True, validate=validate.Length(1, 200))
    priority = fields.String(validate=validate.OneOf(PRIORITIES))
    due = Day()


class CheckBody(Schema):
    """A 督查 of a lower grid: checkers, verdicts over the computed template items, findings, 整改, 通报."""

    grid_code = fields.String(required=True, validate=validate.Length(1, 100))
    checked_on = Day()
    checkers = fields.String(required=True, validate=validate.Length(1, 500))
    verdicts = fields.Dict(keys=fields.String(), values=fields.Nested(Verdict))
    findings = fields.String(validate=_TEXT)
    rectifications = fields.List(fields.Nested(Rectification))
    bulletin_title = fields.String(validate=validate.Length(max=200))
    bulletin_body = fields.String(validate=validate.Length(max=20000))
    public = fields.Boolean(load_default=False)


class BulletinPublishBody(Schema):
    class Meta:
        unknown = EXCLUDE

    public = fields.Boolean(load_default=True)


class Topic(Schema):
    type = fields.String(required=True, validate=validate.OneOf(TOPIC_TYPES))
    title = fields.String(required=True, validate=validate.Length(1, 200))


class MeetingDecisionBody(Schema):
    """A 会议决定事项: owned by a lower grid or a department, with a deadline (default: by priority)."""

    title = fields.String(required=True, validate=validate.Length(1, 200))
    detail = fields.String(validate=_TEXT)
    owner_grid = fields.String(validate=validate.Length(max=100))
    owner_department = fields.String(validate=validate.Length(max=100))
    priority = fields.String(validate=validate.OneOf(PRIORITIES))
    due = Day()


class MeetingBody(Schema):
    """A 联席会议 with attendees from the 领导小组's member units, typed 议题, minutes and decisions."""

    title = fields.String(required=True, validate=validate.Length(1, 200))
    held_on = Day(required=True)
    grid_code = fields.String(validate=validate.Length(max=100))
    convenor = fields.String(validate=validate.Length(max=200))
    attendees = fields.List(fields.String(validate=validate.Length(1, 200)))
    agenda = fields.List(fields.Nested(Topic))
    minutes = fields.String(validate=validate.Length(max=20000))
    decisions = fields.List(fields.Nested(MeetingDecisionBody))


class CheckItem(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    computed = fields.String(required=True)
    passed = fields.Boolean(required=True)
    note = fields.String(required=True, allow_none=True)


class CheckOut(Schema):
    id = fields.Integer(required=True)
    grid_code = fields.String(required=True, allow_none=True)
    grid_name = fields.String(required=True, allow_none=True)
    watcher_grid_code = fields.String(required=True, allow_none=True)
    checked_on = fields.Date(required=True)
    checkers = fields.String(required=True)
    items = fields.List(fields.Nested(CheckItem), required=True)
    findings = fields.String(required=True, allow_none=True)
    bulletin_title = fields.String(required=True, allow_none=True)
    bulletin_body = fields.String(required=True, allow_none=True)
    public = fields.Boolean(required=True)
    rectifications = fields.List(fields.Nested(Item), required=True)


class CheckList(Schema):
    checks = fields.List(fields.Nested(CheckOut), required=True)


class MeetingOut(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    held_on = fields.Date(required=True)
    grid_code = fields.String(required=True)
    convenor = fields.String(required=True)
    attendees = fields.List(fields.String(), required=True)
    agenda = fields.List(fields.Nested(Topic), required=True)
    minutes = fields.String(required=True, allow_none=True)
    decisions = fields.List(fields.Nested(Item), required=True)


class MeetingList(Schema):
    period = fields.String(required=True)
    next_due = fields.Date(required=True, allow_none=True)
    meetings = fields.List(fields.Nested(MeetingOut), required=True)
