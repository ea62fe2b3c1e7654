"""The ``gisgrid sources`` commands: import, export, 双随机 draws, reassignment after a new boundary version."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from tqdm import tqdm

from gisgrid.cli_support import fail
from gisgrid.db import db
from gisgrid.errors import DomainError


@click.group("sources", cls=AppGroup)
def sources_group() -> None:
    """Pollution sources: import, export, 双随机 draws."""


@sources_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--crs", help="CRS of lon/lat columns: wgs84 (default), cgcs2000, gcj02, bd09, EPSG:n.")
def sources_import(path, crs) -> None:
    """Import sources from CSV/XLSX/GeoPackage: all rows or none (every bad row is listed)."""
    from gisgrid.sources import service

    try:
        with db.new_session() as session:
            count = service.import_file(
                session, path, by="cli", crs=crs, progress=lambda rows: tqdm(rows, unit="row", desc="checking")
            )
    except DomainError as err:
        for problem in err.details or []:
            click.secho(f"row {problem['row']} {problem['code']}: {problem['message']}", fg="red", err=True)
        fail(err)
    click.echo(f"imported {count} sources")


@sources_group.command("export")
@click.argument("path", type=click.Path(dir_okay=False))
def sources_export(path) -> None:
    """Write every source to PATH (.csv, .xlsx or .gpkg; re-importable)."""
    from gisgrid.sources import service

    try:
        with db.new_session() as session:
            count = service.export_file(session, path)
    except DomainError as err:
        fail(err)
    click.echo(f"exported {count} sources to {path}")


@sources_group.command("draw")
@click.argument("quarter", required=False)
@click.option("--seed", help="The published random seed (default: a fresh random one, stored and published).")
@click.option(
    "--proportion", "proportions", multiple=True, help="CLASS=share, e.g. C=0.3 (defaults: the deployment profile's)."
)
@click.option("--per-source", default=2, show_default=True, help="Inspectors per drawn source.")
@click.option(
    "--role",
    "pool_roles",
    multiple=True,
    help="Inspector pool: a role (repeatable; default grid_staff, grid_leader, handler).",
)
@click.option("--department", "departments", multiple=True, help="Inspector pool: a department code (repeatable).")
@click.option("--override-reason", help="Why the draw runs outside the last 5 working days of the quarter before.")
def sources_draw(quarter, seed, proportions, per_source, pool_roles, departments, override_reason) -> None:
    """Run QUARTER's (default: the next quarter, e.g. 2027Q1) 双随机 draw once and print it."""
    from gisgrid.deployment import current_profile
    from gisgrid.sources import draws

    props = dict(current_profile().draw_proportions)
    for pair in proportions:
        cls, _, share = pair.partition("=")
        try:
            props[cls.strip().upper()] = float(share)
        except ValueError:
            raise click.BadParameter(f"{pair!r} is not CLASS=share", param_hint="--proportion") from None
    try:
        with db.new_session() as session:
            view = draws.public_view(
                draws.run_draw(
                    session,
                    quarter,
                    by="cli",
                    seed=seed,
                    proportions=props,
                    per_source=per_source,
                    pool_roles=pool_roles,
                    departments=departments,
                    override_reason=override_reason,
                )
            )
    except DomainError as err:
        fail(err)
    click.echo(f"draw {view['id']} {view['quarter']} seed {view['seed']!r}: {len(view['results']['picks'])} sources")
    for pick in view["results"]["picks"]:
        click.echo(f"  {pick['class']}  {pick['source']}  ← {'、'.join(pick['inspectors'])}")


@sources_group.command("moved")
@click.argument("version_id", type=int)
@click.option("--confirm", "confirm_ids", multiple=True, type=int, help="Reassign this source id (repeatable).")
@click.option("--confirm-all", is_flag=True, help="Reassign every listed source.")
def sources_moved(version_id, confirm_ids, confirm_all) -> None:
    """List sources whose grid differs in boundary VERSION_ID; reassign the confirmed ones."""
    from gisgrid.grids import assignments

    with db.new_session() as session:
        moved = [m for m in assignments.moved(session, version_id) if m.kind == "source"]
        for m in moved:
            click.echo(f"{m.item_id:>6}  {m.label}  {m.old_code or '-'} → {m.new_code or '(outside every grid)'}")
        ids = [m.item_id for m in moved] if confirm_all else [i for i in confirm_ids if i in {m.item_id for m in moved}]
        if ids:
            counts = assignments.reassign(session, version_id, {"source": ids})
            click.echo(f"reassigned {counts['source']} sources to version {version_id}")


@sources_group.command("verify-draw")
@click.argument("draw_id", type=int)
def sources_verify_draw(draw_id) -> None:
    """Re-run a stored draw from its stored inputs and compare with its stored results."""
    from gisgrid.sources import draws

    try:
        with db.new_session() as session:
            view = draws.public_view(draws.get_draw(session, draw_id))
    except DomainError as err:
        fail(err)
    click.echo("re-run matches the published results" if view["rerun_matches"] else "MISMATCH")
    sys.exit(0 if view["rerun_matches"] else 1)
