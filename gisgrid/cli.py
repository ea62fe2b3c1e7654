"""The ``gisgrid`` command line: database, grid import/export/assign, demo data."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup
from tqdm import tqdm

from gisgrid import create_app
from gisgrid.audit import actor as audit_actor
from gisgrid.cli_support import fail
from gisgrid.db import db
from gisgrid.deployment import ProfileError, current_profile
from gisgrid.errors import DomainError
from gisgrid.security.startup import InsecureConfiguration

DEMO_FILE = Path(__file__).resolve().parent.parent / "data" / "boundaries" / "xicheng_demo.geojson"


def _create_app():
    try:
        return create_app()
    except (ProfileError, InsecureConfiguration) as err:  # a bad profile or an unsafe production setting: one line
        raise SystemExit(f"gisgrid: refusing to start: {err}") from None


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """gisgrid: 网格化环境监管平台 command line."""
    # changes made by a command are audited as the OS user (or GISGRID_ACTOR), source "cli"
    token = audit_actor.act_as(audit_actor.cli_actor())
    click.get_current_context().call_on_close(lambda: audit_actor.reset(token))


@main.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations."""
    from gisgrid.migrate import upgrade

    upgrade(current_app.config["DATABASE_URL"])
    click.echo("database is at the latest migration")


@main.group("grids")
def grids_group() -> None:
    """Grid boundaries: import, export, publish, assign points."""


