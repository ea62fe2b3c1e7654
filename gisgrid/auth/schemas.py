"""Schemas of the security JSON API (locked accounts)."""

from __future__ import annotations

from marshmallow import Schema, fields


class LockedAccount(Schema):
    """An account locked after repeated failed logins."""

    id = fields.Integer(required=True)
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    role = fields.String(required=True)
    last_failed_at = fields.String(required=True, allow_none=True, metadata={"description": "ISO 8601, China time"})
    locked_until = fields.String(required=True, allow_none=True, metadata={"description": "ISO 8601, China time"})
