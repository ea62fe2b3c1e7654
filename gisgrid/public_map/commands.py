"""The ``gisgrid tiles`` commands and the demo step that prepares map tiles."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from tqdm import tqdm

from gisgrid.cli_support import fail
from gisgrid.db import db
from gisgrid.errors import DomainError


def load_demo_tiles() -> None:
    from gisgrid.public_map import tiles

    with db.new_session() as session:
        version = tiles.published_version_id(session)
        if version is None or tiles.generalised_ready(session, version, "gcj02"):
            return
        tiles.prepare(session, version)
    click.echo(f"prepared map tiles of version {version} (generalised and GCJ-02 geometry)")


@click.group("tiles", cls=AppGroup)
def tiles_group() -> None:
    """Public map vector tiles."""


@tiles_group.command("prepare")
@click.option("--version", "version_id", type=int, help="Version id (default: the published one).")
def tiles_prepare(version_id) -> None:
    """Pre-build GCJ-02 and low-zoom generalised geometry of a version (run after publishing)."""
    from gisgrid.public_map import tiles

    with db.new_session() as session:
        version_id = version_id or tiles.published_version_id(session)
        if version_id is None:
            fail(DomainError("尚未发布任何网格边界 (no published version)"))
        with tqdm(total=tiles.prepare_steps(session, version_id) + 1, desc="prepare tiles", unit="step") as bar:
            tiles.prepare(session, version_id, progress=bar.update, on_gcj02=lambda: bar.update(1))
    click.echo(f"prepared map tiles of version {version_id}")
