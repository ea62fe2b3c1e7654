"""KPIs per grid and department, CSV export and the choropleth GeoJSON; duty matrix import."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from gisgrid.errors import InvalidInput
from gisgrid.incidents import intake, kpi, matrix
from gisgrid.incidents.report import Report
from tests import worlds


def _case(session, x, y, **state):
    lon, lat = worlds.wgs84(x, y)
    case, _ = intake.report(session, Report("web", "dust", "扬尘", lon, lat), None)
    for key, value in state.items():
        setattr(case, key, value)
    session.commit()
    return case


def _t(day):
    return datetime(2025, 2, day, 2, tzinfo=UTC)


def test_kpis_per_grid_and_department(session, world_ab):
    matrix.load_demo(session)
    # handled on time (deadline Fri 14 Feb, dispatched Mon 10 → handled Wed 12: 2 working days), closed
    _case(
        session,
        100,
        100,
        state="closed",
        registered_at=_t(10),
        dispatched_at=_t(10),
        handled_at=_t(12),
        deadline=date(2025, 2, 14),
        department_codes=["zhujian"],
        reported_at=_t(10),
    )
    # handled late after one rework (dispatched Mon 10 → Tue 18: 6 working days)
    _case(
        session,
        700,
        100,
        state="handled",
        registered_at=_t(10),
        dispatched_at=_t(10),
        handled_at=_t(18),
        deadline=date(2025, 2, 14),
        department_codes=["zhujian"],
        rework_count=1,
        reported_at=_t(10),
    )
    _case(session, 1500, 100, reported_at=_t(11))  # only reported, in A2
    rows = {r["key"]: r for r in kpi.compute(session, date(2025, 2, 1), date(2025, 2, 28), "grid", 2)}
    a1 = rows["A1"]
    assert (a1["reported"], a1["registered"], a1["handled"], a1["closed"]) == (2, 2, 2, 1)
    assert a1["on_time_rate"] == 0.5 and a1["closure_rate"] == 0.5 and a1["rework_rate"] == 0.5
    assert a1["mean_handling_days"] == 4.0 and a1["registration_rate"] == 1.0
    assert rows["A2"]["registration_rate"] == 0.0 and rows["A2"]["on_time_rate"] is None
    depts = {r["key"]: r for r in kpi.compute(session, date(2025, 2, 1), date(2025, 2, 28), "department")}
    assert depts["zhujian"]["handled"] == 2
    assert kpi.compute(session, date(2025, 3, 1), date(2025, 3, 31)) == []
    text = kpi.to_csv(list(rows.values()))
    assert text.startswith("\ufeffkey,name,reported,") and "A1,甲一镇,2,2,2,1" in text
    fc = kpi.choropleth(session, date(2025, 2, 1), date(2025, 2, 28), level=2)
    props = {f["properties"]["code"]: f["properties"] for f in fc["features"]}
    assert props["A1"]["reported"] == 2 and fc["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_kpi_period_validation():
    assert kpi.period("2025-01-01", "2025-01-31") == (date(2025, 1, 1), date(2025, 1, 31))
    with pytest.raises(InvalidInput):
        kpi.period("2025-02-01", "2025-01-01")
    with pytest.raises(InvalidInput):
        kpi.period("yesterday", None)


def test_matrix_import_csv_is_all_or_nothing(session):
    matrix.load_demo(session)
    rows = matrix.parse_file("m.csv", "code,name,departments,deadline_days\nnoise_site,施工噪声,zhujian|gongan,7\n")
    assert matrix.upsert(session, rows) == 1
    assert matrix.category(session, "noise_site").department_codes == ["zhujian", "gongan"]
    bad = matrix.parse_file(
        "m.json",
        '[{"code": "x1", "name": "甲", "departments": ["zhujian"], "deadline_days": 3},'
        ' {"code": "x2", "name": "乙", "departments": ["nobody"], "deadline_days": 3}]',
    )
    with pytest.raises(InvalidInput, match="nobody"):
        matrix.upsert(session, bad)
    assert session.get(type(matrix.category(session, "dust")), "x1") is None
