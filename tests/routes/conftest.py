"""Fixtures shared by the HTTP tests."""

from __future__ import annotations

import pytest

from gisgrid.incidents import matrix


@pytest.fixture()
def case_world(session, world_ab, make_user, app, tmp_path):
    """World A/B published, the demo duty matrix, and one user per role."""
    matrix.load_demo(session)
    app.config["MEDIA_DIR"] = str(tmp_path / "media")
    return {
        "dispatcher": make_user("dispatcher", grids=("A",)),
        "staff": make_user("grid_staff", grids=("A1a",)),
        "leader": make_user("grid_leader", grids=("A1",)),
        "zhujian": make_user("handler", department="zhujian"),
        "gongan": make_user("handler", department="gongan"),
        "zhzf": make_user("handler", department="zhzf"),
        "foreign_staff": make_user("grid_staff", grids=("B",)),
        "foreign_dispatcher": make_user("dispatcher", grids=("B",)),
    }


@pytest.fixture()
def jw(session, world_j, make_user, app, tmp_path):
    """World J, the duty matrix, and the staff of the grids involved."""
    matrix.load_demo(session)
    app.config["MEDIA_DIR"] = str(tmp_path / "media")
    users = {
        name: make_user(role, grids=(code,))
        for name, role, code in [
            ("staff_v112", "grid_staff", "V112"),
            ("staff_v121", "grid_staff", "V121"),
            ("staff_v222", "grid_staff", "V222"),
            ("staff_v221", "grid_staff", "V221"),
            ("leader_t11", "grid_leader", "T11"),
            ("leader_t12", "grid_leader", "T12"),
            ("leader_c1", "grid_leader", "C1"),
            ("leader_c2", "grid_leader", "C2"),
            ("leader_p", "grid_leader", "P"),
            ("dispatcher_c1", "dispatcher", "C1"),
        ]
    }
    users["admin"] = make_user("admin")
    return users
