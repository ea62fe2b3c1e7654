"""Building blocks of the OpenAPI document: parameters, bodies, responses, shared schemas."""

from __future__ import annotations

ERROR_CODES = (400, 401, 403, 404, 405, 409, 413, 422, 503)

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "details": {"type": ["array", "object"]},
                },
            }
        },
    },
    "FeatureCollection": {
        "type": "object",
        "required": ["type", "features"],
        "properties": {"type": {"const": "FeatureCollection"}, "features": {"type": "array"}},
    },
    "Feature": {"type": "object", "required": ["type"], "properties": {"type": {"const": "Feature"}}},
}


def ref(name: str) -> dict:
    """A $ref to a shared schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def query(name: str, schema: dict | None = None, required: bool = False, description: str = "") -> dict:
    """A query parameter."""
    param = {"name": name, "in": "query", "required": required, "schema": schema or {"type": "string"}}
    if description:
        param["description"] = description
    return param


def number(name: str, required: bool = False, **bounds) -> dict:
    """A finite numeric query parameter."""
    return query(name, {"type": "number", **bounds}, required)


def integer(name: str, required: bool = False, **bounds) -> dict:
    """An integer query parameter."""
    return query(name, {"type": "integer", **bounds}, required)


def date(name: str) -> dict:
    """An optional YYYY-MM-DD query parameter."""
    return query(name, {"type": "string", "format": "date"})


def json_body(schema: dict | None = None, required: bool = True, media: str = "application/json") -> dict:
    """A JSON request body."""
    return {"required": required, "content": {media: {"schema": schema or {"type": "object"}}}}


def multipart(fields: dict, required: tuple = ()) -> dict:
    """A multipart/form-data request body; file fields are ``{"type": "string", "format": "binary"}``."""
    schema = {"type": "object", "properties": fields, "required": list(required)}
    return {"required": True, "content": {"multipart/form-data": {"schema": schema}}}


def errors(codes=ERROR_CODES, schema: str = "Error", media: str = "application/json") -> dict:
    """Error responses, all with the one error envelope of gisgrid.errors."""
    return {str(c): {"description": "错误 (error)", "content": {media: {"schema": ref(schema)}}} for c in codes}


def ok(
    schema: dict | None = None,
    media: str = "application/json",
    status: int = 200,
    description: str = "OK",
    extra: dict | None = None,
) -> dict:
    """A success response (plus the standard error responses)."""
    content = {media: {"schema": schema or {"type": "object"}}}
    content.update(extra or {})
    return {str(status): {"description": description, "content": content}, **errors()}


def op(summary: str, responses: dict, params=(), body: dict | None = None, auth: str = "none", tags=()) -> dict:
    """One operation. ``auth``: none (anonymous), session (cookie), csrf (cookie + X-CSRFToken), open311."""
    operation = {"summary": summary, "parameters": list(params), "responses": responses}
    if tags:
        operation["tags"] = list(tags)
    if body:
        operation["requestBody"] = body
    security = {
        "session": [{"session": []}],
        "csrf": [{"session": [], "csrf": []}],
        "open311": [{}, {"api_key": []}],
        "none": None,
    }[auth]
    if security is not None:
        operation["security"] = security
    return operation
