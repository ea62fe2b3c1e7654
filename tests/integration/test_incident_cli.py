"""`gisgrid incidents matrix-import` and `gisgrid incidents escalate`; the demo incident step is idempotent."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gisgrid.cli import main
from gisgrid.incidents import matrix
from gisgrid.incidents.commands import load_demo_incidents
from gisgrid.incidents.models import Incident


@pytest.fixture()
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(main, [str(a) for a in args])


def test_matrix_import_and_escalate(cli, session, world_ab, tmp_path):
    matrix.load_demo(session)
    path = tmp_path / "m.json"
    path.write_text(
        '[{"code": "odour", "name": "异味", "departments": ["sthj"], "deadline_days": 2}]', encoding="utf-8"
    )
    result = cli("incidents", "matrix-import", path)
    assert result.exit_code == 0 and "imported 1 categories" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,departments,deadline_days\nx,y,sthj,0\n", encoding="utf-8")
    assert cli("incidents", "matrix-import", bad).exit_code == 1
    from gisgrid.incidents import intake
    from gisgrid.incidents.report import Report
    from tests.worlds import wgs84

    lon, lat = wgs84(700, 500)
    case, _ = intake.report(session, Report("web", "odour", "异味", lon, lat), None)
    case.state, case.deadline = "dispatched", case.reported_at.date() - timedelta(days=1)
    session.commit()
    result = cli("incidents", "escalate", "--today", case.reported_at.date())
    assert result.exit_code == 0 and "escalated 1 overdue cases" in result.output and "督办 A1" in result.output
    session.expire_all()
    assert session.get(Incident, case.id).escalated_to == "A1"
    assert "escalated 0" in cli("incidents", "escalate", "--today", case.reported_at.date()).output


def test_escalate_names_overdue_transfer_feedback(cli, session, world_ab):
    """站前区 第四条: an accepted transfer whose feedback (15 working days after 查处完成) is late is escalated once."""
    from datetime import date

    from gisgrid.incidents import intake
    from gisgrid.incidents.models import IncidentTransfer
    from gisgrid.incidents.report import Report
    from tests.worlds import wgs84

    matrix.load_demo(session)
    lon, lat = wgs84(700, 500)
    case, _ = intake.report(session, Report("web", "dust", "工地扬尘", lon, lat), None)
    case.state, case.department_codes = "in_progress", ["gongan"]
    case.transfers.append(
        IncidentTransfer(
            incident_id=case.id,
            from_department="zhujian",
            to_department="gongan",
            reason="行政拘留",
            state="accepted",
            kind="police",
            completed_on=date(2026, 9, 24),
            feedback_due=date(2026, 10, 22),
        )
    )
    session.commit()
    assert "escalated 0" in cli("incidents", "escalate", "--today", "2026-10-22").output  # the due day itself
    result = cli("incidents", "escalate", "--today", "2026-10-23")
    assert result.exit_code == 0 and "escalated 1 overdue cases" in result.output
    assert f"case {case.id}: transfer {case.transfers[0].id} feedback due 2026-10-22 → 督办 A1" in result.output
    assert "deadline" not in result.output  # the case itself has no deadline to be late for
    session.expire_all()
    assert session.get(Incident, case.id).transfers[0].escalated_to == "A1"
    assert "escalated 0" in cli("incidents", "escalate", "--today", "2026-10-23").output


def test_demo_incidents_step_is_idempotent(app, session, world_ab):
    from gisgrid.auth.demo import load_demo_users
    from gisgrid.cli import DEMO_FILE
    from gisgrid.grids import service

    load_demo_users(session)
    with app.app_context():
        load_demo_incidents()  # world A/B published: sample cases are not created outside the demo district
    assert session.query(Incident).count() == 0
    service.import_file(session, DEMO_FILE, label="demo", publish=True)
    with app.app_context():
        load_demo_incidents()
        load_demo_incidents()
    states = sorted(session.scalars(Incident.__table__.select().with_only_columns(Incident.state)))
    assert len(states) == 8 and "evaluated" in states and "rejected" in states
