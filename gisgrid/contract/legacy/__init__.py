"""Hand-written OpenAPI fragments of the endpoints not yet declared with flask-smorest (transition only).

Each domain converted to a ``gisgrid.contract.Blueprint`` deletes its entries here; when the last one goes,
this package goes. An operation the generated document already has is never overwritten by a fragment.
"""

from __future__ import annotations

import re

from werkzeug.routing import IntegerConverter, Rule

from gisgrid.contract.legacy import common, incidents

_FORMATS = {"/open311/": ["json", "xml"], "/open-data/": ["geojson", "csv", "gpkg"]}


def operations() -> dict:
    """Every hand-documented operation, keyed by (Flask rule, method)."""
    return {**incidents.operations()}


def merge(doc: dict, rules: dict[str, Rule]) -> None:
    """Add the fragments of routes in ``rules`` that ``doc`` lacks, and the shared schemas they refer to."""
    paths = doc.setdefault("paths", {})
    for (rule, method), operation in operations().items():
        if rule in rules:
            path = paths.setdefault(_openapi_path(rule), {})
            path.setdefault(
                method.lower(), {**operation, "parameters": _path_params(rules[rule]) + operation["parameters"]}
            )
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in common.SCHEMAS.items():
        schemas.setdefault(name, schema)


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def _path_params(rule: Rule) -> list[dict]:
    params = []
    for name, converter in rule._converters.items():
        schema = (
            {"type": "integer", "minimum": 0}
            if isinstance(converter, IntegerConverter)
            else {"type": "string", "pattern": "^[^/]+$"}
        )
        if name == "fmt":
            schema = {"type": "string", "enum": next(v for k, v in _FORMATS.items() if rule.rule.startswith(k))}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return params
