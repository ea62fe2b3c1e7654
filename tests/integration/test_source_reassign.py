"""Sources report "now in another grid" for a new boundary version and move only after confirmation."""

from __future__ import annotations

import shapely
from shapely.geometry import Polygon

from gisgrid.grids import assignments
from gisgrid.grids import service as grids
from gisgrid.sources import service
from gisgrid.sources.models import PollutionSource
from tests import worlds


def _moved_boundary_version(session, tmp_path):
    """World A/B with the A1a/A1b edge moved from x=500 to x=300."""
    rows = worlds.world_ab_rows()
    hole = worlds.sq(200, 200, 400, 400)
    a1a = worlds.sq(0, 0, 300, 1000).difference(hole)
    a1b = worlds.sq(300, 0, 1000, 1000).difference(hole)
    for row in rows:
        if row["code"] == "A1a":
            row["geometry"] = a1a if isinstance(a1a, Polygon) else shapely.union_all([a1a])
        if row["code"] == "A1b":
            row["geometry"] = a1b
    frame = worlds.world_ab_frame().iloc[0:0]
    frame = frame.__class__(rows, geometry="geometry", crs=worlds.PROJECTED)
    return grids.import_file(session, worlds.write(frame, tmp_path / "moved.gpkg")).version_id


def test_moved_sources_are_listed_and_reassigned_on_confirmation(session, world_ab, tmp_path):
    rows = "code,name,kind,lon,lat\n" + "\n".join(
        f"{c},示例·{c},enterprise,{lon!r},{lat!r}"
        for c, (lon, lat) in (
            ("MOVES", worlds.wgs84(450, 700)),
            ("STAYS", worlds.wgs84(100, 100)),
            ("B1", worlds.wgs84(3500, 500)),
        )
    )
    (tmp_path / "s.csv").write_text(rows, encoding="utf-8")
    service.import_file(session, str(tmp_path / "s.csv"), by="t")
    new_version = _moved_boundary_version(session, tmp_path)

    moved = [m for m in assignments.moved(session, new_version) if m.kind == "source"]
    source = session.query(PollutionSource).filter_by(code="MOVES").one()
    assert [(m.item_id, m.old_code, m.new_code) for m in moved] == [(source.id, "A1a", "A1b")]
    assert source.grid_codes == ["A", "A1", "A1a"]  # nothing changes before confirmation

    assert assignments.reassign(session, new_version, {"source": [m.item_id for m in moved]}) == {"source": 1}
    session.refresh(source)
    assert source.grid_codes == ["A", "A1", "A1b"] and source.grid_version_id == new_version
    assert [m for m in assignments.moved(session, new_version) if m.kind == "source"] == []


def test_cli_lists_and_reassigns_on_confirmation(app, session, world_ab, tmp_path):
    from gisgrid.cli import main

    lon, lat = worlds.wgs84(450, 700)
    (tmp_path / "s.csv").write_text(
        f"code,name,kind,lon,lat\nM1,示例·搬家,enterprise,{lon!r},{lat!r}\n", encoding="utf-8"
    )
    service.import_file(session, str(tmp_path / "s.csv"), by="t")
    new_version = _moved_boundary_version(session, tmp_path)
    runner = app.test_cli_runner()
    listed = runner.invoke(main, ["sources", "moved", str(new_version)])
    assert listed.exit_code == 0 and "A1a → A1b" in listed.output and "reassigned" not in listed.output
    done = runner.invoke(main, ["sources", "moved", str(new_version), "--confirm-all"])
    assert "reassigned 1 sources" in done.output
    assert session.query(PollutionSource).one().grid_codes[-1] == "A1b"
