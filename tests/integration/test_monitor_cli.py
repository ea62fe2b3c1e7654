"""``gisgrid monitor import`` and ``check-gaps`` through the command line, on the test's database."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import text

from gisgrid.cli import main
from gisgrid.incidents import matrix
from gisgrid.sources import service as sources
from tests.monitor_support import IN_E1, station_rows


@pytest.fixture()
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(main, [str(a) for a in args])


def _write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_import_lists_every_bad_row_and_stores_nothing_then_imports(cli, session, world_e, tmp_path):
    matrix.load_demo(session)
    raw = {"code": "S-E1", "name": "示例·企业", "kind": "enterprise", "lon": IN_E1[0], "lat": IN_E1[1]}
    sources.create_source(session, raw, by="t")
    rows = station_rows(2)
    bad = _write(tmp_path / "bad.csv", [*rows, dict(rows[0], mn="MN-BAD"), dict(rows[0], limit="abc")])
    result = cli("monitor", "import", bad)
    assert result.exit_code == 1
    assert (
        "row 7:" in result.output and "mn" in result.output and "row 8:" in result.output and "limit" in result.output
    )
    assert session.execute(text("SELECT count(*) FROM monitor_station")).scalar() == 0
    result = cli("monitor", "import", _write(tmp_path / "good.csv", rows))
    assert result.exit_code == 0 and "imported 2 stations" in result.output, result.output
    assert session.execute(text("SELECT count(*) FROM monitor_limit")).scalar() == 6
    # importing again updates (by MN) instead of duplicating
    assert cli("monitor", "import", _write(tmp_path / "again.csv", rows)).exit_code == 0
    assert session.execute(text("SELECT count(*) FROM monitor_station")).scalar() == 2
