"""The ``gisgrid jurisdiction`` commands: load the river network used for downstream harm areas."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from gisgrid.cli_support import fail
from gisgrid.db import db
from gisgrid.errors import DomainError


@click.group("jurisdiction", cls=AppGroup)
def jurisdiction_group() -> None:
    """Cross-boundary pollution: the river network."""


@jurisdiction_group.command("rivers-import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--crs", help="CRS when the file declares none, e.g. EPSG:4528, cgcs2000, gcj02.")
@click.option("--river-field", default="river", show_default=True, help="Column holding the river's name.")
@click.option("--replace", is_flag=True, help="Delete the loaded network first (same transaction).")
@click.option("--label", help="Where the network comes from (stored with every reach).")
def rivers_import(path, crs, river_field, replace, label) -> None:
    """Import river reaches from PATH (lines digitised in the direction of flow); all or nothing."""
    from gisgrid.jurisdiction.rivers import import_rivers

    try:
        with db.new_session() as session:
            count = import_rivers(session, path, crs=crs, river_field=river_field, replace=replace, label=label)
    except DomainError as err:
        fail(err)  # a refused file's message lists every bad feature
    click.echo(f"imported {count} river reaches" + (" (previous network replaced)" if replace else ""))
