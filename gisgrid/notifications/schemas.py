"""Request and response schemas of the notifications API."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from gisgrid.contract.fields import QueryArgs
from gisgrid.notifications.events import EVENTS


class ListArgs(QueryArgs):
    """``?unread=1`` only unread; ``?limit=`` (1–200, default 50); ``?before=<id>`` the next page."""

    unread = fields.String(validate=validate.OneOf(("0", "1")))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))
    before = fields.Integer(validate=validate.Range(1, 2**63 - 1))


class Notification(Schema):
    """One in-app notification."""

    id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(EVENTS))
    kind_label = fields.String(required=True)
    subject = fields.String(required=True)
    body = fields.String(required=True)
    incident_id = fields.Integer(required=True, allow_none=True)
    created_at = fields.String(required=True)
    read = fields.Boolean(required=True)


class Listing(Schema):
    """The unread count (the bell) and the newest notifications."""

    unread = fields.Integer(required=True)
    items = fields.List(fields.Nested(Notification), required=True)


class Count(Schema):
    """The bell's number."""

    unread = fields.Integer(required=True)


class Marked(Schema):
    """How many notifications were marked read, and the unread count after."""

    marked = fields.Integer(required=True)
    unread = fields.Integer(required=True)


class Preferences(Schema):
    """Channels, address, quiet hours (China time, HH:MM) and the daily digest."""

    class Meta:
        unknown = EXCLUDE  # the settings form also posts csrf_token

    inapp = fields.Boolean(load_default=False)
    email = fields.Boolean(load_default=False)
    sms = fields.Boolean(load_default=False)
    email_address = fields.String(allow_none=True)
    phone = fields.String(allow_none=True, dump_only=True)
    quiet_start = fields.String(allow_none=True)
    quiet_end = fields.String(allow_none=True)
    digest = fields.Boolean(load_default=False)
    digest_hour = fields.Integer(load_default=8)


class StoredPreferences(Preferences):
    """The settings as stored (every key present)."""

    class Meta:
        unknown = EXCLUDE

    inapp = fields.Boolean(required=True)
    email = fields.Boolean(required=True)
    sms = fields.Boolean(required=True)
    email_address = fields.String(required=True, allow_none=True)
    phone = fields.String(required=True, allow_none=True)
    quiet_start = fields.String(required=True, allow_none=True)
    quiet_end = fields.String(required=True, allow_none=True)
    digest = fields.Boolean(required=True)
    digest_hour = fields.Integer(required=True)
