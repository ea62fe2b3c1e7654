"""scripts/bench_open_data.py keeps working: a tiny run, checked for correctness, not for speed."""

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_open_data_benchmark_smoke_run():
    cmd = [
        sys.executable,
        str(ROOT / "scripts" / "bench_open_data.py"),
        "--grids",
        "300",
        "--db",
        f"gisgrid_bench_opendata_smoke_{uuid.uuid4().hex[:8]}",
        "--json",
    ]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout)
    assert report["database"]["grids"] == 300
    assert [r["format"] for r in report["formats"]] == ["geojson", "csv", "gpkg"]
    assert all(r["mb"] > 0 and r["cold_s"] > 0 and r["cached_s"] > 0 for r in report["formats"])
