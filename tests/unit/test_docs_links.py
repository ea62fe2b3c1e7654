"""Every relative link and anchor in README.md and docs/*.md resolves; no development machine's path."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# docs/_incoming/ holds other engineers' raw notes for the integrator, not published pages
DOCS = [ROOT / "README.md", ROOT / "data" / "boundaries" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
CODE_SPAN = re.compile(r"`[^`\n]*`")
MACHINE_PATH = re.compile(r"(?<![\w.])/(?:work|root|home|tmp)/")


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces → hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """The anchors of every heading in ``path`` (repeated headings get -1, -2, … as on GitHub)."""
    seen: dict[str, int] = {}
    found = set()
    for line in FENCE.sub("", path.read_text(encoding="utf-8")).splitlines():
        if m := re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line):
            base = anchor(m.group(1))
            n = seen.get(base, 0)
            seen[base] = n + 1
            found.add(base if n == 0 else f"{base}-{n}")
    return found


def broken_links(path: Path) -> list[str]:
    """Relative links and anchors in ``path`` that point at no file or no heading."""
    text = CODE_SPAN.sub("", FENCE.sub("", path.read_text(encoding="utf-8")))
    broken = []
    for target in LINK.findall(text):
        if re.match(r"[a-z][a-z0-9+.-]*:", target, re.I):
            continue  # http:, https:, mailto: … are not checked offline
        file_part, _, fragment = target.partition("#")
        dest = (path.parent / file_part).resolve() if file_part else path
        if not dest.exists():
            broken.append(f"{target}: no file {dest.relative_to(ROOT) if dest.is_relative_to(ROOT) else dest}")
        elif fragment and dest.suffix == ".md" and fragment not in anchors(dest):
            broken.append(f"{target}: no heading #{fragment} in {dest.name}")
    return broken


@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_and_anchor_resolves(path):
    assert broken_links(path) == []


def test_the_checker_reports_a_missing_file_and_a_missing_anchor(tmp_path):
    page = tmp_path / "page.md"
    (tmp_path / "other.md").write_text("# Other\n\n## Point → grid lookup\n", encoding="utf-8")
    page.write_text(
        "# Page\n\n[ok](other.md#point--grid-lookup) [self](#page) [gone](missing.md) "
        "[bad](other.md#nowhere) `[code](ignored.md)` [web](https://example.org/x.md)\n",
        encoding="utf-8",
    )
    assert [b.split(":")[0] for b in broken_links(page)] == ["missing.md", "other.md#nowhere"]


def test_the_readme_links_every_docs_page():
    readme = ROOT / "README.md"
    linked = {Path(t.partition("#")[0]) for t in LINK.findall(readme.read_text(encoding="utf-8"))}
    pages = {p.relative_to(ROOT) for p in (ROOT / "docs").glob("*.md")}
    assert pages and pages <= linked


def test_no_path_of_a_development_machine_in_docs():
    hits = []
    for path in [*DOCS, *ROOT.glob("*/**/README.md")]:
        if ".venv" in path.parts or "_incoming" in path.parts:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if MACHINE_PATH.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert hits == []
