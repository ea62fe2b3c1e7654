"""``gisgrid tracking escalate``: the periodic entry point a worker (cron, systemd timer) calls once a day."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from gisgrid.clock import today_in_china
from gisgrid.db import db


@click.group("tracking", cls=AppGroup)
def tracking_group() -> None:
    """Tracked items (督办, decisions, rectifications): overdue escalation."""


@tracking_group.command("escalate")
@click.option(
    "--today", type=click.DateTime(["%Y-%m-%d"]), default=None, help="run as of this day (default: China's today)"
)
def tracking_escalate(today) -> None:
    """Escalate every overdue item one grid level per deadline passed; prints each escalation."""
    from gisgrid.tracking import rules, service

    day = today.date() if today else today_in_china()
    with db.new_session() as session:
        made = service.escalate_overdue(session, day, rules.from_config(current_app.config))
        for row in made:
            click.echo(f"item {row.item_id}: level {row.level} → {row.to_grid_code} (deadline {row.deadline})")
    click.echo(f"escalated {len(made)} times on {day.isoformat()}")
