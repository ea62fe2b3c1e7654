"""``gisgrid profile check|show``: validate deployment profiles and print the active one."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from gisgrid.deployment.profile import ProfileError, available, current_profile, load


@click.group("profile", cls=AppGroup)
def profile_group() -> None:
    """Deployment profiles (deployments/<place>.toml; the active one is GISGRID_DEPLOYMENT)."""


@profile_group.command("check", with_appcontext=False)
@click.argument("names", nargs=-1)
def profile_check(names) -> None:
    """Validate NAMES (profile names or .toml paths; default: every shipped profile)."""
    failed = False
    for name in names or available():
        try:
            profile = load(name)
        except ProfileError as err:
            click.echo(f"FAIL {err}", err=True)
            failed = True
            continue
        levels = " / ".join(lv.label for lv in profile.levels)
        click.echo(f"ok   {profile.key}: {profile.place} — {levels}; {len(profile.departments)} departments")
    if failed:
        raise SystemExit(1)


@profile_group.command("show")
def profile_show() -> None:
    """Print the active profile: levels, organiser rule, periods, A/B/C intervals, 双随机 shares."""
    p = current_profile()
    click.echo(f"{p.key}: {p.place} ({p.seed})")
    for lv in p.levels:
        click.echo(f"  depth {lv.depth}: {lv.label} — 责任主体 {lv.entity}")
    click.echo(f"  联合执法: {p.organiser}; 联席会议: {p.joint_meeting_period}; 自评: {p.self_evaluation_period}")
    click.echo(f"  A/B/C months: {p.inspection_months}; 双随机 shares: {p.draw_proportions}")
    click.echo(f"  departments: {len(p.departments)}; duty matrix: {len(p.matrix)} categories")
