"""The steps of ``gisgrid demo load --place`` that differ per seed place (accounts, matrix, tracks)."""

from __future__ import annotations

import click
from flask import current_app
from sqlalchemy import select

from gisgrid.auth.demo import DEMO_PASSWORD, create_missing_users
from gisgrid.db import db
from gisgrid.demo.places import (
    DEFAULT_PLACE,
    PLACES,
    DemoPlace,
    demo_tracks,
    demo_users,
)
from gisgrid.deployment import profile as deployment
from gisgrid.deployment.model import Profile
from gisgrid.grids import versions as grid_versions
from gisgrid.grids.models import Grid


def resolve(key: str | None) -> tuple[DemoPlace, Profile]:
    """The place to load (default: the active deployment's, else 西城区) and its profile."""
    active = current_app.extensions.get(deployment.EXTENSION_KEY)
    key = key or (active.key if active is not None and active.key in PLACES else DEFAULT_PLACE)
    try:
        found = deployment.load(key)
    except deployment.ProfileError as err:
        raise click.ClickException(str(err)) from None
    if active is not None and active.key != key:
        click.echo(f"note: the running deployment is {active.key!r}; serve this demo with GISGRID_DEPLOYMENT={key}")
    return PLACES[key], found


def refuse_another_place(place: DemoPlace) -> None:
    """One place per database: loading a second place over another's demo would mix grids and accounts."""
    with db.new_session() as session:
        version = grid_versions.find_published(session)
        tops = {p.top_code: p for p in PLACES.values() if p.key != place.key}
        found = version and session.scalar(
            select(Grid.code).where(Grid.version_id == version.id, Grid.code.in_(tops)).limit(1)
        )
    if found:
        raise click.ClickException(
            f"this database holds the {tops[found].name} demo ({tops[found].key}): load {place.name} ({place.key}) "
            "into a database of its own (GISGRID_DATABASE_URL)"
        )


def _published_with(session, place: DemoPlace):
    """The published version, if it is this place's demo (its top grid is there)."""
    version = grid_versions.find_published(session)
    has_top = version and session.scalar(
        select(Grid.id).where(Grid.version_id == version.id, Grid.code == place.top_code)
    )
    return version if has_top else None


def load_accounts_and_cases(place: DemoPlace, profile: Profile) -> None:
    """Accounts for every role, the profile's departments/matrix with a handler each, and the sample cases."""
    from gisgrid.incidents.demo import load_demo, load_demo_cases

    with db.new_session() as session:
        version = _published_with(session, place)
        if version is None:
            raise click.ClickException(f"the published boundaries are not the {place.name} demo: load them first")
        created = create_missing_users(session, demo_users(session, place, version.id))
        categories, handlers = load_demo(session, profile)  # the profile's departments, matrix, handlers
        created += handlers
        cases = load_demo_cases(session, top=place.top_code)
    if created:
        click.echo(f"created demo accounts {', '.join(created)} (password {DEMO_PASSWORD!r})")
    click.echo(f"duty matrix of profile {profile.key}: {categories} categories; sample cases created: {cases}")


def load_sources_and_tracks(place: DemoPlace, profile: Profile) -> None:
    """Sample sources, inspections and this quarter's 双随机 draw, and sample patrol tracks."""
    from gisgrid.patrols.demo import DEMO_TRACKS, load_demo_tracks
    from gisgrid.sources.demo import load_demo_sources

    with db.new_session() as session:
        sources = load_demo_sources(session, profile=profile, place=place.name)
        version = _published_with(session, place)
        if place.key == DEFAULT_PLACE or version is None:
            tracks = load_demo_tracks(session, tracks=DEMO_TRACKS)
        else:  # rural grids are large: each walk stays within ~400 m of the grid's inner point
            tracks = load_demo_tracks(session, tracks=demo_tracks(session, place, version.id), within_deg=0.004)
    if sources or tracks:
        click.echo(f"loaded {sources} sample pollution sources and {tracks} sample patrol tracks")


def load_evaluation(place: DemoPlace, profile: Profile) -> None:
    """Finished 考评 rounds of the last two years, a 责任状, this year's plan and last month's report (samples)."""
    from gisgrid.clock import today_in_china
    from gisgrid.evaluation.demo import load_demo_agreement, load_demo_evaluation
    from gisgrid.plans.demo import load_demo_plan
    from gisgrid.reports.demo import load_demo_report

    with db.new_session() as session:
        if _published_with(session, place) is None:
            return
        forms = load_demo_evaluation(session, profile)
        today = today_in_china()
        agreements = load_demo_agreement(session, place.top_code, today.year)
        plans = load_demo_plan(session, place.top_code, today.year)
        reports = load_demo_report(session, place.top_code, today)
    if forms or agreements or plans or reports:
        click.echo(
            f"loaded two finished sample evaluation rounds ({forms} forms), {agreements} sample 责任状, "
            f"{plans} sample yearly plan and {reports} sample report"
        )
