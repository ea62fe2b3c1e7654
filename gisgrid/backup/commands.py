"""The ``gisgrid backup`` and ``gisgrid restore`` commands."""

from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext

from gisgrid.cli_support import fail
from gisgrid.errors import DomainError


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
@with_appcontext
def backup_command(path, force) -> None:
    """Write database and media files to one archive at PATH (nothing is left at PATH if interrupted)."""
    from gisgrid.backup import service

    started = time.monotonic()
    try:
        manifest = service.backup(current_app.config["DATABASE_URL"], current_app.config["MEDIA_DIR"], path, force)
    except DomainError as err:
        fail(err)
    media = len(manifest["files"]) - 1
    click.echo(
        f"wrote {path}: database {manifest['database']} and {media} media files in {time.monotonic() - started:.1f} s"
    )


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
@click.option("--template", default="gisgrid_template", show_default=True, help="PostGIS template database.")
@with_appcontext
def restore_command(path, force, template) -> None:
    """Verify the archive at PATH, then replace database and media files with its content (all or nothing)."""
    from gisgrid.backup import service

    started = time.monotonic()
    try:
        manifest = service.restore(
            current_app.config["DATABASE_URL"], current_app.config["MEDIA_DIR"], path, force, template
        )
    except DomainError as err:
        fail(err)
    click.echo(
        f"restored the backup of {manifest['created_at']} ({len(manifest['files']) - 1} media files) "
        f"in {time.monotonic() - started:.1f} s"
    )
