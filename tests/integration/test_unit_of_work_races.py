"""Lost races end as 409 through the unit of work, with two real connections on a committed database.

The loser reads the event while no dispute is open; the winner then raises and commits one; the loser's own
check (made on what it read) passes, so only the database's partial unique index stops the second open
dispute. That is the race two leaders clicking at once run, made deterministic.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gisgrid.auth import service as auth
from gisgrid.db import unit_of_work
from gisgrid.errors import Conflict
from gisgrid.grids import service as grids
from gisgrid.incidents import intake, matrix
from gisgrid.incidents.models import Incident
from gisgrid.incidents.report import Report
from gisgrid.jurisdiction import disputes
from gisgrid.jurisdiction import service as jurisdiction
from gisgrid.jurisdiction.models import JurisdictionDispute
from tests import jurisdiction_world, worlds
from tests.conftest import fresh_database
from tests.helpers import PASSWORD

ACROSS_TOWNSHIPS = jurisdiction_world.line((1400, 300), (1600, 300))  # V112 (T11) → V121 (T12)


def _case(session, x, y, request_id):
    lon, lat = worlds.wgs84(x, y)
    report = Report("web", "dust", "河道边有暗管排污", lon, lat, client_request_id=request_id)
    return intake.report(session, report, None, client_scope="race")[0]


@pytest.fixture(scope="module")
def event_db(tmp_path_factory):
    """A committed database: world J, the duty matrix, two leaders and one event across two townships."""
    with fresh_database("gisgrid_test_race") as url:
        engine = create_engine(url)
        with Session(engine, expire_on_commit=False) as session:
            path = worlds.write(jurisdiction_world.world_j_frame(), tmp_path_factory.mktemp("j") / "j.gpkg")
            grids.import_file(session, path, publish=True)
            matrix.load_demo(session)
            staff = auth.create_user(session, "staff_v121", PASSWORD, "grid_staff", grid_codes=["V121"])
            leaders = [
                auth.create_user(session, f"leader_{c}", PASSWORD, "grid_leader", grid_codes=[c])
                for c in ("T11", "T12")
            ]
            first, later = _case(session, 1600, 300, "r1"), _case(session, 1300, 300, "r2")
            event = jurisdiction.record(session, staff, first.id, {"act": ACROSS_TOWNSHIPS})
            jurisdiction.link_case(session, auth.get_user(session, leaders[0].id), event.id, later.id)
        yield engine, event.id, [u.id for u in leaders]
        engine.dispose()


def test_a_second_open_dispute_that_lost_the_race_is_a_conflict_and_changes_nothing(event_db):
    engine, event_id, (t11, t12) = event_db
    with Session(engine) as loser, Session(engine) as winner:
        loser_user = auth.get_user(loser, t12)
        stale_event, stale_result = jurisdiction.get_event(loser, loser_user, event_id)
        assert disputes.open_dispute(stale_event) is None  # what the loser saw
        user = auth.get_user(winner, t11)
        event, result = jurisdiction.get_event(winner, user, event_id)
        disputes.raise_dispute(winner, user, event, result, {"reason": "西村认为应由东侧管辖"})
        with pytest.raises(Conflict) as lost:
            disputes.raise_dispute(loser, loser_user, stale_event, stale_result, {"reason": "东村认为应由西侧管辖"})
        assert lost.value.status == 409 and lost.value.message == disputes.ALREADY_OPEN
        assert isinstance(lost.value.__cause__, IntegrityError)  # stopped by the index, not by the stale check
        # the loser's unit rolled back: its session is usable again and now sees the winner's dispute
        assert loser.scalar(select(func.count()).select_from(JurisdictionDispute)) == 1
    with Session(engine) as check:
        rows = check.scalars(select(JurisdictionDispute).where(JurisdictionDispute.event_id == event_id)).all()
        assert [(d.state, d.reason) for d in rows] == [("open", "西村认为应由东侧管辖")]


def _waiting_on_a_lock(engine) -> bool:
    with engine.connect() as conn:
        return bool(
            conn.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
        )


def test_a_retried_report_that_lost_the_race_answers_with_the_winners_case(event_db):
    engine, _event_id, _leaders = event_db
    answers = []

    def retry():
        with Session(engine, expire_on_commit=False) as loser:
            case, created = _case_of(loser, "same-request")
            answers.append((case.id, created))

    with Session(engine, expire_on_commit=False) as winner:
        with unit_of_work(winner):  # the winner's case is inserted but not yet committed
            first, created = _case_of(winner, "same-request")
            thread = threading.Thread(target=retry)
            thread.start()
            deadline = time.monotonic() + 10
            while not _waiting_on_a_lock(engine) and time.monotonic() < deadline:
                time.sleep(0.05)  # the retry found no case and now waits on the unique request id
            assert _waiting_on_a_lock(engine)
        thread.join(10)
    assert created is True and answers == [(first.id, False)]
    with Session(engine) as check:
        assert check.scalar(select(func.count()).where(Incident.client_request_id == "same-request")) == 1


def _case_of(session, request_id):
    lon, lat = worlds.wgs84(1600, 300)
    report = Report("web", "dust", "重复提交的同一举报", lon, lat, client_request_id=request_id)
    return intake.report(session, report, None, client_scope="race")
