"""The ``gisgrid incidents`` commands (duty matrix import, overdue escalation) and the incidents demo step."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from tqdm import tqdm

from gisgrid.cli_support import fail
from gisgrid.db import db
from gisgrid.errors import DomainError


def load_demo_incidents(profile=None) -> None:
    """The demo matrix of ``profile`` (default: the running one), handler accounts and sample cases."""
    from gisgrid.deployment import current_profile
    from gisgrid.incidents.demo import load_demo, load_demo_cases

    with db.new_session() as session:
        categories, created = load_demo(session, profile or current_profile())
        cases = load_demo_cases(session)
    click.echo(
        f"duty matrix: {categories} categories; demo handler accounts created: {', '.join(created) or 'none'}; "
        f"sample cases created: {cases}"
    )


@click.group("incidents", cls=AppGroup)
def incidents_group() -> None:
    """Cases: duty matrix import, overdue escalation (督办)."""


@incidents_group.command("matrix-import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def incidents_matrix_import(path) -> None:
    """Insert or update incident categories from a JSON array or CSV (code,name,departments,deadline_days)."""
    from gisgrid.incidents import matrix

    try:
        with db.new_session() as session:
            count = matrix.upsert(session, matrix.parse_file(path, Path(path).read_text(encoding="utf-8-sig")))
    except DomainError as err:
        fail(err)
    click.echo(f"imported {count} categories")


@incidents_group.command("escalate")
@click.option("--today", help="Day to check against (YYYY-MM-DD, default today in China).")
def incidents_escalate(today) -> None:
    """Escalate overdue cases and overdue transfer feedback to the parent grid (督办; run daily)."""
    from gisgrid.clock import today_in_china
    from gisgrid.incidents import kpi, transfer

    try:
        day = kpi.period(today, today)[0] if today else today_in_china()
        with db.new_session() as session:
            cases = transfer.escalate_overdue(session, day)
    except DomainError as err:
        fail(err)
    for case in tqdm(cases, desc="escalated", unit="case", disable=not cases):
        late = [t for t in case.transfers if t.escalated_at is not None and t.state == "accepted"]
        if case.escalated_to:
            click.echo(f"case {case.id}: deadline {case.deadline} → 督办 {case.escalated_to}")
        for item in late:  # 站前区 第四条: feedback 15 working days after 查处完成
            click.echo(
                f"case {case.id}: transfer {item.id} feedback due {item.feedback_due} → 督办 {item.escalated_to}"
            )
    click.echo(f"escalated {len(cases)} overdue cases")
