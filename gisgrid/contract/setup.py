"""The Api of the JSON endpoints: created in the app factory, serving the generated document at /api/openapi.json."""

from __future__ import annotations

import flask_smorest
from flask import Blueprint as FlaskBlueprint
from flask import Flask, current_app, jsonify
from werkzeug.routing import Rule

from gisgrid.contract import schemas

API_PREFIXES = ("/api/v1/", "/open311/", "/ogc", "/open-data/", "/tiles/")
_EXTENSION = "gisgrid_api"


class Api(flask_smorest.Api):
    """flask-smorest's Api without its own error handlers and doc blueprint: errors.py maps every error."""

    ERROR_SCHEMA = schemas.Error
    DEFAULT_ERROR_RESPONSE_NAME = None  # every operation lists its error statuses (schemas.add_error_responses)

    def _register_error_handlers(self) -> None:
        """Keep gisgrid.errors as the one error mapping (smorest would take over every HTTPException)."""

    def _register_doc_blueprint(self) -> None:
        """The document is served by ``openapi_json`` below (with the standard error responses added)."""


def init_app(app: Flask, blueprints) -> Api:
    """Create the Api for ``app`` and register ``blueprints`` (smorest ones are documented); nothing connects."""
    app.config.update(
        API_TITLE="gisgrid 网格化环境监管 API",
        API_VERSION="1.0",
        OPENAPI_VERSION="3.1.0",
    )
    api = Api(app, spec_kwargs={"components": {"securitySchemes": security_schemes(app)}})
    for schema in (schemas.Error, schemas.FeatureCollection, schemas.Feature):
        if schema.__name__ not in api.spec.components.schemas:  # smorest may have registered Error already
            api.spec.components.schema(schema.__name__, schema=schema)
    for bp in blueprints:
        if isinstance(bp, flask_smorest.Blueprint):
            api.register_blueprint(bp)
        else:
            app.register_blueprint(bp)
    app.register_blueprint(doc_bp)
    app.extensions[_EXTENSION] = api
    return api


def security_schemes(app: Flask) -> dict:
    """Login cookie, CSRF header, Open311 key and API token, named as the app's config names them."""
    return {
        "session": {
            "type": "apiKey",
            "in": "cookie",
            "name": app.config["SESSION_COOKIE_NAME"],
            "description": "登录后的会话 (login via /login)",
        },
        "csrf": {
            "type": "apiKey",
            "in": "header",
            "name": app.config.get("WTF_CSRF_HEADERS", ["X-CSRFToken"])[0],
            "description": "写操作需要 CSRF 令牌 (GET /api/v1/patrols/csrf)",
        },
        "api_key": {"type": "apiKey", "in": "query", "name": "api_key", "description": "Open311 客户端密钥"},
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "个人 API 令牌 (Authorization: Bearer；账户页创建)",
        },
    }


def api_rules(app: Flask) -> list[Rule]:
    """Every URL rule under the API prefixes (what the document must describe)."""
    return [r for r in app.url_map.iter_rules() if r.rule.startswith(API_PREFIXES) or r.rule == "/ogc"]


def document(app: Flask) -> dict:
    """The OpenAPI document generated from the endpoints' declarations, with the standard error responses."""
    doc = app.extensions[_EXTENSION].spec.to_dict()
    schemas.add_error_responses(doc)
    return doc


doc_bp = FlaskBlueprint("apidoc", __name__)


@doc_bp.get("/api/openapi.json")
def openapi_json():
    """The OpenAPI document."""
    return jsonify(document(current_app))
