"""The ``gisgrid editor`` commands (filing package)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from tqdm import tqdm

from gisgrid.cli_support import fail
from gisgrid.db import db
from gisgrid.errors import DomainError
from gisgrid.grids import versions as grid_versions


@click.group("editor", cls=AppGroup)
def editor_group() -> None:
    """Boundary editor: filing package (备案)."""


@editor_group.command("filing")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--version", "version_id", type=int, help="Version id (default: the published one).")
def editor_filing(path, version_id) -> None:
    """Write the filing package (responsibility table CSV/XLSX/PDF, GeoPackage, overview PNG) as a zip."""
    from gisgrid.deployment import current_profile
    from gisgrid.editor import filing

    try:
        with db.new_session() as session, tqdm(total=len(filing.STEPS), desc="filing", unit="file") as bar:
            published = grid_versions.find_published(session)
            version_id = version_id or (published.id if published else 0)
            data = filing.build_package(
                session,
                version_id,
                progress=lambda name: (bar.set_postfix_str(name), bar.update(1)),
                profile=current_profile(),
            )
    except DomainError as err:
        fail(err)
    Path(path).write_bytes(data)
    click.echo(f"wrote the filing package of version {version_id} to {path} ({len(data):,} bytes)")
