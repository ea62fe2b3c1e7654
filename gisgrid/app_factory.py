"""The application factory: every domain, blueprint and extension wired into one Flask app."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from gisgrid import config as settings
from gisgrid import contract, ratelimit
from gisgrid.audit import actor as audit_actor
from gisgrid.audit import security as audit_security
from gisgrid.auth import capabilities
from gisgrid.db import db
from gisgrid.deployment import profile as deployment
from gisgrid.errors import InvalidInput, register_error_handlers
from gisgrid.extensions import csrf, login_manager
from gisgrid.grids import extent, lookup_wsgi
from gisgrid.incidents import deadlines
from gisgrid.notifications import events as notification_events
from gisgrid.security import headers as security_headers
from gisgrid.security import startup as security_startup
from gisgrid.session_cookie import SessionInterface
from gisgrid.tokens import bearer
from gisgrid.web import refuse_hostile_fields


def create_app(config: dict | None = None) -> Flask:
    """Application factory: settings from GISGRID_* env, overridden by ``config``."""
    app = Flask("gisgrid")  # the package: templates/ and static/ are package data inside gisgrid/
    app.session_interface = SessionInterface()  # no signer is built for a request without a cookie
    app.config.update(settings.from_env())
    app.config["JSON_AS_ASCII"] = False
    app.json.ensure_ascii = False
    if config:
        app.config.update(config)
    security_startup.check(app.config)  # production mode: no default secret, no cookie over plain HTTP
    # a kept login's cookie (the field app) lasts as long as the login row counts (auth/logins.py)
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=float(app.config["SESSION_HOURS"]))
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's defaults hold the key (None): setdefault did nothing
        app.config["MAX_CONTENT_LENGTH"] = app.config["BATCH_MAX_BYTES"]
    deployment.init_app(app)  # a bad profile refuses to start, naming the file, the key and the problem
    _use_holidays(app.config.get("HOLIDAYS_FILE"))
    db.init_app(app)
    app.before_request(refuse_hostile_fields)  # before CSRF, which trips over bad form names
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    bearer.install(app)  # after CSRF: a bearer-token request acts as its user and skips the cookie's CSRF check
    register_error_handlers(app)
    security_headers.install(app)  # CSP, nosniff, Referrer-Policy, frame-ancestors on every response
    app.add_template_global(capabilities.can, "can")  # templates ask can(current_user, "...")
    app.add_template_global(_map_view, "map_view")  # the map pages' initial view (base.html)
    _register_inbox_sources()
    audit_actor.install()
    audit_security.install()  # auth's security events (login, logout, …) land in the audit trail
    app.add_template_global(_bell, "bell_count")  # the header's unread notifications (base.html)
    notification_events.install()  # case steps write the outbox (incidents knows nothing of notifications)
    _register_blueprints(app)
    db.init_replicas(app)  # inside the rate limit: a retry on the primary is not counted twice
    # the common anonymous lookup, answered before Flask's pipeline; installed before ratelimit's ProxyFix,
    # which wraps it from outside, so REMOTE_ADDR is the client's (its rate-limit key)
    app.wsgi_app = lookup_wsgi.FastLookup(app, app.wsgi_app)
    ratelimit.init_app(app)
    return app


def _use_holidays(path: str | None) -> None:
    """The holiday notices of GISGRID_HOLIDAYS_FILE for working-day arithmetic; a bad file refuses to start."""
    try:
        deadlines.use_holiday_file(path)
    except InvalidInput as err:
        raise deployment.ProfileError(f"GISGRID_HOLIDAYS_FILE: {err}") from None


def _map_view() -> dict:
    # called only by pages that set uses_map, so the error page never queries the database
    return extent.initial_view(db.session())


def _bell() -> int | None:
    from gisgrid.notifications.routes import bell_count

    return bell_count()


def _register_inbox_sources() -> None:
    # the domains register what waits for a user (待办); the inbox package imports none of them
    from gisgrid.evaluation import waiting as _evaluation_work  # noqa: F401
    from gisgrid.incidents import waiting as _case_work  # noqa: F401
    from gisgrid.jurisdiction import waiting as _dispute_work  # noqa: F401
    from gisgrid.sources import waiting as _source_work  # noqa: F401
    from gisgrid.tracking import waiting as _tracked_work  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from gisgrid.accounts.routes import bp as accounts_bp
    from gisgrid.agreements.api import bp as agreements_api_bp
    from gisgrid.agreements.routes import bp as agreements_bp
    from gisgrid.audit.api import bp as audit_api_bp
    from gisgrid.audit.routes import bp as audit_bp
    from gisgrid.auth.api import bp as auth_api_bp
    from gisgrid.auth.routes import bp as auth_bp
    from gisgrid.campaigns.api import bp as campaigns_api_bp
    from gisgrid.campaigns.routes import bp as campaigns_bp
    from gisgrid.deployment.routes import bp as deployment_bp
    from gisgrid.disclosure.api import bp as disclosure_api_bp
    from gisgrid.disclosure.routes import bp as disclosure_bp
    from gisgrid.editor.api import bp as editor_api_bp
    from gisgrid.editor.routes import bp as editor_bp
    from gisgrid.evaluation.api import bp as evaluation_api_bp
    from gisgrid.evaluation.routes import bp as evaluation_bp
    from gisgrid.field.api import bp as field_api_bp
    from gisgrid.field.routes import bp as field_bp
    from gisgrid.grids.routes import bp as grids_bp
    from gisgrid.hazards.api import bp as hazards_api_bp
    from gisgrid.hazards.routes import bp as hazards_bp
    from gisgrid.inbox.api import bp as inbox_api_bp
    from gisgrid.inbox.routes import badge_count
    from gisgrid.inbox.routes import bp as inbox_bp
    from gisgrid.incidents.api import bp as incidents_api_bp
    from gisgrid.incidents.open311 import bp as open311_bp
    from gisgrid.incidents.routes import bp as incidents_bp
    from gisgrid.jobs.api import bp as jobs_api_bp
    from gisgrid.jurisdiction.api import bp as jurisdiction_api_bp
    from gisgrid.jurisdiction.routes import bp as jurisdiction_bp
    from gisgrid.monitoring.api import bp as monitoring_api_bp
    from gisgrid.monitoring.routes import bp as monitoring_bp
    from gisgrid.notifications.api import bp as notifications_api_bp
    from gisgrid.notifications.routes import bp as notifications_bp
    from gisgrid.ogc.routes import bp as ogc_bp
    from gisgrid.patrols.api import bp as patrols_api_bp
    from gisgrid.patrols.routes import bp as patrols_bp
    from gisgrid.plans.api import bp as plans_api_bp
    from gisgrid.plans.routes import bp as plans_bp
    from gisgrid.privacy.api import bp as privacy_api_bp
    from gisgrid.public_map.api import bp as public_api_bp
    from gisgrid.public_map.routes import bp as public_bp
    from gisgrid.reports.api import bp as reports_api_bp
    from gisgrid.reports.routes import bp as reports_bp
    from gisgrid.sources.api import bp as sources_api_bp
    from gisgrid.sources.routes import bp as sources_bp
    from gisgrid.supervision.api import bp as supervision_api_bp
    from gisgrid.supervision.routes import bp as supervision_bp
    from gisgrid.tokens.routes import bp as tokens_bp
    from gisgrid.tracking.api import bp as tracking_api_bp
    from gisgrid.tracking.routes import bp as tracking_bp

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
        privacy_api_bp,
        open311_bp,
        sources_bp,
        sources_api_bp,
        monitoring_bp,
        monitoring_api_bp,
        patrols_bp,
        patrols_api_bp,
        editor_bp,
        editor_api_bp,
        jurisdiction_bp,
        jurisdiction_api_bp,
        audit_bp,
        audit_api_bp,
        accounts_bp,
        deployment_bp,
        tokens_bp,
        tracking_bp,
        tracking_api_bp,
        supervision_bp,
        supervision_api_bp,
        campaigns_bp,
        campaigns_api_bp,
        evaluation_bp,
        evaluation_api_bp,
        agreements_bp,
        agreements_api_bp,
        reports_bp,
        reports_api_bp,
        plans_bp,
        plans_api_bp,
        notifications_bp,
        notifications_api_bp,
        inbox_bp,
        inbox_api_bp,
        field_bp,
        field_api_bp,
        jobs_api_bp,
        disclosure_bp,
        disclosure_api_bp,
        hazards_bp,
        hazards_api_bp,
    )
    app.add_template_global(badge_count, "inbox_count")  # the header's 待办 badge (base.html)
    contract.init_app(app, blueprints)
