"""scripts/bench_tiles.py keeps working: a tiny run, checked for correctness, not for speed."""

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_tiles_benchmark_smoke_run():
    cmd = [
        sys.executable,
        str(ROOT / "scripts" / "bench_tiles.py"),
        "--grids",
        "600",
        "--zooms",
        "5-11",
        "--viewports",
        "1",
        "--db",
        f"gisgrid_bench_tiles_smoke_{uuid.uuid4().hex[:8]}",
        "--json",
    ]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout)
    assert report["database"]["grids"] == 600
    assert [r["zoom"] for r in report["zooms"]] == list(range(5, 12))
    assert all(r["tiles"] > 0 and r["kb_max"] > 0 for r in report["zooms"])
    # deeper levels appear as the zoom grows, and simplification never makes tiles bigger
    levels = [r["level"] for r in report["zooms"]]
    assert levels == sorted(levels) and levels[-1] == 3
    assert all(r["kb_mean"] <= r["baseline_kb_mean"] * 1.01 for r in report["zooms"])
    assert report["overall"]["tiles"] == sum(r["tiles"] for r in report["zooms"])
    assert len(report["gcj02"]) == len(report["zooms"])
