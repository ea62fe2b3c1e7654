"""A seed place's demo deployment served with its own profile: every staff page has something to show."""

from __future__ import annotations

from gisgrid.cli import main
from tests.helpers import login

PASSWORD = "gisgrid-demo-1"
# (account, page, text the demo data must put on it): 站前区's grids, sample cases, sources, draw, tracks
PAGES = (
    ("dispatcher", "/", "站前区"),
    ("dispatcher", "/incidents", "示例："),
    ("dispatcher", "/incidents/kpi", "三级网格 · 街道"),  # the profile's level numbers and names
    ("dispatcher", "/system", "四级网格 · 社区"),
    ("dispatcher", "/sources/dashboard", "示例·"),
    ("dispatcher", "/lottery", "站前区-"),
    ("dispatcher", "/patrols/coverage", "站前区"),
    ("admin", "/incidents/matrix", "扬尘"),
    ("staff_zhanqian_village", "/patrols", "示例"),
    ("staff_zhanqian_village", "/incidents", "示例："),
    ("leader_zhanqian", "/incidents", "示例："),
    ("leader_zhanqian_town", "/incidents", "示例："),
    ("planner", "/editor", "站前区"),
    ("handler_sthj", "/incidents", "示例："),
    ("leader_zhanqian", "/evaluation", "年度网格化环境监管考评"),  # the finished sample round
    ("leader_zhanqian", "/evaluation/trend", "data-grid="),  # two sample rounds: a line per grid
    ("leader_zhanqian", "/evaluation/supervisors", "网格员（示例）"),
    ("leader_zhanqian_town", "/agreements", "目标责任书（示例）"),  # listed on the receiving grid's list too
    ("leader_zhanqian", "/plans", "已备案"),
    ("leader_zhanqian", "/reports", "未报送"),  # last month: one street reported, the others not
)


def test_every_role_sees_the_place_on_its_pages(database_url, connection):
    from gisgrid import create_app
    from gisgrid.db import db

    app = create_app(
        {"DATABASE_URL": database_url, "TESTING": True, "RATELIMIT_ENABLED": False, "DEPLOYMENT": "zhanqian"}
    )
    db.bind_to(connection, app=app, join_transaction_mode="create_savepoint")
    result = app.test_cli_runner().invoke(main, ["demo", "load", "--place", "zhanqian"])
    assert result.exit_code == 0, result.output
    assert "note:" not in result.output  # the served profile is the loaded place's
    failures = []
    for username, path, text in PAGES:
        client = app.test_client()
        login(client, username, PASSWORD)
        resp = client.get(path)
        if resp.status_code != 200 or text not in resp.get_data(as_text=True):
            failures.append((username, path, resp.status_code))
    assert not failures
