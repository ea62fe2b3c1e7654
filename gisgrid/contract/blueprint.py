"""The project's flask-smorest Blueprint: webargs validation errors become InvalidInput in this one place."""

from __future__ import annotations

import flask
import flask_smorest
import marshmallow as ma
from webargs.flaskparser import FlaskParser

from gisgrid.errors import InvalidInput


def _flatten(messages, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages → {"field" or "field.sub": [why, ...]}."""
    if isinstance(messages, list):
        return {prefix or "_schema": [str(m) for m in messages]}
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return flat


class Parser(FlaskParser):
    """webargs parser whose errors are the project's 400 ``invalid_input`` (not webargs' 422)."""

    DEFAULT_VALIDATION_STATUS = 400  # what the document declares for a refused argument

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._schemas: dict[type, ma.Schema] = {}

    def _get_schema(self, argmap, req) -> ma.Schema:
        """One instance per schema class, kept: webargs would build one per request (a deep copy of every
        field), which cost a lookup more than its answer. A loaded schema keeps no per-request state."""
        if isinstance(argmap, type) and issubclass(argmap, ma.Schema):
            schema = self._schemas.get(argmap)
            if schema is None:
                schema = self._schemas[argmap] = argmap()
            return schema
        return super()._get_schema(argmap, req)

    def parse(self, argmap, req=None, *, location=None, **kwargs):
        """A query schema's ``lean_request`` (a hot path's parse without marshmallow) when it accepts the
        arguments; otherwise, and for every other schema, webargs' parse with its errors."""
        lean = getattr(argmap, "lean_request", None) if location == "query" else None
        if lean is not None:
            data = lean((req or flask.request).args)
            if data is not None:
                return data
        return super().parse(argmap, req, location=location, **kwargs)

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        """Raise InvalidInput: message ``<field>: <why>``, details ``{field: [why, ...]}``."""
        # webargs nests messages under the location ("query", "json", ...): the field name is what users know
        by_location = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
        details: dict[str, list[str]] = {}
        for messages in by_location.values():
            details.update(_flatten(messages))
        field, why = next(iter(details.items()))
        raise InvalidInput(f"{field}: {why[0]}", details=details)

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        """A body that is not JSON is bad input like any other (webargs would abort with its own 400)."""
        raise InvalidInput("json: 请求体不是有效的 JSON (invalid JSON body)", details={"json": [str(error)]})


class Blueprint(flask_smorest.Blueprint):
    """A flask-smorest Blueprint for JSON endpoints: every route on it is documented in /api/openapi.json."""

    ARGUMENTS_PARSER = Parser()
    # a body that comes as JSON or as a form (the page's form posts to the same endpoint as JSON clients);
    # documented as JSON, the form media types are added per operation with @bp.doc
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **flask_smorest.Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "json_or_form": "application/json",
    }
