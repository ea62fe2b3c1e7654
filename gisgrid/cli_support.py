"""Helpers shared by every domain's command-line commands."""

from __future__ import annotations

import sys

import click

from gisgrid.errors import DomainError


def fail(err: DomainError) -> None:
    """Print a domain error in red and exit with status 1 (no traceback for a user's mistake)."""
    click.secho(err.message, fg="red", err=True)
    sys.exit(1)


def reading_app(config: dict | None = None):
    """An app for a command that only reads the database and CACHE_DIR (``gisgrid grids assign``).

    The settings and start-up checks of ``create_app`` (production secrets, the deployment profile) and
    the database, without the domains, blueprints and request extensions: their imports and route
    registration took 3–20 s of a 1,000,000-point assignment, which needs none of them.
    """
    from flask import Flask

    from gisgrid import config as settings
    from gisgrid.db import db
    from gisgrid.deployment import profile as deployment
    from gisgrid.security import startup as security_startup

    app = Flask("gisgrid")
    app.config.update(settings.from_env())
    if config:
        app.config.update(config)
    security_startup.check(app.config)
    deployment.init_app(app)
    db.init_app(app)
    return app
