"""Clipping a timed track to a period's time window, with the crossing points interpolated."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from gisgrid.patrols.clip import clip

T0 = datetime(2026, 11, 1, 23, 50, tzinfo=timezone(timedelta(hours=8)))
MIDNIGHT = datetime(2026, 11, 2, 0, 0, tzinfo=T0.tzinfo)
END = MIDNIGHT + timedelta(days=1)


def track(*xs, step_s=200):
    """Fixes along the equator-ish line y=0 every ``step_s`` seconds from T0."""
    return [(x, 0.0, T0 + timedelta(seconds=step_s * i)) for i, x in enumerate(xs)]


def test_a_track_inside_the_period_is_kept_whole():
    pts = track(0, 1, 2)
    assert clip(pts, T0 - timedelta(hours=1), END) == pts


def test_the_entry_point_is_interpolated_on_the_crossing_segment():
    # fixes every 250 s from 23:50: midnight (600 s) is 2/5 of the way from the fix at 0.3 (500 s) to 0.5
    pts = track(0.0, 0.1, 0.3, 0.5, 0.7, step_s=250)
    got = clip(pts, MIDNIGHT, END)
    assert got[0][2] == MIDNIGHT and abs(got[0][0] - 0.38) < 1e-12
    assert [p[0] for p in got[1:]] == [0.5, 0.7]


def test_the_exit_point_is_interpolated_too_and_nothing_after_it_stays():
    pts = track(0.0, 0.2, 0.4, 0.6, 0.8, step_s=300)  # 23:50 … 00:10
    got = clip(pts, T0 - timedelta(hours=1), MIDNIGHT)
    assert [round(p[0], 12) for p in got] == [0.0, 0.2, 0.4]
    assert got[-1][2] == MIDNIGHT and got[-1][0] == 0.4  # midnight is exactly the 3rd fix


def test_a_track_outside_or_only_touching_the_period_gives_nothing():
    pts = track(0, 1, 2)  # ends 23:56:40
    assert clip(pts, MIDNIGHT, END) == []
    assert clip(pts, pts[-1][2], END) == []  # touches the window at one instant only
