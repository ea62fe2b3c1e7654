"""A non-editable install works: the wheel carries templates/ and static/, and renders / from anywhere.

The wheel is built from a copy of the sources and installed with --no-deps into a scratch venv whose
.pth points at the dev venv's site-packages for the dependencies, so no network is needed. A .pth line
only appends a path (the dev venv's own .pth files, such as the editable finder, are not run), so
``gisgrid`` is imported from the scratch venv, never from the repository.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]

RENDER = textwrap.dedent("""
    import json, sys
    import gisgrid
    from gisgrid import create_app
    app = create_app({"DATABASE_URL": sys.argv[1], "RATELIMIT_ENABLED": False})
    client = app.test_client()
    page, asset = client.get("/"), client.get("/static/js/api.js")
    print(json.dumps({"module": gisgrid.__file__, "root": app.root_path, "page_status": page.status_code,
                      "page": page.get_data(as_text=True), "asset_status": asset.status_code,
                      "asset": asset.get_data(as_text=True)}))
""")


def _run(*args, cwd: Path) -> str:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout


def _build_wheel(tmp_path: Path) -> Path:
    source = tmp_path / "src"  # a copy: building in the worktree would leave build/ and egg-info behind
    shutil.copytree(REPO / "gisgrid", source / "gisgrid", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    wheels = tmp_path / "wheels"
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), ".", cwd=source)
    (wheel,) = wheels.glob("gisgrid-*.whl")
    return wheel


def _scratch_venv(tmp_path: Path, wheel: Path) -> Path:
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", str(venv), cwd=tmp_path)
    python = venv / "bin" / "python"
    _run(str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel), cwd=tmp_path)
    site = _run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp_path).strip()
    Path(site, "dev-venv-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def test_the_wheel_renders_the_landing_page_and_serves_static_files(tmp_path, database_url):
    wheel = _build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    assert "gisgrid/templates/base.html" in names and "gisgrid/static/js/api.js" in names
    assert "gisgrid/static/vendor/leaflet/leaflet.js" in names and "gisgrid/grids/sql/lookup.sql" in names
    python = _scratch_venv(tmp_path, wheel)
    outside = tmp_path / "elsewhere"  # cwd outside the repository: no relative path can find the sources
    outside.mkdir()
    script = outside / "render.py"
    script.write_text(RENDER)
    env_free = ("env", "-u", "PYTHONPATH", str(python), str(script), database_url)
    result = json.loads(_run(*env_free, cwd=outside))
    assert Path(result["module"]).is_relative_to(tmp_path / "venv"), result["module"]
    assert not Path(result["root"]).is_relative_to(REPO)
    assert result["page_status"] == 200 and '<html lang="zh-CN">' in result["page"]
    assert "网格化环境监管" in result["page"] and "/static/js/public_map.js" in result["page"]
    assert result["asset_status"] == 200
    assert result["asset"] == (REPO / "gisgrid" / "static" / "js" / "api.js").read_text(encoding="utf-8")
