"""The ``gisgrid tiles`` commands and the demo step that prepares map tiles."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from tqdm import tqdm

from gisgrid.cli_support import fail
from gisgrid.db import db, unit_of_work
from gisgrid.errors import DomainError
from gisgrid.grids import versions as grid_versions


def load_demo_tiles() -> None:
    from gisgrid.public_map import tiles

    with db.new_session() as session, unit_of_work(session):
        version = grid_versions.find_published(session)
        if version is None or tiles.prepare(session, version.id) == 0:
            return  # nothing published, or prepared when it was published
    click.echo(f"prepared map tiles of version {version.id} (generalised and GCJ-02 geometry)")


@click.group("tiles", cls=AppGroup)
def tiles_group() -> None:
    """Public map vector tiles."""


@tiles_group.command("prepare")
@click.option("--version", "version_id", type=int, help="Version id (default: the published one).")
def tiles_prepare(version_id) -> None:
    """Build GCJ-02 and low-zoom generalised geometry of a version (publication does it; for older versions)."""
    from gisgrid.public_map import tiles

    with db.new_session() as session, unit_of_work(session):
        try:
            version_id = (
                grid_versions.by_id(session, version_id).id if version_id else grid_versions.published(session).id
            )
        except DomainError as err:
            fail(err)
        with tqdm(total=tiles.prepare_steps(session, version_id) + 1, desc="prepare tiles", unit="step") as bar:
            tiles.prepare(session, version_id, progress=bar.update, on_gcj02=lambda: bar.update(1))
    click.echo(f"prepared map tiles of version {version_id}")
