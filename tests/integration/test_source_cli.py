"""The ``gisgrid sources`` commands and the demo step, against the test database."""

from __future__ import annotations

import pytest

from gisgrid.cli import main
from gisgrid.sources.models import PollutionSource
from tests import worlds


@pytest.fixture()
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(main, [str(a) for a in args])


def test_import_export_draw_verify(cli, session, world_ab, tmp_path, make_user):
    lon, lat = worlds.wgs84(100, 100)
    good = tmp_path / "s.csv"
    good.write_text(f"code,name,kind,lon,lat\nC1,示例·一,enterprise,{lon},{lat}\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        f"code,name,kind,lon,lat\nC2,示例·二,enterprise,{lon},{lat}\nC3,,enterprise,{lon},{lat}\n", encoding="utf-8"
    )
    result = cli("sources", "import", bad)
    assert result.exit_code == 1 and "row 3 C3" in result.output
    assert session.query(PollutionSource).count() == 0
    result = cli("sources", "import", good)
    assert result.exit_code == 0 and "imported 1 sources" in result.output, result.output
    assert cli("sources", "export", tmp_path / "out.xlsx").exit_code == 0
    make_user("grid_staff", grids=["B"])
    result = cli("sources", "draw", "2026Q4", "--seed", "cli-seed", "--proportion", "B=1", "--override-reason", "补抽")
    assert result.exit_code == 0 and "seed 'cli-seed'" in result.output, result.output
    draw_id = int(result.output.split()[1])
    result = cli("sources", "verify-draw", draw_id)
    assert result.exit_code == 0 and "matches" in result.output


def test_demo_step_loads_sample_sources_and_tracks_once(cli, session):
    from gisgrid.patrols.models import PatrolTrack
    from gisgrid.sources.models import LotteryDraw

    result = cli("demo", "load")
    assert result.exit_code == 0, result.output
    assert "loaded 60 sample pollution sources and 5 sample patrol tracks" in result.output
    sources = session.query(PollutionSource).all()
    assert len(sources) == 60 and all(s.sample_data and s.name.startswith("示例·") for s in sources)
    assert {s.supervision_class for s in sources} == {"A", "B", "C"}
    assert all(t.cleaning["jumps"] == 1 and t.cleaning["duplicates"] == 1 for t in session.query(PatrolTrack))
    assert session.query(LotteryDraw).count() == 1
    again = cli("demo", "load")
    assert again.exit_code == 0 and "sample pollution sources" not in again.output
    assert session.query(PollutionSource).count() == 60


def test_draw_with_an_inspector_pool(cli, session, world_ab, tmp_path, make_user):
    from gisgrid.sources.models import LotteryDraw

    lon, lat = worlds.wgs84(3500, 500)
    (tmp_path / "s.csv").write_text(f"code,name,kind,lon,lat\nC1,示例·一,enterprise,{lon},{lat}\n", encoding="utf-8")
    cli("sources", "import", tmp_path / "s.csv")
    handler = make_user("handler", department="D1")
    make_user("grid_staff")
    assert cli("sources", "draw", "2026Q3", "--role", "planner").exit_code == 1
    result = cli(
        "sources",
        "draw",
        "2026Q4",
        "--seed",
        "p",
        "--proportion",
        "B=1",
        "--role",
        "handler",
        "--department",
        "D1",
        "--override-reason",
        "补抽",
    )
    assert result.exit_code == 0, result.output
    draw = session.query(LotteryDraw).one()
    assert draw.inputs["pool"] == {"roles": ["handler"], "departments": ["D1"]}
    assert draw.results["picks"][0]["inspector_ids"] == [handler.id]
