"""Inspection due dates in SQL agree with the rules; records, violations, frequencies, per-grid lists."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import update

from gisgrid.errors import Forbidden, InvalidInput
from gisgrid.incidents import matrix
from gisgrid.sources import inspections, rules, service
from gisgrid.sources.models import PollutionSource
from tests import worlds

TODAY = date(2026, 11, 23)


@pytest.fixture()
def three(session, world_ab, tmp_path):
    rows = "code,name,kind,lon,lat,class,key_source\n" + "\n".join(
        f"{c},示例·{c},enterprise,{lon!r},{lat!r},{cls},{key}"
        for c, (lon, lat), cls, key in (
            ("SA", worlds.wgs84(100, 100), "A", ""),
            ("SB", worlds.wgs84(700, 500), "B", ""),
            ("SC", worlds.wgs84(3500, 500), "", "是"),
        )
    )
    (tmp_path / "s.csv").write_text(rows, encoding="utf-8")
    service.import_file(session, str(tmp_path / "s.csv"), by="t")
    session.execute(update(PollutionSource).values(registered_on=date(2026, 1, 31)))
    return {s.code: s for s in session.query(PollutionSource)}


def due(session, user, today=TODAY):
    return {r["code"]: r for r in inspections.due_list(session, user, today)}


def test_never_inspected_sources_are_due_one_interval_after_registration(session, three, make_user):
    rows = due(session, make_user("admin"))
    assert rows["SA"]["due_on"] == date(2027, 1, 31) and rows["SA"]["status"] == "ok"
    assert rows["SB"]["due_on"] == date(2026, 4, 30) and rows["SB"]["status"] == "overdue"  # clamped to 30 April
    assert rows["SC"]["due_on"] == date(2026, 2, 28) and rows["SC"]["days_overdue"] == (TODAY - date(2026, 2, 28)).days


@pytest.mark.parametrize("last", [date(2026, 1, 31), date(2024, 1, 31), date(2026, 8, 31), date(2026, 11, 10)])
def test_sql_due_dates_agree_with_the_rules(session, three, make_user, last):
    admin = make_user("admin")
    for s in three.values():
        inspections.record_inspection(
            session, s.id, admin, inspected_on=last, violation=False, findings=None, today=TODAY
        )
    freq = {"A": 12, "B": 3, "C": 1}
    for _code, row in due(session, admin).items():
        expected = rules.next_due(last, freq[row["supervision_class"]])
        assert row["due_on"] == expected and row["status"] == rules.due_status(expected, TODAY)


def test_frequencies_are_configurable(session, three, make_user):
    admin = make_user("admin")
    assert inspections.set_frequencies(session, {"B": 6, "C": 2}) == {"A": 12, "B": 6, "C": 2}
    rows = due(session, admin)
    assert rows["SB"]["due_on"] == date(2026, 7, 31) and rows["SC"]["due_on"] == date(2026, 3, 31)
    with pytest.raises(InvalidInput):
        inspections.set_frequencies(session, {"A": 0})
    with pytest.raises(InvalidInput):
        inspections.set_frequencies(session, {"D": 3})


def test_a_violation_moves_the_source_to_c_with_history(session, three, make_user):
    matrix.load_demo(session)  # a violation opens a case (tests/integration/test_inspection_cases.py)
    staff = make_user("grid_staff", grids=["A1"])
    sa = three["SA"]
    inspections.record_inspection(
        session,
        sa.id,
        staff,
        inspected_on=TODAY - timedelta(days=1),
        violation=True,
        findings="示例·超标排放",
        today=TODAY,
    )
    assert sa.supervision_class == "C" and sa.last_violation_on == TODAY - timedelta(days=1)
    assert (sa.history[-1].from_class, sa.history[-1].to_class, sa.history[-1].changed_by) == ("A", "C", staff.username)
    assert due(session, staff)["SA"]["due_on"] == rules.next_due(TODAY - timedelta(days=1), 1)


def test_scope_and_dates_are_checked(session, three, make_user):
    staff_b = make_user("grid_staff", grids=["B"])
    with pytest.raises(Forbidden):
        inspections.record_inspection(
            session, three["SA"].id, staff_b, inspected_on=TODAY, violation=False, findings=None, today=TODAY
        )
    with pytest.raises(InvalidInput):
        inspections.record_inspection(
            session,
            three["SC"].id,
            staff_b,
            inspected_on=TODAY + timedelta(days=1),
            violation=False,
            findings=None,
            today=TODAY,
        )
    assert set(due(session, staff_b)) == {"SC"}


def test_counts_per_grid_roll_up_along_the_code_chain(session, three, make_user):
    per_grid = inspections.by_grid(inspections.due_list(session, make_user("admin"), TODAY))
    counts = {g["grid_code"]: (g["overdue"], g["due_soon"], g["ok"]) for g in per_grid}
    assert counts == {"A": (1, 0, 1), "A1": (1, 0, 1), "A1a": (0, 0, 1), "A1b": (1, 0, 0), "B": (1, 0, 0)}
    assert [g["grid_code"] for g in per_grid] == ["A", "A1", "A1a", "A1b", "B"]  # tree order
    assert {g["grid_code"]: (g["parent_code"], g["depth"], g["leaf"]) for g in per_grid}["A1"] == ("A", 2, False)
