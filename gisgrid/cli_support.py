"""Helpers shared by every domain's command-line commands."""

from __future__ import annotations

import sys

import click

from gisgrid.errors import DomainError


def fail(err: DomainError) -> None:
    """Print a domain error in red and exit with status 1 (no traceback for a user's mistake)."""
    click.secho(err.message, fg="red", err=True)
    sys.exit(1)
