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
