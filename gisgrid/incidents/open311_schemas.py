"""Request and response contract of Open311 GeoReport v2 (/open311/v2): the field names are Open311's own.

The channel (incidents/open311.py) maps them onto the domain's ``Report``; intake never sees them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from gisgrid.contract.fields import FiniteNumber, QueryArgs
from gisgrid.incidents.schemas import Text

FORMATS = ("json", "xml")
_XML = {"text/xml": {"schema": {"type": "string", "description": "the same rows as GeoReport v2 XML"}}}
_SHORT = {"validate": validate.Length(max=100)}


class W3cDateTime(fields.String):
    """A w3c/ISO 8601 date-time (``Z`` for UTC allowed)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(metadata={"format": "date-time"}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        raw = super()._deserialize(value, attr, data, **kwargs)
        try:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            # in UTC: Python takes offsets up to ±23:59, PostgreSQL only to ±15:59 (-18:26 was a 500)
            return moment.astimezone(UTC) if moment.tzinfo else moment
        except (ValueError, OverflowError):  # OverflowError: 0001-01-01T00:00-05:00 is before year 1 in UTC
            raise ValidationError("需为 ISO 8601 时间 (must be w3c/ISO 8601)") from None


class IdList(fields.String):
    """A comma list of request ids; items that are not numbers are left out (as GeoReport clients expect)."""

    def _deserialize(self, value, attr, data, **kwargs):
        raw = super()._deserialize(value, attr, data, **kwargs)
        return [int(i) for i in raw.split(",") if i.strip().isdigit()]


class JurisdictionArgs(QueryArgs):
    """``?jurisdiction_id=`` (checked against the configured one before anything else)."""

    jurisdiction_id = fields.String(**_SHORT)


class RequestListArgs(JurisdictionArgs):
    """Filters of the request list."""

    service_request_id = IdList(metadata={"description": "comma list of ids", "example": "12,13"})
    service_code = fields.String(**_SHORT)
    status = fields.String(validate=validate.OneOf(("open", "closed")))
    start_date = W3cDateTime()
    end_date = W3cDateTime()


class RequestForm(Schema):
    """A posted service request (form-encoded); the account fields of the spec are accepted, not stored."""

    class Meta:
        unknown = EXCLUDE  # the spec's attribute[...] and media fields

    service_code = Text(required=True, validate=validate.Length(max=50))
    lat = FiniteNumber(required=True, metadata={"description": "WGS84"})
    long = FiniteNumber(required=True, metadata={"description": "WGS84"})
    description = Text(required=True, metadata={"maxLength": 4000})
    address_string = Text(metadata={"maxLength": 500})
    address = Text(metadata={"maxLength": 500, "description": "instead of address_string"})
    first_name = Text(metadata={"maxLength": 100})
    last_name = Text(metadata={"maxLength": 100})
    phone = Text(metadata={"maxLength": 100})
    email = Text(metadata={"maxLength": 100, "description": "used only if no phone"})
    device_id = Text(metadata={"maxLength": 100, "description": "identifies the client when it has no api_key"})
    account_id = Text()
    media_url = Text()
    api_key = Text()
    jurisdiction_id = Text()
    client_request_id = Text(metadata={"maxLength": 100, "description": "idempotency key, per client"})


class Service(Schema):
    """An incident category as an Open311 service."""

    service_code = fields.String(required=True)
    service_name = fields.String(required=True)
    description = fields.String(required=True)
    metadata = fields.Boolean(required=True)
    type = fields.String(required=True, validate=validate.OneOf(("realtime", "batch", "blackbox")))
    keywords = fields.String(required=True)
    group = fields.String(required=True)


class ServiceDefinition(Schema):
    """A service definition: every category takes description, location and photos, no extra attributes."""

    service_code = fields.String(required=True)
    attributes = fields.List(fields.Dict(), required=True)


class ServiceRequest(Schema):
    """A case as a service request; description and address only once it is registered (立案)."""

    service_request_id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(("open", "closed")))
    status_notes = fields.String(required=True)
    service_code = fields.String(required=True)
    service_name = fields.String(required=True)
    description = fields.String(required=True, allow_none=True)
    agency_responsible = fields.String(required=True, allow_none=True)
    service_notice = fields.String(required=True, allow_none=True)
    requested_datetime = fields.DateTime(required=True)
    updated_datetime = fields.DateTime(required=True)
    expected_datetime = fields.Date(required=True, allow_none=True)
    address = fields.String(required=True, allow_none=True)
    lat = fields.Float(required=True)
    long = fields.Float(required=True)
    media_url = fields.String(required=True, allow_none=True)


class Receipt(Schema):
    """The answer to a posted request."""

    service_request_id = fields.String(required=True)
    service_notice = fields.String(required=True, allow_none=True)
    account_id = fields.String(required=True, allow_none=True)


class Open311Error(Schema):
    """One GeoReport v2 error."""

    code = fields.Integer(required=True)
    description = fields.String(required=True)


def ok(schema: Schema, description: str, statuses=("200",)) -> dict:
    """Success responses of ``schema`` (JSON) or its XML form, plus the errors as GeoReport v2 error lists."""
    answer = {"description": description, "content": {"application/json": {"schema": schema}, **_XML}}
    failed = {"description": "错误 (GeoReport v2 errors)", "content": {"application/json": {"schema": ERRORS}, **_XML}}
    # DomainErrors are answered by the channel's own handler; the others (405, 413, a database outage) keep the
    # project's envelope, which the document adds for the statuses not listed here
    return {**{s: answer for s in statuses}, **{str(s): failed for s in (400, 403, 404, 409, 422)}}


ERRORS = Open311Error(many=True)
FORMAT = [{"in": "path", "name": "fmt", "schema": {"type": "string", "enum": list(FORMATS)}}]
