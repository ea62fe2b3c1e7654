"""gisgrid: grid-based environmental supervision (网格化环境监管)."""

from __future__ import annotations

from flask import Flask

from gisgrid import config as settings
from gisgrid import ratelimit
from gisgrid.audit import actor as audit_actor
from gisgrid.db import db
from gisgrid.errors import register_error_handlers
from gisgrid.extensions import csrf, login_manager
from gisgrid.web import refuse_hostile_fields


def create_app(config: dict | None = None) -> Flask:
    """Application factory: settings from GISGRID_* env, overridden by ``config``."""
    app = Flask(__name__, template_folder="../templates", static_folder="../static")
    app.config.update(settings.from_env())
    app.config["JSON_AS_ASCII"] = False
    app.json.ensure_ascii = False
    if config:
        app.config.update(config)
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's defaults hold the key (None): setdefault did nothing
        app.config["MAX_CONTENT_LENGTH"] = app.config["BATCH_MAX_BYTES"]
    db.init_app(app)
    app.before_request(refuse_hostile_fields)  # before CSRF, which trips over bad form names
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    register_error_handlers(app)
    audit_actor.install()
    _register_blueprints(app)
    ratelimit.init_app(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from gisgrid.apidoc import bp as apidoc_bp
    from gisgrid.audit.routes import bp as audit_bp
    from gisgrid.auth.routes import bp as auth_bp
    from gisgrid.editor.routes import bp as editor_bp
    from gisgrid.grids.routes import bp as grids_bp
    from gisgrid.incidents.open311 import bp as open311_bp
    from gisgrid.incidents.routes import bp as incidents_bp
    from gisgrid.jurisdiction.routes import bp as jurisdiction_bp
    from gisgrid.ogc.routes import bp as ogc_bp
    from gisgrid.patrols.routes import bp as patrols_bp
    from gisgrid.public_map.routes import bp as public_bp
    from gisgrid.sources.routes import bp as sources_bp

    # these never read the session cookie (public lookup; Open311 clients with an optional api_key),
    # so a cross-site request cannot act as a logged-in user
    csrf.exempt(grids_bp)
    csrf.exempt(open311_bp)
    for bp in (
        auth_bp,
        grids_bp,
        public_bp,
        ogc_bp,
        incidents_bp,
        open311_bp,
        sources_bp,
        patrols_bp,
        editor_bp,
        jurisdiction_bp,
        apidoc_bp,
        audit_bp,
    ):
        app.register_blueprint(bp)
