"""scripts/bench_sources.py keeps working (correctness only: speed is never asserted)."""

import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))


def test_bench_sources_runs_and_agrees_with_shapely(capsys):
    import bench_sources

    assert (
        bench_sources.main(["--sources", "40", "--tracks", "6", "--db", f"gisgrid_bench_t{uuid.uuid4().hex[:8]}"]) == 0
    )
    out = capsys.readouterr().out
    assert "import 40 rows" in out and "coverage, 279 grids, 6 tracks" in out
    difference = float(out.split("largest share difference ")[1].split()[0])
    assert difference < 0.5  # percentage points between PostGIS geography and shapely in LAEA
