"""scripts/bench_monitor.py keeps working: a tiny run, checked for correctness, not for speed."""

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_monitor_benchmark_smoke_run():
    cmd = [sys.executable, str(ROOT / "scripts" / "bench_monitor.py"), "--stations", "5", "--minutes", "3"]
    cmd += ["--pollutants", "4", "--db", f"gisgrid_bench_monitor_smoke_{uuid.uuid4().hex[:8]}"]
    cmd += ["--port", str(free_port()), "--json"]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout)
    receiver = report["receiver"]
    # every packet acknowledged, and every value of every packet is in the database
    assert receiver["packets"] == 5 * 3
    assert receiver["values"] == receiver["rows_in_db"] == 5 * 3 * 4
    assert report["baseline_copy"]["values"] == 5 * 3 * 4
    for key in ("ack_latency_ms", "stored_latency_ms"):
        assert 0 <= receiver[key]["p50"] <= receiver[key]["p99"]
    assert receiver["receiver_cpu_share_of_one_core"] >= 0
