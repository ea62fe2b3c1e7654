"""gisgrid: grid-based environmental supervision (网格化环境监管)."""
from __future__ import annotations

from flask import Flask

from gisgrid import config as settings
from gisgrid.db import db
from gisgrid.extensions import csrf, login_manager
from gisgrid.errors import register_error_handlers


def create_app(config: dict | None = None) -> Flask:
    """Application factory: settings from GISGRID_* env, overridden by ``config``."""
    app = Flask(__name__, template_folder="../templates", static_folder="../static")
    app.config.update(settings.from_env())
    app.config["JSON_AS_ASCII"] = False
    app.json.ensure_ascii = False
    if config:
        app.config.update(config)
    app.config.setdefault("MAX_CONTENT_LENGTH", app.config["BATCH_MAX_BYTES"])
    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    register_error_handlers(app)
    _register_blueprints(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from gisgrid.auth.routes import bp as auth_bp
    from gisgrid.grids.routes import bp as grids_bp
    from gisgrid.public_map.routes import bp as public_bp
    # the public lookup API uses no cookies, so cross-site requests cannot act as anyone
    csrf.exempt(grids_bp)
    for bp in (auth_bp, grids_bp, public_bp):
        app.register_blueprint(bp)
    from gisgrid.patrols.routes import bp as patrols_bp
    from gisgrid.sources.routes import bp as sources_bp
    app.register_blueprint(sources_bp)
    app.register_blueprint(patrols_bp)
    from gisgrid.ogc.routes import bp as ogc_bp
    app.register_blueprint(ogc_bp)
    from gisgrid.incidents.open311 import bp as open311_bp
    from gisgrid.incidents.routes import bp as incidents_bp
    # Open311 never reads the session cookie (anonymous clients, optional api_key)
    csrf.exempt(open311_bp)
    for bp in (incidents_bp, open311_bp):
        app.register_blueprint(bp)
    from gisgrid.editor.routes import bp as editor_bp
    app.register_blueprint(editor_bp)
