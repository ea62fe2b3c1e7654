"""scripts/bench_import.py keeps working: a tiny run, checked for correctness, never for speed."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, str(ROOT / "scripts" / "bench_import.py"), *args, "--json"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT)


def test_import_bench_runs_every_step_in_every_audit_mode():
    run = _run("--sizes", "300,600")
    assert run.returncode == 0, run.stderr[-3000:]
    first, second = json.loads(run.stdout)
    assert (first["n"], second["n"]) == (300, 600) and second["grids"] == 600
    for result in (first, second):
        figures = result["figures"]
        for step in ("import", "publish"):
            modes = ("no audit", "row trigger 0009", "row trigger fixed", "set-wise")
            assert {f"{step} {mode}" for mode in modes} <= set(figures)
        assert {"validate clean", "validate clean, exact checks only", "validate jittered"} <= set(figures)
        notes = result["notes"]
        # the jittered copy has slivers along its shared edges; the clean one validated without errors
        assert notes["jittered errors"] > result["grids"]
        # --repair is one of the timed steps; on this jitter (parents moved too) it leaves no error at all
        assert "repair jittered" in figures and notes["repaired slivers"] > 0
        assert notes["errors after repair"] == 0
        # every trigger logs the same entries (one per grid, staff member and version); without audit none
        assert notes["audit rows (no audit)"] == 0
        rows = {notes[f"audit rows ({mode})"] for mode in modes[1:]}
        assert len(rows) == 1 and rows.pop() > result["grids"]


def test_unknown_step_is_refused_and_validation_runs_alone():
    bad = _run("--sizes", "300", "--steps", "import,repair-that-is-not-there")
    assert bad.returncode == 2 and "unknown step" in bad.stderr
    alone = _run("--validate-only", "300", "--jitter-max", "0", "--exact-max", "0")
    assert alone.returncode == 0, alone.stderr[-3000:]
    result = json.loads(alone.stdout)
    assert result["grids"] == 300 and set(result["figures"]) == {"validate clean"} and result["peak_rss_mb"] > 0
