"""The gisgrid command line, run against the test database."""

import csv
import json

import pytest

from gisgrid.cli import main
from gisgrid.grids import queries
from gisgrid.grids import versions as grid_versions
from tests import worlds


@pytest.fixture()
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(main, [str(a) for a in args])


def test_import_publish_export_assign(cli, session, tmp_path):
    src = worlds.write(worlds.world_ab_frame(), tmp_path / "ab.gpkg")
    result = cli("grids", "import", src, "--publish", "--label", "试点")
    assert result.exit_code == 0, result.output
    assert "imported 8 grids" in result.output and "published" in result.output
    version = grid_versions.find_published(session)
    assert version.label == "试点"

    out = tmp_path / "out.gpkg"
    assert cli("grids", "export", out).exit_code == 0
    assert out.exists()

    points = tmp_path / "pts.csv"
    with open(points, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "lon", "lat"])
        for i, (x, y) in enumerate([(100, 100), (1500, 500), (2500, 500)]):
            writer.writerow([f"p{i}", *worlds.wgs84(x, y)])
    assigned = tmp_path / "assigned.csv"
    result = cli("grids", "assign", points, assigned)
    assert result.exit_code == 0, result.output
    assert "assigned 3 points" in result.output
    rows = list(csv.DictReader(open(assigned, encoding="utf-8")))
    assert [r["grid_code"] for r in rows] == ["A1a", "A2a", ""]


def test_assign_geojson(cli, session, tmp_path, world_ab):
    lon, lat = worlds.wgs84(300, 300)
    src = tmp_path / "pts.geojson"
    src.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": {}}
                ],
            }
        )
    )
    dst = tmp_path / "out.geojson"
    assert cli("grids", "assign", src, dst).exit_code == 0
    assert json.loads(dst.read_text())["features"][0]["properties"]["grid_code"] == "A2b"


def test_refused_import_prints_report_and_fails(cli, session, tmp_path):
    frame = worlds.world_ab_frame()
    frame.loc[frame.code == "A1b", "code"] = "A1a"  # duplicate code
    result = cli("grids", "import", worlds.write(frame, tmp_path / "dup.gpkg"))
    assert result.exit_code == 1
    assert "A1a" in result.output
    assert queries.list_versions(session) == []


def test_map_option_renames_columns(cli, session, tmp_path):
    frame = worlds.world_e_frame().rename(columns={"code": "XZQDM", "name": "XZQMC"})
    result = cli(
        "grids", "import", worlds.write(frame, tmp_path / "e.geojson"), "--map", "code=XZQDM", "--map", "name=XZQMC"
    )
    assert result.exit_code == 0, result.output
    assert cli("grids", "import", tmp_path / "e.geojson", "--map", "bogus").exit_code != 0


def test_publish_unknown_version(cli):
    result = cli("grids", "publish", "999999")
    assert result.exit_code == 1
    assert "999999" in result.output


def test_versions_lists_them(cli, world_ab):
    result = cli("grids", "versions")
    assert "published" in result.output and "8 grids" in result.output


def test_every_domain_command_runs_from_the_real_console_script(database_url):
    """Through the installed ``gisgrid`` script (not the test runner, which pushes an app context itself)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = str(Path(sys.executable).with_name("gisgrid"))
    env = {**os.environ, "GISGRID_DATABASE_URL": database_url}
    for args in (
        ["users", "list"],
        ["sources", "export", "/dev/null.csv"],
        ["tiles", "prepare"],
        ["incidents", "escalate"],
        ["tracking", "escalate"],
        ["editor", "filing", "/tmp/none.zip", "--version", "999999"],
        ["jurisdiction", "rivers-import", "/dev/null"],
        ["monitor", "check-gaps"],
    ):
        run = subprocess.run([script, *args], capture_output=True, text=True, env=env, timeout=120)
        assert "Traceback" not in run.stderr, (args, run.stderr[-2000:])
        assert run.returncode in (0, 1), (args, run.returncode, run.stderr[-500:])


def test_users_passwd_and_deactivate_end_every_login(cli, app, make_user, session):
    from tests.helpers import login

    user = make_user("grid_staff")
    browser = app.test_client()
    login(browser, user.username)
    result = cli("users", "passwd", user.username, "--password", "cli-password-9")
    assert result.exit_code == 0 and "1 login(s) ended" in result.output, result.output
    assert browser.get("/api/v1/me").get_json() == {"user": None}
    login(browser, user.username, "cli-password-9")
    result = cli("users", "deactivate", user.username)
    assert result.exit_code == 0 and "deactivated; 1 login(s) ended" in result.output
    assert browser.get("/api/v1/me").get_json() == {"user": None}
    assert cli("users", "activate", user.username).exit_code == 0
    login(browser, user.username, "cli-password-9")
    bad = cli("users", "passwd", "nobody-such", "--password", "cli-password-9")
    assert bad.exit_code == 1 and "不存在" in bad.output
    assert cli("users", "passwd", user.username, "--password", "short").exit_code == 1


def test_assign_from_the_real_console_script_runs_in_the_light_app(database_url, tmp_path):
    """``grids assign`` builds its own light app (no blueprints): the real script, an empty database → a clear refusal."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    points = tmp_path / "pts.csv"
    points.write_text("lon,lat\n116.0,39.0\n")
    script = str(Path(sys.executable).with_name("gisgrid"))
    env = {**os.environ, "GISGRID_DATABASE_URL": database_url, "GISGRID_CACHE_DIR": str(tmp_path)}
    run = subprocess.run(
        [script, "grids", "assign", str(points), str(tmp_path / "out.csv")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr[-2000:]
    assert "no boundary version is published" in run.stderr and "start-up:" in run.stderr


def test_assign_refuses_a_csv_without_coordinates(cli, world_ab, tmp_path):
    points = tmp_path / "pts.csv"
    points.write_text("a,b\n1,2\n")
    result = cli("grids", "assign", points, tmp_path / "out.csv")
    assert result.exit_code == 1 and "lon,lat" in result.output
