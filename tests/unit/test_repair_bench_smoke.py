"""scripts/bench_repair.py keeps working (correctness only: speed is never asserted)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))


def test_bench_repair_runs_and_repairs_everything(capsys):
    import bench_repair

    assert bench_repair.main(["--sizes", "100,200"]) == 0
    rows = [line.split("|")[1:-1] for line in capsys.readouterr().out.splitlines()[2:]]
    assert [r[0].strip() for r in rows] == ["100", "200"]
    for row in rows:
        errors_before, errors_after = int(row[2].replace(",", "")), int(row[3])
        assert errors_before > 100 and errors_after == 0  # jittered: messy before, clean after


def test_synthetic_villages_tile_their_towns_before_jitter():
    import bench_repair

    gdf = bench_repair.synthetic(200)
    assert (gdf["level"] == 3).sum() == 200 and (gdf["level"] == 2).sum() == 2 and (gdf["level"] == 1).sum() == 1
    assert set(gdf.loc[gdf["level"] == 3, "parent_code"]) == set(gdf.loc[gdf["level"] == 2, "code"])
