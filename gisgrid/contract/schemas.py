"""Response schemas shared by every domain: the JSON error envelope of gisgrid.errors, GeoJSON collections."""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

# statuses any JSON endpoint may answer with the error envelope (bad input, login, role, missing, method,
# conflict, too large, dataset invalid, database down); each operation documents them all
ERROR_STATUSES = (400, 401, 403, 404, 405, 409, 413, 422, 503)
_METHODS = {"get", "put", "post", "delete", "patch", "options", "head"}


class ErrorBody(Schema):
    """code (machine-readable), message (names the field and why), details (per field, or the problems)."""

    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Raw(metadata={"type": ["array", "object"]})


class Error(Schema):
    """The one error envelope: ``{"error": {"code", "message", "details"?}}``."""

    error = fields.Nested(ErrorBody, required=True)


class Feature(Schema):
    """A GeoJSON Feature (the properties are described per endpoint)."""

    class Meta:
        unknown = INCLUDE  # GeoJSON allows foreign members (bbox, crs, ...)

    type = fields.String(required=True, validate=validate.Equal("Feature"))
    id = fields.Raw()
    geometry = fields.Dict(required=True, allow_none=True)
    properties = fields.Dict(required=True, allow_none=True)


class FeatureCollection(Schema):
    """A GeoJSON FeatureCollection."""

    class Meta:
        unknown = INCLUDE

    type = fields.String(required=True, validate=validate.Equal("FeatureCollection"))
    features = fields.List(fields.Nested(Feature), required=True)


def add_error_responses(doc: dict) -> None:
    """Give every operation of ``doc`` the error envelope for each status in ERROR_STATUSES it does not declare."""
    ref = {"$ref": "#/components/schemas/Error"}
    for path in doc.get("paths", {}).values():
        for method, operation in path.items():
            if method not in _METHODS:  # path-level "parameters"
                continue
            responses = operation.setdefault("responses", {})
            for status in map(str, ERROR_STATUSES):
                responses.setdefault(
                    status, {"description": "错误 (error)", "content": {"application/json": {"schema": ref}}}
                )
