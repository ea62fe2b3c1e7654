"""Request and response declarations of the 责任状 JSON API."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from gisgrid.agreements.models import PARTY_KINDS
from gisgrid.contract.fields import Code, PageForm, QueryArgs

_TEXT = validate.Length(min=1, max=5000)


class AgreementListArgs(QueryArgs):
    """Filters: a year and/or a grid that is either party."""

    year = fields.Integer(validate=validate.Range(2000, 2100))
    grid = Code()


class AgreementBody(Schema):
    """A 责任状: issuing grid, party (a lower grid or a department), year, tasks, 奖惩 terms, signing date."""

    year = fields.Integer(required=True, validate=validate.Range(2000, 2100))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    upper_code = Code(required=True)
    party_kind = fields.String(load_default="grid", validate=validate.OneOf(PARTY_KINDS))
    party_code = Code(required=True)
    tasks = fields.String(required=True, validate=_TEXT)
    rewards_penalties = fields.String(required=True, validate=_TEXT)
    signed_on = fields.Date(allow_none=True)


class AgreementForm(PageForm, AgreementBody):
    """The form of the 责任状 page (the scan comes as a file beside it)."""


class Agreement(Schema):
    id = fields.Integer(required=True)
    year = fields.Integer(required=True)
    title = fields.String(required=True)
    upper_code = fields.String(required=True)
    upper_name = fields.String(required=True)
    party_kind = fields.String(required=True, validate=validate.OneOf(PARTY_KINDS))
    party_code = fields.String(required=True)
    party_name = fields.String(required=True)
    tasks = fields.String(required=True)
    rewards_penalties = fields.String(required=True)
    signed_on = fields.Date(required=True, allow_none=True)
    signed = fields.Boolean(required=True, metadata={"description": "a signed scan is attached"})
    url = fields.String(required=True)
