"""Time the boundary editor in a fresh database.

Default: the demo deployment (西城区, 279 grids). Baseline, in the same run: importing and
publishing the whole demo file (what a planner would otherwise do for every change).
With ``--grids N``: N synthetic grids (scripts/bench/synthetic.py, three levels); each edit runs
alternately with the first pass's code (every grid of the draft in memory, the whole draft
re-linked: scripts/bench/first_pass.py) and today's (only the grids the edit needs), same draft.
Printed: seconds per operation and the ratio to the baseline.
    .venv/bin/python scripts/bench_editor.py [--repeat 5] [--grids 20000]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import first_pass, synthetic  # noqa: E402
from sqlalchemy import (
    create_engine,  # noqa: E402
    text,  # noqa: E402
)
from sqlalchemy.orm import Session  # noqa: E402
from tqdm import tqdm  # noqa: E402

from gisgrid.cli import DEMO_FILE  # noqa: E402
from gisgrid.editor import drafts, edits, filing, validate, versions  # noqa: E402
from gisgrid.grids import (
    queries,  # noqa: E402
    service,  # noqa: E402
)
from tests.conftest import fresh_database  # noqa: E402


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def base(session, draft):
    return {
        f["properties"]["code"]: f["properties"]["lock"]
        for f in json.loads(drafts.draft_geojson(session, draft))["features"]
    }


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
                lambda: service.import_file(s, str(DEMO_FILE), label="demo", publish=True)
            )
            results["open draft (copy 279 grids)"], draft = timed(lambda: drafts.open_draft(s, "bench"))
            code = "110102001004"
            steps = {"edit: attributes": [], "edit: move shared vertex": [], "validate draft": []}
            for i in tqdm(range(repeat), desc="edits"):
                steps["edit: attributes"].append(
                    timed(
                        lambda: edits.apply_edit(
                            s,
                            draft,
                            "bench",
                            {
                                "op": "attributes",
                                "code": code,
                                "base": base(s, draft),
                                "values": {"entity": f"主体{i}"},
                            },
                        )
                    )[0]
                )
                lon, lat = leaf_vertex(s, draft, code)
                steps["edit: move shared vertex"].append(
                    timed(
                        lambda: edits.apply_edit(
                            s,
                            draft,
                            "bench",
                            {
                                "op": "move_vertex",
                                "old": [lon, lat],
                                "new": [lon + 2e-5, lat + 1e-5],
                                "base": base(s, draft),
                            },
                        )
                    )[0]
                )
                steps["validate draft"].append(timed(lambda: validate.validate_version(s, draft))[0])
            results.update({k: sum(v) / len(v) for k, v in steps.items()})
            results["publish draft (validate + subdivide + switch)"], _ = timed(
                lambda: versions.publish_draft(s, draft, "bench")
            )
            results["filing package (CSV/XLSX/PDF/GPKG/PNG)"], _ = timed(lambda: filing.build_package(s, draft))
        engine.dispose()
    return results


def load_synthetic(s, total: int) -> int:
    """Insert, link and publish ``total`` synthetic grids; returns the version id."""
    grid_set = synthetic.build(total)
    version_id = queries.insert_version(s, f"synthetic {total}", "scripts/bench_editor.py")
    for start in tqdm(range(0, len(grid_set.rows), 1000), desc="insert grids"):
        queries.insert_grids(s, version_id, grid_set.rows[start : start + 1000])
    queries.build_version(s, version_id)
    queries.publish(s, version_id)
    s.commit()
    return version_id


def locks(s, draft) -> dict:
    """Every grid's lock counter (the ``base`` of an edit)."""
    return dict(s.execute(text("SELECT code, lock_version FROM grid WHERE version_id = :v"), {"v": draft}).all())


def middle_village(s, draft) -> tuple[str, list[float]]:
    """A village near the middle of the extent and its first vertex (shared with its neighbours)."""
    code, x, y = s.execute(
        text(
            "SELECT code, ST_X(ST_PointN(ST_ExteriorRing(ST_GeometryN(geom, 1)), 1)), "
            "ST_Y(ST_PointN(ST_ExteriorRing(ST_GeometryN(geom, 1)), 1)) FROM grid WHERE version_id = :v AND level = 3 "
            "ORDER BY geom <-> ST_SetSRID(ST_MakePoint(115, 35), 4326) LIMIT 1"
        ),
        {"v": draft},
    ).one()
    return code, [x, y]


def run_synthetic(total: int, repeat: int) -> dict:
    """Edits of a ``total``-grid draft with the first pass's code (baseline) and today's, alternately."""
    old_edits = first_pass.load()
    with fresh_database("gisgrid_bench_editor") as url:
        engine = create_engine(url)
        times = {f"{kind}: {op}": [] for op in ("attributes", "move shared vertex") for kind in ("first pass", "now")}
        with Session(engine) as s:
            load_synthetic(s, total)
            draft = drafts.open_draft(s, "bench")
            code, at = middle_village(s, draft)
            for i in tqdm(range(repeat), desc="edits"):
                for kind, module in (("first pass", old_edits), ("now", edits)):
                    times[f"{kind}: attributes"].append(
                        timed(
                            lambda: module.apply_edit(
                                s,
                                draft,
                                "bench",
                                {
                                    "op": "attributes",
                                    "code": code,
                                    "base": locks(s, draft),
                                    "values": {"entity": f"{kind}{i}"},
                                },
                            )
                        )[0]
                    )
                    new = [at[0] + 2e-5, at[1] + 1e-5]
                    times[f"{kind}: move shared vertex"].append(
                        timed(
                            lambda: module.apply_edit(
                                s, draft, "bench", {"op": "move_vertex", "old": at, "new": new, "base": locks(s, draft)}
                            )
                        )[0]
                    )
                    at = new
        engine.dispose()
    return {k: sum(v) / len(v) for k, v in times.items()}


def print_synthetic(results: dict) -> None:
    for op in ("attributes", "move shared vertex"):
        old, now = results[f"first pass: {op}"], results[f"now: {op}"]
        print(
            f"edit: {op:<22} first pass {old * 1000:9.1f} ms   now {now * 1000:8.1f} ms   "
            f"now/first pass {now / old:6.3f}×  ({old / now:5.1f}× faster)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--grids", type=int, default=0, help="synthetic grids instead of the demo (e.g. 20000)")
    args = parser.parse_args()
    if args.grids:
        print_synthetic(run_synthetic(args.grids, args.repeat))
        return
    results = run(args.repeat)
    baseline = results["baseline: import + publish demo file"]
    for name, seconds in results.items():
        print(f"{name:<50} {seconds * 1000:9.1f} ms   {seconds / baseline:6.2f}× baseline")


if __name__ == "__main__":
    main()
