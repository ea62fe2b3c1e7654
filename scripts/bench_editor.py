"""Time the boundary editor on the demo deployment (西城区, 279 grids) in a fresh database.

Baseline, in the same run: importing and publishing the whole demo file (what a planner would
otherwise do for every change). Printed: seconds per operation and the ratio to the baseline.
    .venv/bin/python scripts/bench_editor.py [--repeat 5]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402
from tqdm import tqdm  # noqa: E402

from gisgrid.cli import DEMO_FILE  # noqa: E402
from gisgrid.editor import drafts, edits, filing, validate, versions  # noqa: E402
from gisgrid.grids import service  # noqa: E402
from tests.conftest import fresh_database  # noqa: E402


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def base(session, draft):
    return {f["properties"]["code"]: f["properties"]["lock"]
            for f in json.loads(drafts.draft_geojson(session, draft))["features"]}


def leaf_vertex(session, draft, code):
    fc = json.loads(drafts.draft_geojson(session, draft))
    feature = next(f for f in fc["features"] if f["properties"]["code"] == code)
    return feature["geometry"]["coordinates"][0][0][1]


def run(repeat: int) -> dict:
    with fresh_database("gisgrid_bench_editor") as url:
        engine = create_engine(url)
        results = {}
        with Session(engine) as s:
            results["baseline: import + publish demo file"], _ = timed(
                lambda: service.import_file(s, str(DEMO_FILE), label="demo", publish=True))
            results["open draft (copy 279 grids)"], draft = timed(lambda: drafts.open_draft(s, "bench"))
            code = "110102001004"
            steps = {"edit: attributes": [], "edit: move shared vertex": [], "validate draft": []}
            for i in tqdm(range(repeat), desc="edits"):
                steps["edit: attributes"].append(timed(lambda: edits.apply_edit(
                    s, draft, "bench", {"op": "attributes", "code": code, "base": base(s, draft),
                                        "values": {"entity": f"主体{i}"}}))[0])
                lon, lat = leaf_vertex(s, draft, code)
                steps["edit: move shared vertex"].append(timed(lambda: edits.apply_edit(
                    s, draft, "bench", {"op": "move_vertex", "old": [lon, lat], "new": [lon + 2e-5, lat + 1e-5],
                                        "base": base(s, draft)}))[0])
                steps["validate draft"].append(timed(lambda: validate.validate_version(s, draft))[0])
            results.update({k: sum(v) / len(v) for k, v in steps.items()})
            results["publish draft (validate + subdivide + switch)"], _ = timed(
                lambda: versions.publish_draft(s, draft, "bench"))
            results["filing package (CSV/XLSX/PDF/GPKG/PNG)"], _ = timed(lambda: filing.build_package(s, draft))
        engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    results = run(parser.parse_args().repeat)
    baseline = results["baseline: import + publish demo file"]
    for name, seconds in results.items():
        print(f"{name:<50} {seconds * 1000:9.1f} ms   {seconds / baseline:6.2f}× baseline")


if __name__ == "__main__":
    main()
