"""gisgrid: grid-based environmental supervision (网格化环境监管)."""

from __future__ import annotations

from flask import Flask

from gisgrid import config as settings
from gisgrid import contract, ratelimit
from gisgrid.audit import actor as audit_actor
from gisgrid.auth import capabilities
from gisgrid.db import db
from gisgrid.deployment import profile as deployment
from gisgrid.errors import register_error_handlers
from gisgrid.extensions import csrf, login_manager
from gisgrid.grids import extent
from gisgrid.tokens import bearer
from gisgrid.web import refuse_hostile_fields


def create_app(config: dict | None = None) -> Flask:
    """Application factory: settings from GISGRID_* env, overridden by ``config``."""
    app = Flask(__name__)  # templates/ and static/ are package data inside gisgrid/
    app.config.update(settings.from_env())
    app.config["JSON_AS_ASCII"] = False
    app.json.ensure_ascii = False
    if config:
        app.config.update(config)
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's defaults hold the key (None): setdefault did nothing
        app.config["MAX_CONTENT_LENGTH"] = app.config["BATCH_MAX_BYTES"]
    deployment.init_app(app)  # a bad profile refuses to start, naming the file, the key and the problem
    db.init_app(app)
    app.before_request(refuse_hostile_fields)  # before CSRF, which trips over bad form names
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    bearer.install(app)  # after CSRF: a bearer-token request acts as its user and skips the cookie's CSRF check
    register_error_handlers(app)
    app.add_template_global(capabilities.can, "can")  # templates ask can(current_user, "...")
    app.add_template_global(_map_view, "map_view")  # the map pages' initial view (base.html)
    audit_actor.install()
    _register_blueprints(app)
    db.init_replicas(app)  # inside the rate limit: a retry on the primary is not counted twice
    ratelimit.init_app(app)
    return app


def _map_view() -> dict:
    # called only by pages that set uses_map, so the error page never queries the database
    return extent.initial_view(db.session())


def _register_blueprints(app: Flask) -> None:
    from gisgrid.audit.api import bp as audit_api_bp
    from gisgrid.audit.routes import bp as audit_bp
    from gisgrid.auth.api import bp as auth_api_bp
    from gisgrid.auth.routes import bp as auth_bp
    from gisgrid.deployment.routes import bp as deployment_bp
    from gisgrid.editor.api import bp as editor_api_bp
    from gisgrid.editor.routes import bp as editor_bp
    from gisgrid.grids.routes import bp as grids_bp
    from gisgrid.incidents.api import bp as incidents_api_bp
    from gisgrid.incidents.open311 import bp as open311_bp
    from gisgrid.incidents.routes import bp as incidents_bp
    from gisgrid.jurisdiction.api import bp as jurisdiction_api_bp
    from gisgrid.jurisdiction.routes import bp as jurisdiction_bp
    from gisgrid.ogc.routes import bp as ogc_bp
    from gisgrid.patrols.api import bp as patrols_api_bp
    from gisgrid.patrols.routes import bp as patrols_bp
    from gisgrid.public_map.api import bp as public_api_bp
    from gisgrid.public_map.routes import bp as public_bp
    from gisgrid.sources.api import bp as sources_api_bp
    from gisgrid.sources.routes import bp as sources_bp
    from gisgrid.tokens.routes import bp as tokens_bp

    # these never read the session cookie (public lookup; Open311 clients with an optional api_key),
    # so a cross-site request cannot act as a logged-in user
    csrf.exempt(grids_bp)
    csrf.exempt(open311_bp)
    blueprints = (
        auth_bp,
        auth_api_bp,
        grids_bp,
        public_bp,
        public_api_bp,
        ogc_bp,
        incidents_bp,
        incidents_api_bp,
        open311_bp,
        sources_bp,
        sources_api_bp,
        patrols_bp,
        patrols_api_bp,
        editor_bp,
        editor_api_bp,
        jurisdiction_bp,
        jurisdiction_api_bp,
        audit_bp,
        audit_api_bp,
        deployment_bp,
        tokens_bp,
    )
    contract.init_app(app, blueprints)
