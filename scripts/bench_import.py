"""Import, validation and publication at growing sizes: the growth per step and the cost of the audit trail.

For each N (default 2,000 / 8,000 / 32,000 / 100,000) it builds N synthetic grids in three levels
(scripts/bench/synthetic.py: villages tiling townships tiling counties, shared edges vertex-identical)
and a jittered copy (every vertex moved by up to ``--jitter`` metres per grid, the way separately
digitised outlines look: slivers of gap and overlap along every shared edge, children a little
outside their parents). The steps, each timed on its own:

- ``validate``: ``validate_grids`` on the clean set (no errors), on the same with the exact overlay
  checks only (the baseline: no edge test, up to ``--exact-max``) and on the jittered copy (errors
  found, up to ``--jitter-max``);
- ``import``:   write the clean set as a draft version (grids, staff, parent links, areas, lookup parts);
- ``publish``:  publication (tile preparation + the switch).

``import`` and ``publish`` run up to five times per N in one database (committed, as a real import):
with the audit triggers of the grid tables disabled (the baseline), with 0009's row trigger as it was
(its log lookup used no index: quadratic; up to ``--row-max``), with the row trigger as 0015_scale
fixed it (up to ``--fixed-row-max``), with 0015_scale's set-wise triggers but without 0016's hash chain
sealed at commit, and with both (the state of a real deployment); each is printed beside
its ratio to the baseline. The growth factor is each figure divided by the same figure at the
previous N. ``--validate-only 300000`` times validation alone at that size, with the process's peak RSS.

A step is a function in ``STEPS`` (validate, repair, import, publish); ``--steps`` names them.
    .venv/bin/python scripts/bench_import.py [--sizes 2000,8000,32000,100000] [--steps validate,import,publish]
    .venv/bin/python scripts/bench_import.py --validate-only 300000
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402
from bench import synthetic  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402
from tqdm import tqdm  # noqa: E402

from gisgrid.audit import actor  # noqa: E402
from gisgrid.db import unit_of_work  # noqa: E402
from gisgrid.grids import coverage, fields, queries, repair, service, versions  # noqa: E402
from gisgrid.grids.validation import format_report, validate_grids  # noqa: E402
from gisgrid.public_map import tiles  # noqa: E402, F401  (registers the publication preparer, as the app does)

AUDITED = ("boundary_version", "grid", "grid_staff", "unit_grid")  # the tables an import writes
# audit mode → label; "off" first: it is the baseline every other mode is divided by
# "unchained": set-wise without the hash chain's seal at commit (0016_sec_audit), to show the chain's own cost
MODES = {
    "off": "no audit",
    "row0009": "row trigger 0009",
    "row": "row trigger fixed",
    "unchained": "set-wise no chain",
    "set": "set-wise",
}
# the row trigger function as migration 0009 made it: its log lookup compared text with name (no index)
ROW_0009 = (
    ("TG_TABLE_NAME::text AND", "TG_TABLE_NAME AND"),
    ("FUNCTION gisgrid_audit()", "FUNCTION bench_audit_0009()"),
)


@dataclass
class Context:
    """What a step works on: one size's data, the database session and the trigger state."""

    n: int
    clean: gpd.GeoDataFrame
    jittered: gpd.GeoDataFrame | None  # None above --jitter-max
    exact_max: int = 0  # largest N also validated with the exact checks only (the baseline)
    session: Session | None = None
    audit: str = "set"
    version_id: int | None = None
    notes: dict = field(default_factory=dict)


