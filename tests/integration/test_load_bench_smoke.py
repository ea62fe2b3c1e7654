"""scripts/bench_load.py keeps working: a tiny run (2 s per phase, with the restart fault), checked for errors, not speed."""

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import bench_load  # noqa: E402


@pytest.mark.slow
def test_load_benchmark_smoke_run():
    cmd = [
        sys.executable,
        str(ROOT / "scripts" / "bench_load.py"),
        "--duration",
        "2",
        "--fault",
        "--outage",
        "0.5",
        "--planner-pause",
        "0",
        "--port",
        str(free_port()),
        "--fault-port",  # not --port + 1, which another test's server may hold
        str(free_port()),
        "--pg-port",
        str(free_port()),
        "--db",
        f"gisgrid_bench_load_smoke_{uuid.uuid4().hex[:8]}",
        "--probe",
        "--json",
    ]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    report = json.loads(run.stdout)
    assert report["total_errors"] == 0
    for phase in ("lookup", "baseline", "write"):
        assert report[phase]["requests"] > 0 and report[phase]["errors"] == 0
        # JSON keys: every request of the mix succeeded (a 304 answers a revalidation)
        assert set(report[phase]["statuses"]) <= {"200", "304"} and "200" in report[phase]["statuses"]
    writers = report["write"]["writers"]
    assert writers["publish"]["ops"] >= 2 and writers["case"]["ops"] >= 3
    assert all(t["errors"] == 0 for t in writers.values())
    fault = report["fault"]
    # the database really went away under load, requests failed cleanly, and the app came back by itself
    assert fault["unavailable"] > 0 and set(fault["statuses"]) <= {"200", "304", "503"}
    assert fault["recovery_s"] < 10 and fault["workers_ok"] and report["workers_ok"]
    # the probe timed each kind of the mix beside the mix alone and under writes, not beside the lookup ceiling
    assert set(report["probe"]) == {"baseline", "write"}
    for probed in report["probe"].values():
        assert probed["failures"] == 0
        assert all(probed[kind]["n"] > 0 for kind in ("lookup", "tile", "grid_json", "grid_page"))
    printed = bench_load.table(_with_int_statuses(report))
    assert "probe (one sequential client)" in printed
    assert "write/baseline: throughput x" in printed and "mix/lookup: throughput x" in printed
    assert "total errors: 0" in printed and report["jobs"]["runs"]  # the publications started their jobs


def _with_int_statuses(report: dict) -> dict:
    for name in ("lookup", "baseline", "write", "fault"):
        report[name]["statuses"] = {int(k): v for k, v in report[name]["statuses"].items()}
    return report
