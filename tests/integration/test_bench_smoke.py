"""scripts/bench_lookup.py keeps working: a tiny run, checked for correctness, not for speed."""

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_benchmark_smoke_run():
    cmd = [
        sys.executable,
        str(ROOT / "scripts" / "bench_lookup.py"),
        "--grids",
        "600",
        "--duration",
        "2",
        "--batch-points",
        "20000",
        "--http-batch-points",
        "5000",
        "--db",
        f"gisgrid_bench_smoke_{uuid.uuid4().hex[:8]}",
        "--port",
        str(free_port()),
        "--compare-preload",
        "--json",
    ]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout)
    assert report["database"]["grids"] == 600
    # the SQL baseline and the in-memory batch index pick the same grid for every point
    assert report["agreement"]["share"] == 1.0
    lookup = report["http"]["lookup"]
    assert lookup["errors"] == 0 and lookup["socket_errors"] == 0
    assert set(lookup["statuses"]) <= {"200", "404"} and lookup["statuses"]["200"] > 0
    for key in ("baseline", "batch"):
        assert report[key]["inside_share"] > 0.95
    assert report["http"]["batch_csv"]["points"] == 5000
    # --compare-preload: the HTTP phase ran with and without --preload, each with the memory of its processes
    assert report["http"]["preload"] is True and report["http_other"]["preload"] is False
    assert report["http_other"]["lookup"]["errors"] == 0 and report["http_other"]["lookup"]["statuses"]["200"] > 0
    for run in (report["http"], report["http_other"]):
        assert run["start_s"] > 0  # gunicorn start until every worker loaded the app
        reading = run["memory"]["after_batches"]
        assert len(reading["workers"]) == 2  # the smoke run's --workers default
        for process in (reading["master"], *reading["workers"]):
            assert 0 < process["Pss"] <= process["Rss"]
            assert process["Shared"] + process["Private_Dirty"] <= process["Rss"] + 1
        pss = reading["master"]["Pss"] + sum(w["Pss"] for w in reading["workers"])
        assert abs(reading["total_pss_mb"] - pss) < 1e-6
    labels = [row[0] for row in report["summary"]]
    assert "preload, after batches: worker 2 PSS" in labels and "HTTP lookups (no preload)" in labels
