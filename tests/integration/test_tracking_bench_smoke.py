"""scripts/bench_tracking.py keeps working: a tiny run, checked for correctness, not for speed."""

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_tracking_benchmark_smoke_run():
    db = f"gisgrid_bench_tracking_smoke_{uuid.uuid4().hex[:8]}"
    cmd = [sys.executable, str(ROOT / "scripts" / "bench_tracking.py"), "--items", "200", "--db", db, "--json"]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout)
    assert report["items"] == 200 and report["grids"] == 263
    assert len(report["results"]) == 6 and all(r["ms"] > 0 and r["baseline_ms"] > 0 for r in report["results"])
    assert "escalations" in report["results"][0]["what"] and "(0 new)" in report["results"][1]["what"]
