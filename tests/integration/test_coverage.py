"""Patrol coverage on hand-drawn squares and tracks with obvious answers (world A/B, metres in EPSG:4528)."""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timedelta, timezone

import pytest

from gisgrid.errors import InvalidInput
from gisgrid.patrols import service
from gisgrid.sources import service as sources
from tests import worlds

DAY = date(2026, 11, 2)
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone(timedelta(hours=8)))


def walk(x1, y1, x2, y2, steps=60, start=T0):
    """A straight walk in world metres at 1 m/s (1200 m: one fix per 20 m with 60 steps)."""
    pts, seconds = [], math.dist((x1, y1), (x2, y2)) / steps
    for i in range(steps + 1):
        lon, lat = worlds.wgs84(x1 + (x2 - x1) * i / steps, y1 + (y2 - y1) * i / steps)
        pts.append((lon, lat, start + timedelta(seconds=seconds * i)))
    return pts


@pytest.fixture()
def patrolled(session, world_ab, make_user):
    staff = make_user("grid_staff", grids=["B"])
    # east-west through the middle of the 1 km square B, beyond both edges
    service.save_track(session, staff, walk(2900, 500, 4100, 500), "api")
    # north-south through the middle of A2a (1 km square), 1.2 km long
    service.save_track(session, staff, walk(1500, -100, 1500, 1100), "api")
    return make_user("admin")


def shares(result):
    return {g["code"]: g["share"] for g in result["grids"]}


def test_a_straight_track_through_a_1km_square_covers_20_percent_at_100m(session, patrolled):
    result = service.coverage(session, patrolled, DAY, DAY, 100)
    got = shares(result)
    assert got["B"] == pytest.approx(0.20, abs=0.003)
    assert got["A2a"] == pytest.approx(0.20, abs=0.003)
    # A2 is A2a plus the 200 m × 200 m exclave A2b: 200,000 / 1,040,000 m²
    assert got["A2"] == pytest.approx(200_000 / 1_040_000, abs=0.003)
    assert got["A2b"] == 0 and got["A1a"] == 0 and got["A1b"] == 0


def test_distance_is_configurable(session, patrolled):
    assert shares(service.coverage(session, patrolled, DAY, DAY, 250))["B"] == pytest.approx(0.50, abs=0.004)
    assert shares(service.coverage(session, patrolled, DAY, DAY, 600))["B"] == pytest.approx(1.0, abs=0.001)
    with pytest.raises(InvalidInput):
        service.coverage(session, patrolled, DAY, DAY, 0)


def test_never_patrolled_grids_and_periods(session, patrolled):
    result = service.coverage(session, patrolled, DAY, DAY, 100)
    assert {g["code"] for g in result["never_patrolled"]} == {"A1", "A1a", "A1b", "A2b"}
    other_day = service.coverage(session, patrolled, DAY + timedelta(days=1), DAY + timedelta(days=7), 100)
    assert all(g["share"] == 0 for g in other_day["grids"])
    assert len(other_day["never_patrolled"]) == 8


def test_sources_visited_within_the_distance(session, patrolled, tmp_path):
    rows = "code,name,kind,lon,lat\n" + "\n".join(
        f"{code},示例·{code},enterprise,{lon!r},{lat!r}"
        for code, (lon, lat) in (
            ("NEAR", worlds.wgs84(3500, 590)),
            ("FAR", worlds.wgs84(3500, 700)),
            ("A1", worlds.wgs84(100, 100)),
        )
    )
    (tmp_path / "s.csv").write_text(rows, encoding="utf-8")
    sources.import_file(session, str(tmp_path / "s.csv"), by="t")
    result = service.coverage(session, patrolled, DAY, DAY, 100)
    assert {s["code"]: s["visited"] for s in result["sources"]} == {"NEAR": True, "FAR": False, "A1": False}


def test_scope_limits_what_a_grid_worker_sees(session, patrolled, make_user):
    staff_a1 = make_user("grid_staff", grids=["A1"])
    result = service.coverage(session, staff_a1, DAY, DAY, 100)
    assert {g["code"] for g in result["grids"]} == {"A1", "A1a", "A1b"}
    assert result["tracks"] == []  # neither track crosses A1
    staff_a = make_user("grid_staff", grids=["A"])
    assert len(service.coverage(session, staff_a, DAY, DAY, 100)["tracks"]) == 1
    assert len(service.coverage(session, patrolled, DAY, DAY, 100)["tracks"]) == 2


def test_a_track_with_too_few_clean_points_is_refused(session, world_ab, make_user):
    staff = make_user("grid_staff", grids=["B"])
    lon, lat = worlds.wgs84(3500, 500)
    with pytest.raises(InvalidInput):
        service.save_track(session, staff, [(lon, lat, T0), (lon, lat, T0)], "api")


def test_only_the_part_of_a_track_walked_in_the_period_counts(session, world_ab, make_user, tmp_path):
    """Square B (1 km), a track x 2900 → 4100 at y 500, 1 m/s, fixes 200 m apart, crossing midnight at x 3400.

    The day after midnight sees x 3400 → 4100: inside B a 600 m × 200 m strip plus the half disc
    behind the entry point (x 3300 … 3400), so (120,000 + π·100²/2) / 1,000,000 = 13.57 %. Without
    the interpolated entry point (from the fix at x 3500) it would be 11.57 %; unclipped 20 %.
    """
    staff = make_user("grid_staff", grids=["B"])
    start = datetime(2026, 11, 1, 23, 51, 40, tzinfo=T0.tzinfo)  # + 500 s = midnight
    service.save_track(session, staff, walk(2900, 500, 4100, 500, steps=6, start=start), "api")
    rows = "code,name,kind,lon,lat\n" + "\n".join(
        f"{code},示例·{code},enterprise,{lon!r},{lat!r}"
        for code, (lon, lat) in (("WEST", worlds.wgs84(3200, 560)), ("EAST", worlds.wgs84(3800, 560)))
    )
    (tmp_path / "s.csv").write_text(rows, encoding="utf-8")
    sources.import_file(session, str(tmp_path / "s.csv"), by="t")
    admin = make_user("admin")
    after = service.coverage(session, admin, DAY, DAY, 100)
    assert shares(after)["B"] == pytest.approx((120_000 + math.pi * 100**2 / 2) / 1e6, abs=0.003)
    assert {s["code"]: s["visited"] for s in after["sources"]} == {"WEST": False, "EAST": True}
    line = after["tracks"][0][1]
    assert json.loads(line)["coordinates"][0][0] == pytest.approx(worlds.wgs84(3400, 500)[0], abs=1e-7)
    before = service.coverage(session, admin, DAY - timedelta(days=1), DAY - timedelta(days=1), 100)
    # x 2900 → 3400: a 400 m strip inside B plus the half disc ahead of the exit point
    assert shares(before)["B"] == pytest.approx((80_000 + math.pi * 100**2 / 2) / 1e6, abs=0.003)
    assert {s["code"]: s["visited"] for s in before["sources"]} == {"WEST": True, "EAST": False}
    both = service.coverage(session, admin, DAY - timedelta(days=1), DAY, 100)
    assert shares(both)["B"] == pytest.approx(0.20, abs=0.003)
