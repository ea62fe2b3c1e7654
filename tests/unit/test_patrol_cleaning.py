"""Cleaning hand-made noisy GPS tracks."""

from datetime import UTC, datetime, timedelta

from gisgrid.patrols import cleaning

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def walk(n, start=0):
    """n points walking east ~8.5 m every 10 s (0.85 m/s) from 116.0, 40.0."""
    return [(116.0 + (start + i) * 0.0001, 40.0, T0 + timedelta(seconds=10 * (start + i))) for i in range(n)]


def test_clean_track_is_kept_as_is():
    pts = walk(20)
    result = cleaning.clean(pts)
    assert result.points == pts
    assert result.report["kept"] == 20 and result.report["jumps"] == 0 == result.report["duplicates"]


def test_duplicates_out_of_order_and_a_jump_are_removed():
    pts = walk(10)
    noisy = pts[:3] + [pts[2]] + [pts[4], pts[3]] + pts[5:]  # a repeat and a swapped pair
    spike = (116.05, 40.0, T0 + timedelta(seconds=55))  # 4 km away 5 s later
    noisy.insert(7, spike)
    standing = (pts[-1][0], pts[-1][1], pts[-1][2] + timedelta(seconds=10))  # same place, later
    noisy.append(standing)
    result = cleaning.clean(noisy)
    assert result.points == pts
    assert result.report == {
        "input": 13,
        "invalid": 0,
        "out_of_order": 1,
        "duplicates": 2,
        "jumps": 1,
        "kept": 10,
        "max_speed_mps": cleaning.DEFAULT_MAX_SPEED_MPS,
    }


def test_a_wrong_first_fix_does_not_throw_away_the_track():
    pts = walk(10, start=1)
    first = (117.0, 40.0, T0)  # 85 km away ten seconds before the second point
    result = cleaning.clean([first] + pts)
    assert result.points == pts and result.report["jumps"] == 1


def test_invalid_points_are_dropped():
    pts = walk(3)
    bad = [(float("nan"), 40.0, T0), (200.0, 40.0, T0), (116.0, 40.0, None)]
    result = cleaning.clean(bad + pts)
    assert result.points == pts and result.report["invalid"] == 3


def test_speed_threshold_is_configurable():
    pts = walk(5)  # 0.85 m/s
    assert cleaning.clean(pts, max_speed_mps=0.5).report["kept"] == 1
    assert abs(cleaning.distance_m((116.0, 40.0), (116.001, 40.0)) - 85.2) < 0.5
