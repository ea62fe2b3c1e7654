"""The ``gisgrid users`` commands (create, list) and the demo accounts step."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from gisgrid.cli_support import fail
from gisgrid.db import db
from gisgrid.errors import DomainError


def load_demo_accounts() -> None:
    from gisgrid.auth.demo import DEMO_PASSWORD, load_demo_users

    with db.new_session() as session:
        created = load_demo_users(session)
    if created:
        click.echo(f"created demo accounts {', '.join(created)} (password {DEMO_PASSWORD!r})")


def _in_session(service_call, *args, **kwargs):
    """Run one account service function in a new session; a domain error ends the command with its message."""
    try:
        with db.new_session() as session:
            return service_call(session, *args, **kwargs)
    except DomainError as err:
        fail(err)


@click.group("users", cls=AppGroup)
def users_group() -> None:
    """Accounts: create, list, set passwords, deactivate."""


@users_group.command("create")
@click.argument("username")
@click.option(
    "--role",
    required=True,
    help="public, grid_staff, dispatcher, handler, grid_leader, planner, admin, secadmin or auditor (三员: one each)",
)
@click.option("--name", "display_name", help="Display name (default: the username).")
@click.option("--grid", "grid_codes", multiple=True, help="Grid code in the user's scope (repeatable).")
@click.option("--department", help="Department code (for handlers).")
@click.password_option(help="Password (asked for when not given).")
def users_create(username, role, display_name, grid_codes, department, password) -> None:
    """Create a user with a hashed password."""
    from gisgrid.auth import service

    user = _in_session(
        service.create_user,
        username,
        password,
        role,
        display_name=display_name,
        grid_codes=grid_codes,
        department_code=department,
        must_change=True,  # an initial password someone else chose: the user replaces it at the first login
    )
    click.echo(f"created user {user.username} ({user.role}); the password must be changed at the first login")


@users_group.command("list")
def users_list() -> None:
    """List users with role, department and grids."""
    from gisgrid.auth import service

    with db.new_session() as session:
        for u in service.list_users(session):
            grids = ",".join(sorted(u.grid_codes)) or "-"
            click.echo(
                f"{u.username}\t{u.role}\t{u.department_code or '-'}\t{grids}\t{'active' if u.active else 'inactive'}"
            )


@users_group.command("passwd")
@click.argument("username")
@click.password_option(help="New password (asked for when not given).")
def users_passwd(username, password) -> None:
    """Set a user's password (to be changed at the next login); every login of the user ends."""
    from gisgrid.auth import service

    ended = _in_session(service.set_password, username, password)
    click.echo(f"password of {username} changed; {ended} login(s) ended")


@users_group.command("deactivate")
@click.argument("username")
def users_deactivate(username) -> None:
    """Deactivate a user: they cannot log in and every login of theirs ends at once."""
    _set_active(username, False)


@users_group.command("activate")
@click.argument("username")
def users_activate(username) -> None:
    """Let a deactivated user log in again."""
    _set_active(username, True)


@users_group.command("unlock")
@click.argument("username")
def users_unlock(username) -> None:
    """End the lock of an account locked after repeated failed logins."""
    from gisgrid.auth import service

    _in_session(service.unlock_user, username)
    click.echo(f"{username} unlocked")


@users_group.command("reset-totp")
@click.argument("username")
def users_reset_totp(username) -> None:
    """Remove a user's TOTP second factor (lost phone); they enrol again when their role requires it."""
    from gisgrid.auth import service

    _in_session(service.reset_second_factor, username)
    click.echo(f"second factor of {username} removed")


def _set_active(username: str, active: bool) -> None:
    from gisgrid.auth import service

    ended = _in_session(service.set_active, username, active)
    click.echo(f"{username} {'activated' if active else f'deactivated; {ended} login(s) ended'}")
