"""What RQ executes: a registered job or the periodic tick, inside the app (its config and database)."""

from __future__ import annotations

import logging
from contextlib import contextmanager

from flask import Flask, current_app, has_app_context

from gisgrid.db import db
from gisgrid.jobs import queue, registry

log = logging.getLogger(__name__)
_APP: Flask | None = None


def use_app(app: Flask) -> None:
    """The app jobs run in (the worker sets it once; otherwise one is created from the environment)."""
    global _APP
    _APP = app


@contextmanager
def _in_app():
    global _APP
    if has_app_context():
        yield current_app
        return
    if _APP is None:
        from gisgrid import create_app

        _APP = create_app()
    with _APP.app_context():
        yield _APP


def run(name: str, *args):
    """Run the registered job ``name`` with a fresh session."""
    with _in_app() as app, db.new_session() as session:
        return registry.find(name)(session, app.config, *args)


def tick(force: bool = False) -> dict:
    """Run each periodic task whose interval has passed (one worker per interval: a Redis lock); → results.

    ``force`` runs every task now (``gisgrid worker --burst``, tests). A failing task is logged and the
    others still run; it is tried again at the next interval.
    """
    results = {}
    with _in_app() as app:
        redis = queue.connection(app.config)
        for task in registry.periodics():
            key = f"gisgrid:periodic:{app.config['JOBS_QUEUE']}:{task.name}"
            if not force and not redis.set(key, "1", nx=True, px=max(int(task.every * 1000), 1)):
                continue
            try:
                with db.new_session() as session:
                    results[task.name] = task.run(session, app.config)
            except Exception:  # one broken task must not stop the others (or the worker)
                log.exception("periodic task %s failed", task.name)
                results[task.name] = "error"
    return results
