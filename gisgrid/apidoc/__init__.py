"""The published OpenAPI contract of every JSON API, assembled from one fragment per domain."""

from __future__ import annotations

import re

from flask import Blueprint, Flask, current_app, jsonify
from werkzeug.routing import IntegerConverter, Rule

from gisgrid.apidoc import audit, casework, common, grids, incidents

API_PREFIXES = ("/api/v1/", "/open311/", "/ogc", "/open-data/", "/tiles/")
_FORMATS = {"/open311/": ["json", "xml"], "/open-data/": ["geojson", "csv", "gpkg"]}
_SECURITY = {
    "session": {"type": "apiKey", "in": "cookie", "name": "session", "description": "登录后的会话 (login via /login)"},
    "csrf": {
        "type": "apiKey",
        "in": "header",
        "name": "X-CSRFToken",
        "description": "写操作需要 CSRF 令牌 (GET /api/v1/patrols/csrf)",
    },
    "api_key": {"type": "apiKey", "in": "query", "name": "api_key", "description": "Open311 客户端密钥"},
}

bp = Blueprint("apidoc", __name__)


def api_rules(app: Flask) -> list[Rule]:
    """Every URL rule under the API prefixes (what the document must describe)."""
    return [r for r in app.url_map.iter_rules() if r.rule.startswith(API_PREFIXES) or r.rule == "/ogc"]


def operations() -> dict:
    """Every documented operation, keyed by (Flask rule, method)."""
    return {**grids.operations(), **incidents.operations(), **casework.operations(), **audit.operations()}


def build(app: Flask) -> dict:
    """The OpenAPI 3.1 document for ``app``'s JSON APIs."""
    paths: dict = {}
    rules = {r.rule: r for r in api_rules(app)}
    for (rule, method), operation in operations().items():
        if rule in rules:
            path = paths.setdefault(_openapi_path(rule), {})
            path[method.lower()] = {**operation, "parameters": _path_params(rules[rule]) + operation["parameters"]}
    return {
        "openapi": "3.1.0",
        "info": {"title": "gisgrid 网格化环境监管 API", "version": "1.0"},
        "paths": paths,
        "components": {"schemas": common.SCHEMAS, "securitySchemes": _SECURITY},
    }


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


@bp.get("/api/openapi.json")
def openapi_json():
    """The OpenAPI document."""
    return jsonify(build(current_app))
