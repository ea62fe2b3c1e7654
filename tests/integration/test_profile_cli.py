"""`gisgrid profile check|show` and a bad GISGRID_DEPLOYMENT refusing to start, through the real command line."""

from __future__ import annotations

import os
import subprocess
import sys


def _gisgrid(*args, deployment: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "GISGRID_DEPLOYMENT": deployment or ""}
    return subprocess.run(
        [sys.executable, "-m", "gisgrid.cli", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_check_lists_every_shipped_profile():
    done = _gisgrid("profile", "check")
    assert done.returncode == 0, done.stderr
    assert "ok   hulin: 黑龙江省鸡西市虎林市 — 二级网格 · 市" in done.stdout
    assert done.stdout.count("ok   ") == 5


def test_check_names_the_broken_key(tmp_path):
    bad = tmp_path / "broken.toml"
    bad.write_text('key = "broken"\nplace = "某地"\n', encoding="utf-8")
    done = _gisgrid("profile", "check", str(bad))
    assert done.returncode == 1 and f"FAIL {bad}: levels: missing" in done.stderr


def test_a_bad_deployment_refuses_to_start_with_one_line():
    done = _gisgrid("profile", "show", deployment="atlantis")
    assert done.returncode == 1
    assert "refusing to start:" in done.stderr and "atlantis.toml: no such deployment profile" in done.stderr
    assert "Traceback" not in done.stderr


def test_show_prints_the_active_profile():
    done = _gisgrid("profile", "show", deployment="gaochang")
    assert done.returncode == 0, done.stderr
    assert "联合执法: top; 联席会议: quarter; 自评: quarter" in done.stdout
