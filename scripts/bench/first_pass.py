"""The editor's first-pass edit code (whole draft in memory, whole draft re-linked), loaded from git for a baseline.

``load()`` writes ``gisgrid/editor/{queries,workset,edits}.py`` as they were at FIRST_PASS into a
temporary package ``first_pass_editor`` (imports pointed at each other) and returns its ``edits``.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import tempfile
from pathlib import Path

FIRST_PASS = "f352ed9"  # main when issue 6 was first merged
ROOT = Path(__file__).resolve().parents[2]
_IMPORTS = {
    "from gisgrid.editor import drafts, queries": "from gisgrid.editor import drafts\n"
    "from first_pass_editor import queries",
    "from gisgrid.editor import queries": "from first_pass_editor import queries",
    "from gisgrid.editor.workset import": "from first_pass_editor.workset import",
}


def _source(name: str) -> str:
    text = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{FIRST_PASS}:gisgrid/editor/{name}.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for old, new in _IMPORTS.items():
        text = text.replace(old, new)
    return text


def load():
    """The first pass's ``edits`` module (its ``apply_edit`` has today's signature)."""
    package = Path(tempfile.mkdtemp(prefix="gisgrid_bench_")) / "first_pass_editor"
    package.mkdir()
    (package / "__init__.py").write_text('"""gisgrid/editor at the first pass (benchmark baseline)."""\n')
    for name in ("queries", "workset", "edits"):
        (package / f"{name}.py").write_text(_source(name), encoding="utf-8")
    sys.path.insert(0, str(package.parent))
    return importlib.import_module("first_pass_editor.edits")
