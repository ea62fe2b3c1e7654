"""The summary table of scripts/bench_lookup.py: every figure beside its same-run baseline and its target."""

from __future__ import annotations

from bench import memory

TARGETS = {
    "http_vs_bare": 0.75,
    "http_p99_ms": 10.0,
    "batch_pts_s": 500_000.0,
    "batch_vs_peer": 0.6,
    "batch_csv_pts_s": 300_000.0,
    "batch_geojson_pts_s": 150_000.0,
}


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def summarise(results: dict) -> list[tuple]:
    """(measurement, figure, target, pass/fail, same-run comparison) rows."""
    base = results["baseline"]["qps"]
    http = results["http"]
    return [
        ("build (generate+insert+build+analyze)", _build_figure(results["build"]), "", "", ""),
        ("baseline ST_Covers, 1 connection", f"{base:,.0f} q/s", "", "", "1.00x baseline"),
        *_lookup_rows(http, base),
        *_batch_rows(results["batch"], base),
        *[_batch_http_row(http[f"batch_{fmt}"], fmt) for fmt in ("csv", "geojson")],
        *_memory_rows(http),
        *_other_run_rows(results.get("http_other"), base),
    ]


def _start_rows(http: dict) -> list[tuple]:
    if "start_s" not in http:
        return []
    return [(f"gunicorn start until every worker is ready ({_mode(http)})", f"{http['start_s']:.1f} s", "", "", "")]


def _mode(http: dict) -> str:
    return "preload" if http.get("preload", True) else "no preload"


def _memory_rows(http: dict) -> list[tuple]:
    """Total and per-process PSS after the lookup load and after the batch POSTs."""
    readings = http.get("memory", {})
    return [
        row
        for moment in ("after_lookups", "after_batches")
        if moment in readings
        for row in memory.rows(f"{_mode(http)}, {moment.replace('_', ' ')}", readings[moment])
    ]


def _other_run_rows(http: dict | None, base: float) -> list[tuple]:
    """--compare-preload: the second HTTP phase's lookups and memory (the batch figures stay with the first)."""
    if not http:
        return []
    lookup, bare = http["lookup"], http.get("bare")
    versus = (f"{lookup['rps'] / bare['rps']:.2f}x bare, " if bare else "") + f"{lookup['rps'] / base:.2f}x baseline"
    return [
        *_start_rows(http),
        (f"HTTP lookups ({_mode(http)})", f"{lookup['rps']:,.0f} req/s", "", "", versus),
        (f"HTTP p50 / p99 ({_mode(http)})", f"{lookup['p50_ms']:.2f} / {lookup['p99_ms']:.2f} ms", "", "", ""),
        *_memory_rows(http),
    ]


def _lookup_rows(http: dict, base: float) -> list[tuple]:
    lookup, bare = http["lookup"], http.get("bare")
    unexpected = lookup["errors"] + lookup["socket_errors"]
    rows = _start_rows(http)
    if bare:
        rows.append(("bare Flask ceiling (same gunicorn, wrk)", f"{bare['rps']:,.0f} req/s", "", "", "1.00x bare"))
        rows.append(("bare ceiling p99", f"{bare['p99_ms']:.2f} ms", "", "", ""))
    vs_bare = lookup["rps"] / bare["rps"] if bare else None
    rows.append(
        (
            f"HTTP lookups ({_mode(http)})",
            f"{lookup['rps']:,.0f} req/s",
            f">= {TARGETS['http_vs_bare']:.2f}x bare",
            _verdict(vs_bare is not None and vs_bare >= TARGETS["http_vs_bare"]),
            (f"{vs_bare:.2f}x bare, " if vs_bare else "") + f"{lookup['rps'] / base:.2f}x baseline",
        )
    )
    rows.append(("HTTP p50", f"{lookup['p50_ms']:.2f} ms", "", "", ""))
    ok_p99 = lookup["p99_ms"] <= TARGETS["http_p99_ms"]
    rows.append(("HTTP p99", f"{lookup['p99_ms']:.2f} ms", f"<= {TARGETS['http_p99_ms']:g} ms", _verdict(ok_p99), ""))
    statuses = lookup["statuses"]
    not_found = statuses.get(404, statuses.get("404", 0))
    rows.append(
        (
            "HTTP 404 (outside) / other errors",
            f"{not_found:,} / {unexpected:,}",
            "0 errors",
            _verdict(unexpected == 0),
            "",
        )
    )
    return rows


def _batch_rows(bat: dict, base: float) -> list[tuple]:
    peer = bat["peer"]["pts_s"]
    return [
        (
            "batch index " + ("load of the prepared file" if bat.get("index_from_file") else "build (in process)"),
            f"{bat['index_build_s']:.2f} s",
            "",
            "",
            f"{bat['geos_share']:.1%} of points to GEOS" if "geos_share" in bat else "",
        ),
        ("shapely peer STRtree covered_by (leaf parts)", f"{peer:,.0f} pts/s", "", "", "1.00x peer"),
        (
            "batch PartIndex.assign",
            f"{bat['pts_s']:,.0f} pts/s",
            f">= {TARGETS['batch_pts_s']:,.0f}",
            _verdict(bat["pts_s"] >= TARGETS["batch_pts_s"]),
            f"{bat['pts_s'] / base:.2f}x baseline",
        ),
        (
            "batch assign vs shapely peer",
            f"{bat['pts_s'] / peer:.2f}x",
            f">= {TARGETS['batch_vs_peer']:.2f}x peer",
            _verdict(bat["pts_s"] / peer >= TARGETS["batch_vs_peer"]),
            f"{bat['pts_s'] / peer:.2f}x peer",
        ),
    ]


def _batch_http_row(result: dict, fmt: str) -> tuple:
    label = f"batch HTTP POST {fmt}, {result['points']:,} pts"
    target = TARGETS[f"batch_{fmt}_pts_s"]
    if "error" in result:
        return (label, "ERROR: " + result["error"][:60].replace("\n", " "), f">= {target:,.0f}", "FAIL", "")
    return (label, f"{result['pts_s']:,.0f} pts/s", f">= {target:,.0f}", _verdict(result["pts_s"] >= target), "")


def _build_figure(build: dict) -> str:
    if not build:
        return "reused"
    return (
        f"{build['total_s']:.1f} s (generate {build['generate_s']:.0f}, insert {build['insert_s']:.0f}, "
        f"build_version {build['build_version_s']:.0f}, analyze {build['analyze_s']:.0f})"
    )


def print_table(results: dict) -> None:
    """The summary table on stdout."""
    info = results["database"]
    print(
        f"\n{info['grids']:,} grids ({info['parts']:,} lookup parts) in {results['db']}; "
        f"gunicorn {results['http']['gunicorn']}; client {results['http']['lookup']['client']}"
    )
    rows = [("measurement", "figure", "target", "result", "same run")] + summarise(results)
    widths = [max(len(str(r[i])) for r in rows) for i in range(5)]
    for n, row in enumerate(rows):
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
    agree = results["agreement"]
    print(
        f"\nbaseline vs PartIndex agreement on {agree['points']:,} points: {agree['share']:.4%}; "
        f"share of points inside a grid: {results['batch']['inside_share']:.2%}"
    )
