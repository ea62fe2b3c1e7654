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


@click.group("users", cls=AppGroup)
def users_group() -> None:
    """Accounts: create and list users."""


@users_group.command("create")
@click.argument("username")
@click.option("--role", required=True, help="public, grid_staff, dispatcher, handler, grid_leader, planner, admin")
@click.option("--name", "display_name", help="Display name (default: the username).")
@click.option("--grid", "grid_codes", multiple=True, help="Grid code in the user's scope (repeatable).")
@click.option("--department", help="Department code (for handlers).")
@click.password_option(help="Password (asked for when not given).")
def users_create(username, role, display_name, grid_codes, department, password) -> None:
    """Create a user with a hashed password."""
    from gisgrid.auth import service
    try:
        with db.new_session() as session:
            user = service.create_user(session, username, password, role, display_name=display_name,
                                       grid_codes=grid_codes, department_code=department)
    except DomainError as err:
        fail(err)
    click.echo(f"created user {user.username} ({user.role})")


@users_group.command("list")
def users_list() -> None:
    """List users with role, department and grids."""
    from gisgrid.auth import service
    with db.new_session() as session:
        for u in service.list_users(session):
            grids = ",".join(sorted(u.grid_codes)) or "-"
            click.echo(f"{u.username}\t{u.role}\t{u.department_code or '-'}\t{grids}\t{'active' if u.active else 'inactive'}")
