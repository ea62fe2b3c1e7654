"""The ``gisgrid worker`` command."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run every periodic task once and the queued jobs, then exit.")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Background worker (RQ on GISGRID_REDIS_URL): notifications, deadline scans, digests, 督办."""
    from gisgrid.jobs import queue, worker

    app = current_app._get_current_object()
    click.echo(f"worker on {queue.url(app.config)} queue {app.config['JOBS_QUEUE']}" + (" (burst)" if burst else ""))
    worker.work(app, burst=burst)