def _parse_map(pairs: tuple[str, ...]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field or not column:
            raise click.BadParameter(f"{pair!r} is not field=column", param_hint="--map")
        mapping[field.strip()] = column.strip()
    return mapping


def _bar_progress(bar):
    """A ``progress(done, total)`` callback that moves a tqdm bar (the total is known once the file is read)."""

    def progress(done: int, total: int) -> None:
        bar.total = total // 2  # every feature is counted twice (its own checks, then its place in the tiling)
        bar.update(done // 2 - bar.n)

    return progress


@grids_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--layer", help="Layer name (GeoPackage with several layers).")
@click.option("--crs", help="CRS when the file declares none, e.g. EPSG:4528, cgcs2000, gcj02.")
@click.option("--publish", is_flag=True, help="Publish the new version at once.")
@click.option("--map", "mapping", multiple=True, help="field=column for non-standard column names.")
@click.option("--label", help="Label of the new boundary version.")
@click.option("--tolerance", type=float, help="Gap/overlap tolerance in m² (default GISGRID_TOPOLOGY_TOLERANCE_M2).")
@click.option("--repair", "do_repair", is_flag=True, help="Repair gaps, overlaps and edges a few metres off first.")
@click.option("--snap", type=float, help="With --repair: snap vertices closer than this many metres (default 3).")
@click.option(
    "--max-gap-width", type=float, help="With --repair: fill gaps narrower than this, in metres (default 10)."
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False),
    help="With --repair: write the repair report (.geojson or .csv).",
)
def grids_import(
    path, layer, crs, publish, mapping, label, tolerance, do_repair, snap, max_gap_width, report_path
) -> None:
    """Validate PATH and store it as a new boundary version (nothing is written if invalid)."""
    from gisgrid.grids import service

    tol = tolerance if tolerance is not None else current_app.config["TOPOLOGY_TOLERANCE_M2"]
    limits = _repair_limits(do_repair, snap, max_gap_width, report_path)
    try:
        with db.new_session() as session, tqdm(desc="校验 validating", unit="grid", leave=False) as bar:
            result = service.import_file(
                session,
                path,
                layer=layer,
                crs=crs,
                field_map=_parse_map(mapping),
                label=label,
                publish=publish,
                tolerance_m2=tol,
                unit_depths=current_profile().unit_grid_depths,
                progress=_bar_progress(bar),
                repair=limits,
                report_path=report_path,
            )
    except DomainError as err:
        fail(err)
    if result.repair is not None:
        click.echo(result.repair.summary())
        if report_path:
            click.echo(f"repair report written to {report_path}")
    state = "published" if result.published else "draft"
    click.echo(f"imported {result.grid_count} grids as version {result.version_id} ({state})")
    for warning in result.warnings:
        click.secho(f"warning: {warning['message']}", fg="yellow")


def _repair_limits(do_repair: bool, snap, max_gap_width, report_path):
    """The --repair limits, or None; a limit without --repair is a usage error, never silently ignored."""
    from gisgrid.grids.service import RepairLimits

    if not do_repair:
        for name, value in (("--snap", snap), ("--max-gap-width", max_gap_width), ("--report", report_path)):
            if value is not None:
                raise click.UsageError(f"{name} needs --repair")
        return None
    defaults = RepairLimits()
    return RepairLimits(
        snap if snap is not None else defaults.snap_m,
        max_gap_width if max_gap_width is not None else defaults.max_gap_width_m,
    )


@grids_group.command("export")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--version", "version_id", type=int, help="Version id (default: the published one).")
def grids_export(path, version_id) -> None:
    """Write grids to PATH (.geojson, .gpkg or .shp)."""
    from gisgrid.grids.exporter import export_version

    try:
        with db.new_session() as session:
            count = export_version(session, path, version_id)
    except DomainError as err:
        fail(err)
    click.echo(f"exported {count} grids to {path}")


@grids_group.command("publish")
@click.argument("version_id", type=int)
def grids_publish(version_id) -> None:
    """Publish VERSION_ID: lookups switch to it at once."""
    from gisgrid.grids import service

    try:
        with db.new_session() as session:
            service.publish_version(session, version_id)
    except DomainError as err:
        fail(err)
    click.echo(f"version {version_id} is now published")


@grids_group.command("versions")
def grids_versions() -> None:
    """List boundary versions."""
    from gisgrid.grids import queries

    with db.new_session() as session:
        for version, count in queries.list_versions(session):
            click.echo(
                f"{version.id:>4}  {version.status:<10} {count:>7} grids  {version.label}  {version.source or ''}"
            )


@grids_group.command("assign", with_appcontext=False)
@click.argument("src", type=click.Path(exists=True, dir_okay=False))
@click.argument("dst", type=click.Path(dir_okay=False))
@click.option("--crs", help="CRS of the input coordinates (default wgs84).")
def grids_assign(src, dst, crs) -> None:
    """Assign each point of SRC (CSV lon,lat or GeoJSON) to its smallest grid, writing DST."""
    from gisgrid.grids import assign_file, batch

    started = time.perf_counter()
    with _command_app().app_context(), ThreadPoolExecutor(1) as pool:
        _phase("start-up", started)
        try:
            t0 = time.perf_counter()
            reading = pool.submit(assign_file.read_input, src)  # read and parsed while the index loads
            with db.new_session() as session:
                index = batch.published_index(session)
            _phase(f"index of version {index.version_id}", t0)
            t0 = time.perf_counter()
            written = assign_file.assign(index, src, dst, crs, *reading.result())
            _phase("assign and write", t0)
        except DomainError as err:
            fail(err)
    click.echo(f"assigned {written} points → {dst}")


def _command_app():
    """The app of a reading command: the caller's own (a test runner's), else the light ``reading_app``."""
    from flask.cli import ScriptInfo

    from gisgrid.cli_support import reading_app

    info = click.get_current_context().ensure_object(ScriptInfo)
    if info.create_app is not _create_app:
        return info.load_app()
    try:
        return reading_app()
    except (ProfileError, InsecureConfiguration) as err:
        raise SystemExit(f"gisgrid: refusing to start: {err}") from None


def _phase(what: str, since: float) -> None:
    """A long command says where its time goes, on stderr (stdout is the command's answer)."""
    click.echo(f"{what}: {time.perf_counter() - since:.1f} s", err=True)


@main.group("demo")
def demo_group() -> None:
    """Demo deployments of the five seed places (西城区 by default; sample contacts)."""


@demo_group.command("load")
@click.option(
    "--place",
    type=click.Choice(["xicheng", "hulin", "panjin", "zhanqian", "gaochang"]),
    default=None,
    help="seed place (default: the active deployment GISGRID_DEPLOYMENT, i.e. 西城区 unless set)",
)
@click.option(
    "--path",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="boundaries (default: the place's demo file)",
)
def demo_load(place, path) -> None:
    """Load a demo deployment: boundaries, accounts, ... (each step skips what is already there)."""
    from gisgrid.demo import commands as demo_commands

    demo, profile = demo_commands.resolve(place)
    demo_commands.refuse_another_place(demo)
    _load_demo_boundaries(path or str(demo.path), demo.name, profile.unit_grid_depths)
    if demo.key == "xicheng":  # its hand-picked accounts and matrix
        auth_commands.load_demo_accounts()
        incidents_commands.load_demo_incidents(profile)
    else:
        demo_commands.load_accounts_and_cases(demo, profile)
    demo_commands.load_sources_and_tracks(demo, profile)
    demo_commands.load_evaluation(demo, profile)
    _load_demo_monitoring()
    _load_demo_disclosure()
    _load_demo_jurisdiction(rivers=demo.key == "xicheng")  # the illustrative rivers are drawn in 西城区
    _load_demo_supervision(profile, demo.top_code)
    tiles_commands.load_demo_tiles()


def _load_demo_boundaries(path, place_name: str = "西城区", unit_depths: tuple[int, ...] = ()) -> None:
    from gisgrid.grids import queries, service

    digest = service.file_digest(path)
    with db.new_session() as session:
        known = [v for v, _ in queries.list_versions(session) if v.source and digest in v.source]
        if known:
            click.echo(f"demo boundaries already loaded as version {known[0].id} ({known[0].status})")
            return
        try:
            result = service.import_file(
                session,
                path,
                label=f"{place_name}示例网格 (demo)",
                publish=True,
                tolerance_m2=current_app.config["TOPOLOGY_TOLERANCE_M2"],
                unit_depths=unit_depths,  # the place's own rule (盘锦: only the 一级网格 designates)
            )
        except DomainError as err:
            fail(err)
    click.echo(f"loaded {result.grid_count} demo grids as version {result.version_id} (published)")


def _load_demo_jurisdiction(rivers: bool = True) -> None:
    from gisgrid.jurisdiction.demo import load_demo_event, load_demo_rivers

    try:
        with db.new_session() as session:
            # the sample event's downstream walk needs the rivers, so they come first
            reaches = load_demo_rivers(session) if rivers else 0
            event_id = load_demo_event(session)
    except DomainError as err:
        fail(err)
    if reaches:
        click.echo(f"loaded {reaches} illustrative demo river reaches")
    if event_id:
        click.echo(f"created sample cross-boundary event {event_id}")


def _load_demo_supervision(profile, top: str) -> None:
    from gisgrid.supervision.demo import load_demo_supervision

    try:
        with db.new_session() as session:
            made = load_demo_supervision(session, profile, top)
    except DomainError as err:
        fail(err)
    if made:
        click.echo("created a sample 督办 (escalated), 联席会议 with decisions, 督查 with a public 通报 and a campaign")


def _load_demo_monitoring() -> None:
    from gisgrid.monitoring.demo import load_demo_stations

    with db.new_session() as session:
        count = load_demo_stations(session)
    if count:
        click.echo(f"loaded {count} sample monitoring stations with 48 hours of sample hourly data")


def _load_demo_disclosure() -> None:
    from gisgrid.disclosure.demo import load_demo_disclosure

    with db.new_session() as session:
        count = load_demo_disclosure(session)
    if count:
        click.echo(f"marked sample sources public and recorded {count} sample hazards (信息公开)")


# each domain owns its commands; they are imported last because they import this module's helpers
from gisgrid.audit import commands as audit_commands  # noqa: E402
from gisgrid.auth import commands as auth_commands  # noqa: E402
from gisgrid.backup import commands as backup_commands  # noqa: E402
from gisgrid.deployment.commands import profile_group  # noqa: E402
from gisgrid.editor import commands as editor_commands  # noqa: E402
from gisgrid.incidents import commands as incidents_commands  # noqa: E402
from gisgrid.jobs.commands import worker_command  # noqa: E402
from gisgrid.jurisdiction.commands import jurisdiction_group  # noqa: E402
from gisgrid.monitoring.commands import monitor_group  # noqa: E402
from gisgrid.public_map import commands as tiles_commands  # noqa: E402
from gisgrid.sources.commands import sources_group  # noqa: E402
from gisgrid.tracking.commands import tracking_group  # noqa: E402

for _group in (
    auth_commands.users_group,
    editor_commands.editor_group,
    incidents_commands.incidents_group,
    tiles_commands.tiles_group,
    sources_group,
    jurisdiction_group,
    audit_commands.audit_group,
    profile_group,
    tracking_group,
    monitor_group,
):
    main.add_command(_group)
main.add_command(backup_commands.backup_command)
main.add_command(backup_commands.restore_command)
main.add_command(worker_command)


if __name__ == "__main__":  # `python -m gisgrid.cli …` works like the `gisgrid` script
    main()