def frame(rows: list[dict]) -> gpd.GeoDataFrame:
    """Synthetic rows as the normalised frame ``read_grids`` returns."""
    data = {name: [row.get(name) for row in rows] for name in fields.GRID_COLUMNS}
    data["staff"] = [row.get("staff") or [] for row in rows]
    parts, owner = shapely.get_parts(shapely.from_wkb([r["wkb"] for r in rows]), return_index=True)
    geoms = shapely.multipolygons(parts, indices=owner)
    out = gpd.GeoDataFrame(data, geometry=list(geoms), crs="EPSG:4326")
    out.attrs["source_crs"] = "EPSG:4326"
    return out


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    """Seconds taken by ``fn()`` and its result."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def step_validate(ctx: Context) -> dict:
    """Validation of the clean set and of the jittered set."""
    cpu, load = time.process_time(), os.getloadavg()[0]
    with tqdm(desc=f"validating {ctx.n:,} clean", unit="grid", leave=False) as bar:
        clean_s, clean = timed(lambda: validate_grids(ctx.clean, progress=_bar(bar)))
    # CPU seconds of this process: on a shared machine the wall clock also counts others' work. The share
    # of one core the process got (CPU / wall) and the load average around it say how much: at a share of
    # 1.0 (an idle machine; validation is single-threaded) the wall time is the CPU time
    cpu_s = time.process_time() - cpu
    ctx.notes["validate clean CPU s"] = round(cpu_s, 1)
    ctx.notes["validate clean CPU share"] = round(cpu_s / clean_s, 2) if clean_s else 1.0
    ctx.notes["load average before/after"] = f"{load:.1f}/{os.getloadavg()[0]:.1f}"
    if any(p.severity == "error" for p in clean):
        raise SystemExit(f"the clean synthetic set has validation errors:\n{format_report(clean)[:2000]}")
    figures = {"validate clean": clean_s}
    if ctx.n <= ctx.exact_max:
        with exact_checks_only():
            figures["validate clean, exact checks only"] = timed(lambda: validate_grids(ctx.clean))[0]
    if ctx.jittered is not None:
        with tqdm(desc=f"validating {ctx.n:,} jittered", unit="grid", leave=False) as bar:
            figures["validate jittered"], jittered = timed(lambda: validate_grids(ctx.jittered, progress=_bar(bar)))
        ctx.notes["jittered errors"] = sum(p.severity == "error" for p in jittered)
    return figures


def step_repair(ctx: Context) -> dict:
    """``--repair`` on the jittered set (gisgrid.grids.repair), then validation of what it made."""
    if ctx.jittered is None:
        return {}
    seconds, (repaired, report) = timed(lambda: repair.repair(ctx.jittered))
    ctx.notes["repaired slivers"] = len(report.slivers)
    ctx.notes["errors after repair"] = sum(p.severity == "error" for p in validate_grids(repaired))
    return {"repair jittered": seconds}


@contextmanager
def exact_checks_only():
    """The baseline: validation without the edge test and the GEOS pair filter (every group overlaid)."""
    saved = coverage.tiled_parents, coverage.suspects
    coverage.tiled_parents = lambda geoms, children_of, progress=None: set()
    coverage.suspects = lambda geoms, groups: np.ones(len(geoms), dtype=bool)
    try:
        yield
    finally:
        coverage.tiled_parents, coverage.suspects = saved


def _bar(bar):
    """validate_grids' progress(done, total) on a tqdm bar (each feature counts twice there)."""

    def progress(done: int, total: int) -> None:
        bar.total = total // 2
        bar.update(done // 2 - bar.n)

    return progress


def step_import(ctx: Context) -> dict:
    """Write the clean set as a draft version in one unit of work."""

    def write() -> int:
        with unit_of_work(ctx.session):
            version_id = queries.insert_version(ctx.session, f"bench {ctx.n}", "scripts/bench_import.py")
            service.write_grids(ctx.session, version_id, ctx.clean)
        return version_id

    seconds, ctx.version_id = timed(write)
    return {"import": seconds}


def step_publish(ctx: Context) -> dict:
    """Publish the version the import step wrote."""

    def publish() -> None:
        with unit_of_work(ctx.session):
            versions.publish(ctx.session, ctx.version_id)

    return {"publish": timed(publish)[0]}


# name → (step, needs the database); the order here is the order they run in
STEPS: dict[str, tuple[Callable[[Context], dict], bool]] = {
    "validate": (step_validate, False),
    "repair": (step_repair, False),
    "import": (step_import, True),
    "publish": (step_publish, True),
}


def _set_wise_tables() -> dict:
    """The tables migration 0015_scale audits set-wise, with their trigger arguments."""
    path = Path(__file__).resolve().parents[1] / "gisgrid" / "migrations" / "versions" / "0015_scale.py"
    spec = importlib.util.spec_from_file_location("migration_0015_scale", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SET_WISE


def _audit_triggers(session: Session, table: str) -> list[str]:
    """Names of the audit triggers on ``table`` (one, or one per event since 0015_scale)."""
    sql = "SELECT tgname FROM pg_trigger WHERE tgrelid = CAST(:t AS regclass) AND tgname LIKE 'audit%' AND NOT tgisinternal"
    return list(session.scalars(text(sql), {"t": table}))


def set_audit(session: Session, mode: str) -> None:
    """Audit the import's tables as in ``mode`` (a key of MODES).

    "row0009" and "row" put back a per-row trigger on the tables 0015 audits set-wise (beside the
    disabled set-wise ones): 0009's function as it was, or ``gisgrid_audit()`` as 0015 fixed it.
    """
    set_wise = _set_wise_tables()
    if mode == "row0009":
        _create_0009_function(session)
        # 0009 had no index on txid: with 0015's, the uncast lookup would scan only this transaction's entries
        session.execute(text("DROP INDEX IF EXISTS ix_audit_log_txid"))
    else:
        session.execute(text("CREATE INDEX IF NOT EXISTS ix_audit_log_txid ON audit_log (txid, entity, entity_id)"))
    for table in AUDITED:
        session.execute(text(f"DROP TRIGGER IF EXISTS bench_row_audit_{table} ON {table}"))
        on = mode != "off" and (mode in ("set", "unchained") or table not in set_wise)
        for name in _audit_triggers(session, table):
            session.execute(text(f"ALTER TABLE {table} {'ENABLE' if on else 'DISABLE'} TRIGGER {name}"))
        if mode.startswith("row") and table in set_wise:
            quoted = ", ".join(f"'{a}'" for a in set_wise[table])
            function = "bench_audit_0009" if mode == "row0009" else "gisgrid_audit"
            session.execute(
                text(
                    f"CREATE TRIGGER bench_row_audit_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
                    f"FOR EACH ROW EXECUTE FUNCTION {function}({quoted})"
                )
            )
    # the chain's seal at commit (rows of the "unchained" run stay outside the chain: a throwaway database)
    session.execute(
        text(f"ALTER TABLE audit_log {'DISABLE' if mode == 'unchained' else 'ENABLE'} TRIGGER gisgrid_chain_seal")
    )
    session.commit()


def _create_0009_function(session: Session) -> None:
    """``bench_audit_0009()``: gisgrid/audit/sql/audit_trigger.sql with 0009's uncast comparison."""
    sql = (Path(__file__).resolve().parents[1] / "gisgrid" / "audit" / "sql" / "audit_trigger.sql").read_text()
    for fixed, old in ROW_0009:
        if fixed not in sql:
            raise SystemExit(f"audit_trigger.sql changed: {fixed!r} not found, the 0009 replica cannot be built")
        sql = sql.replace(fixed, old)
    with session.connection().connection.dbapi_connection.cursor() as cursor:
        cursor.execute(sql)


def context(n: int, jitter_m: float, jitter_max: int, exact_max: int) -> tuple[Context, int]:
    """The clean set of ``n`` grids and (up to ``jitter_max``) its jittered copy, and the grid count."""
    grid_set = synthetic.build(n)
    jittered = frame(synthetic.jittered(grid_set.rows, jitter_m)) if n <= jitter_max else None
    return Context(n, frame(grid_set.rows), jittered, exact_max), len(grid_set.rows)


def run_size(n: int, steps: list[str], session: Session | None, options: argparse.Namespace) -> dict:
    """Every requested step at size ``n``; database steps once per audit mode (row mode up to --row-max)."""
    ctx, count = context(n, options.jitter, options.jitter_max, options.exact_max)
    figures: dict[str, float] = {}
    for name in (s for s in STEPS if s in steps and not STEPS[s][1]):
        figures.update(STEPS[name][0](ctx))
    database_steps = [s for s in STEPS if s in steps and STEPS[s][1]]
    for mode in MODES if session is not None and database_steps else ():
        if (mode == "row0009" and n > options.row_max) or (mode == "row" and n > options.fixed_row_max):
            continue  # 0009's is quadratic; the fixed one is only shown beside it
        set_audit(session, mode)
        ctx.session, ctx.audit = session, mode
        before, cpu = session.scalar(text("SELECT count(*) FROM audit_log")), _cpu(session)
        for name in database_steps:
            for key, seconds in STEPS[name][0](ctx).items():
                figures[f"{key} {MODES[mode]}"] = seconds
        ctx.notes[f"audit rows ({MODES[mode]})"] = session.scalar(text("SELECT count(*) FROM audit_log")) - before
        ctx.notes[f"CPU s ({MODES[mode]})"] = round(_cpu(session) - cpu, 1)
    if session is not None and database_steps:
        set_audit(session, "set")
    return {"n": n, "grids": count, "figures": figures, "notes": ctx.notes}


def _cpu(session: Session) -> float:
    """CPU seconds so far of this process and of the session's PostgreSQL backend (same machine: /proc).

    Why: on the shared machine the wall clock mostly measures the others' load; the CPU the import and
    publication cost is what the audit adds to. Each mode's figure is the difference around its steps.
    """
    pid = session.scalar(text("SELECT pg_backend_pid()"))
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return time.process_time()  # a server elsewhere: this process only
    return time.process_time() + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def print_table(results: list[dict]) -> None:
    """Each figure per size, its growth over the previous size and the audited/no-audit ratio."""
    keys = list(dict.fromkeys(k for r in results for k in r["figures"]))
    print(f"{'figure':<26}" + "".join(f"{r['grids']:>10,} growth" for r in results))
    for key in keys:
        line, previous = f"{key:<26}", None
        for r in results:
            value = r["figures"].get(key)
            growth = f"{value / previous:>6.1f}x" if value and previous else f"{'':>7}"
            line += f"{value:>9.2f}s{growth}" if value is not None else f"{'-':>10}{'':>7}"
            previous = value
        print(line)
    for mode in ("row0009", "row", "unchained", "set"):
        label = MODES[mode]
        for key in ("import", "publish", "import+publish"):
            ratios = [_ratio(r["figures"], key, label) for r in results]
            if any(ratio is not None for ratio in ratios):
                shown = ", ".join("-" if ratio is None else f"{ratio:.2f}" for ratio in ratios)
                print(f"ratio {key} {label} / no audit: {shown}")
    for mode in ("row0009", "row", "unchained", "set"):
        ratios = [_cpu_ratio(r["notes"], MODES[mode]) for r in results]
        if any(ratio is not None for ratio in ratios):
            shown = ", ".join("-" if ratio is None else f"{ratio:.2f}" for ratio in ratios)
            print(f"ratio CPU (benchmark + database backend) {MODES[mode]} / no audit: {shown}")
    for r in results:
        print(f"N={r['grids']:,}: " + ", ".join(f"{k} {v:,}" for k, v in r["notes"].items()))


def _cpu_ratio(notes: dict, label: str) -> float | None:
    """CPU seconds of import+publish in audit mode ``label`` divided by the same without audit."""
    audited, base = notes.get(f"CPU s ({label})"), notes.get("CPU s (no audit)")
    return audited / base if audited is not None and base else None


def _ratio(figures: dict, key: str, label: str) -> float | None:
    """``key`` (or import+publish) in audit mode ``label`` divided by the same without audit."""
    keys = ("import", "publish") if key == "import+publish" else (key,)
    if not all(f"{k} {label}" in figures and f"{k} no audit" in figures for k in keys):
        return None
    return sum(figures[f"{k} {label}"] for k in keys) / sum(figures[f"{k} no audit"] for k in keys)


def validate_only(n: int, options: argparse.Namespace) -> dict:
    """Validation alone at size ``n`` (clean, and jittered up to --jitter-max), with the peak RSS.

    The grids are built by a child process and handed over as a pickle, so the peak RSS measured here
    is that of holding the frames and validating them, not of generating them.
    """
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        path = Path(tmp) / "frames.pickle"
        start = time.perf_counter()
        args = ["--jitter", str(options.jitter), "--jitter-max", str(options.jitter_max)]
        args += ["--exact-max", str(options.exact_max), "--write-frames", str(path)]
        subprocess.run([sys.executable, __file__, "--validate-only", str(n), *args], check=True)
        built = time.perf_counter() - start
        with open(path, "rb") as handle:
            ctx = pickle.load(handle)
    loaded_mb = _rss_mb()
    figures = step_validate(ctx)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    notes = {**ctx.notes, "RSS with the frames loaded MB": round(loaded_mb)}
    return {
        "n": n,
        "grids": len(ctx.clean),
        "build_s": built,
        "figures": figures,
        "notes": notes,
        "peak_rss_mb": peak_mb,
    }


def _rss_mb() -> float:
    """The process's resident memory now (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def write_frames(n: int, options: argparse.Namespace) -> None:
    """Build the frames of size ``n`` and pickle the Context to --write-frames (validate-only's child)."""
    ctx, _ = context(n, options.jitter, options.jitter_max, options.exact_max)
    with open(options.write_frames, "wb") as handle:
        pickle.dump(ctx, handle, protocol=pickle.HIGHEST_PROTOCOL)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="2000,8000,32000,100000")
    parser.add_argument("--steps", default=",".join(STEPS), help=f"comma list of: {', '.join(STEPS)}")
    parser.add_argument("--jitter", type=float, default=2.0, help="metres each vertex of the jittered set moves")
    parser.add_argument("--validate-only", type=int, metavar="N", help="time validation alone at N grids")
    parser.add_argument("--row-max", type=int, default=8000, help="largest N also run with 0009's row trigger")
    parser.add_argument("--fixed-row-max", type=int, default=8000, help="largest N run with the fixed row trigger")
    parser.add_argument("--jitter-max", type=int, default=32000, help="largest N whose jittered copy is validated")
    parser.add_argument("--exact-max", type=int, default=32000, help="largest N validated with the exact checks only")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--write-frames", metavar="PATH", help=argparse.SUPPRESS)  # validate-only's child
    args = parser.parse_args(argv)
    if args.write_frames:
        write_frames(args.validate_only, args)
        return 0
    if args.validate_only:
        result = validate_only(args.validate_only, args)
        print(json.dumps(result) if args.json else _validate_line(result))
        return 0
    steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    unknown = [s for s in steps if s not in STEPS]
    if unknown:
        parser.error(f"--steps: unknown step(s) {', '.join(unknown)}; known: {', '.join(STEPS)}")
    results = run_all([int(s) for s in args.sizes.split(",")], steps, args)
    if args.json:
        print(json.dumps(results))
    else:
        print_table(results)
    return 0


def _validate_line(result: dict) -> str:
    f = result["figures"]
    parts = [f"{result['grids']:,} grids (built in {result['build_s']:.1f}s)"]
    parts += [f"{key} {seconds:.1f}s" for key, seconds in f.items()]
    parts += [
        f"{key} {value:,}" if isinstance(value, int | float) else f"{key} {value}"
        for key, value in result["notes"].items()
    ]
    return ", ".join(parts) + f", peak RSS {result['peak_rss_mb']:,.0f} MB"


def run_all(sizes: list[int], steps: list[str], options: argparse.Namespace) -> list[dict]:
    """Every size in one fresh database (the database steps commit, as a real import does)."""
    from tests.conftest import fresh_database

    actor.install()
    token = actor.act_as(actor.Actor(name="bench_import", source="cli"))
    try:
        with fresh_database("gisgrid_bench_import") as url:
            engine = create_engine(url)
            with Session(engine) as session:
                results = []
                for n in sizes:
                    results.append(run_size(n, steps, session, options))
                    # each size as soon as it is done (stderr): a long run shows its figures as it goes
                    print(json.dumps(results[-1]), file=sys.stderr, flush=True)
            engine.dispose()
    finally:
        actor.reset(token)
    return results


if __name__ == "__main__":
    sys.exit(main())
