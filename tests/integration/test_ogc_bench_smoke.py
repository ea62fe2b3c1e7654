"""scripts/bench_ogc.py keeps working: a tiny gisgrid-only run (1 s per phase), checked for errors, not speed.

The peer (tipg) lives in a virtualenv outside the project (see docs); the full comparison is run by hand.
"""

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_ogc_benchmark_smoke_run():
    cmd = [
        sys.executable,
        str(ROOT / "scripts" / "bench_ogc.py"),
        "--duration",
        "1",
        "--rounds",
        "1",
        "--no-peer",
        "--json",
    ]
    cmd += ["--port", str(free_port()), "--db-suffix", f"_smoke_{uuid.uuid4().hex[:8]}"]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    report = json.loads(run.stdout)
    for kind in ("items", "cql2", "tiles"):
        result = report["gisgrid"][kind]
        assert result["requests"] > 0 and {int(code) for code in result["statuses"]} <= {200, 204}
