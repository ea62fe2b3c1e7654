"""``gisgrid audit list|verify|seal|prune``: the audit trail and its hash chain on the command line."""

from __future__ import annotations

import json

import click

from gisgrid.audit import chain, service
from gisgrid.audit.models import ACTIONS
from gisgrid.cli_support import fail
from gisgrid.db import db
from gisgrid.errors import DomainError


@click.group("audit")
def audit_group() -> None:
    """Audit trail: who changed which boundary, case or source, and when."""


@audit_group.command("list")
@click.option("--entity", help="grid, boundary, incident, source, user, … or a table name")
@click.option("--entity-id", help="row id of the entity")
@click.option("--key", help="grid code, source code, username, version label, …")
@click.option("--actor", help="username or OS user who made the change")
@click.option("--source", "origin", help="web, api, open311, cli, db or monitoring")
@click.option("--action", type=click.Choice(ACTIONS), help="a change or a security event")
@click.option("--since", help="ISO date or date-time (Beijing time unless it has an offset)")
@click.option("--until", help="ISO date (inclusive) or date-time (exclusive)")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, service.MAX_PER_PAGE))
@click.option("--json", "as_json", is_flag=True, help="one JSON object per line")
def audit_list(entity_id, origin, limit, as_json, **rest) -> None:
    """List the newest audit entries matching the filters."""
    raw = {**rest, "entity_id": entity_id, "source": origin, "per_page": limit}
    try:
        with db.new_session() as session:
            data = service.changes(session, {k: v for k, v in raw.items() if v is not None})
    except DomainError as err:
        fail(err)
    for item in data["items"]:
        click.echo(json.dumps(item, ensure_ascii=False) if as_json else _line(item))
    if not as_json:
        click.echo(f"{len(data['items'])} of {data['total']} entries")


def _line(item: dict) -> str:
    who = f"{item['actor']['name']} ({item['actor']['source']})"
    what = f"{item['entity_label']} #{item['entity_id']} {item['key'] or ''}".strip()
    if item["entity"] == "security":
        columns = item["changes"].get("result", "")
    elif item["action"] == "update":
        columns = ", ".join(item["changes"])
    else:
        columns = f"{len(item['changes'])} fields"
    return f"{item['at'][:19]}  {who:<24} {service.ACTION_LABELS[item['action']]} {what}: {columns}"


@audit_group.command("verify")
@click.option("--quiet", is_flag=True, help="no progress lines on stderr")
def audit_verify(quiet: bool) -> None:
    """Walk the hash chain; print "OK n rows" or the first broken link (exit status 1)."""

    def progress(checked: int) -> None:
        if not quiet:
            click.echo(f"… {checked} rows checked", err=True)

    with db.new_session() as session:
        verdict = chain.verify(session, progress)
    click.echo(verdict.line())
    if not verdict.ok:
        raise SystemExit(1)


@audit_group.command("seal")
def audit_seal() -> None:
    """Hash the rows waiting for their SM3 seal now (the worker does it every minute)."""
    with db.new_session() as session:
        click.echo(f"sealed {chain.seal_pending(session)} rows")


@audit_group.command("prune")
@click.option("--days", type=click.IntRange(180), help="keep this many days (default GISGRID_AUDIT_RETENTION_DAYS)")
def audit_prune(days: int | None) -> None:
    """Delete audit rows older than the retention (≥ 180 days); the deletion is itself audited."""
    from flask import current_app

    try:
        with db.new_session() as session:
            removed = chain.prune(session, days or current_app.config["AUDIT_RETENTION_DAYS"])
    except DomainError as err:
        fail(err)
    click.echo(f"pruned {removed} rows")
