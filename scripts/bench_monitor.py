#!/usr/bin/env python
"""Benchmark the HJ 212 receiver: N simulated stations send minute data over TCP; against a bare COPY.

In one run, on a dedicated database (``gisgrid_bench_monitor``, from ``gisgrid_template``):

* receiver -- ``gisgrid monitor serve`` in its own process; N stations (one TCP connection each, in
              this process, asyncio) each send M minute packets (CN=2051, P pollutants each, Flag 5)
              the way a data logger does: the next packet after the previous one's 9014 response.
              Every pollutant has a minute limit, so the exceedance check runs on every value.
              Reported: values and packets stored per second (all acknowledged = all committed),
              latency from sending a packet to its acknowledgement (p50/p99, client clock) and to
              its rows' ``stored_at`` (p50/p99, database clock, same machine), and the CPU seconds of
              the receiver process and of its PostgreSQL backends (found by application_name), from
              /proc: on a shared machine wall-clock rates depend on the other load, CPU per value does not.
* baseline -- the same rows written by one process with one psycopg2 ``COPY`` into a plain table
              of the same columns and primary key (no framing, parsing, checks or partitions):
              the floor of what storing these rows costs (its CPU: this process's COPY + its backend).

    .venv/bin/python scripts/bench_monitor.py [--stations 500] [--minutes 20] [--pollutants 10] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg2
from sqlalchemy import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from bench_lookup import _admin, create_database  # noqa: E402

from gisgrid.monitoring import codec  # noqa: E402

LOCAL = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 6, 1, 8, 0)
CODES = ["a21026", "a21002", "a34013", "a19001", "a01011", "a01012", "a01013", "a01014", "a00000", "a21005"]


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--stations", type=int, default=500)
    p.add_argument("--minutes", type=int, default=20, help="minute packets per station")
    p.add_argument("--pollutants", type=int, default=10, help="values per packet (at most 10)")
    p.add_argument("--flush-values", type=int, default=2000)
    p.add_argument("--flush-ms", type=int, default=200)
    p.add_argument("--port", type=int, default=19212)
    p.add_argument("--db", default="gisgrid_bench_monitor")
    p.add_argument("--keep-db", action="store_true")
    p.add_argument("--json", action="store_true", help="print the report as JSON only")
    return p.parse_args(argv)


def _dsn(url: str) -> str:
    u = make_url(url)
    return f"host={u.host} port={u.port or 5432} dbname={u.database} user={u.username} password={u.password}"


def register_stations(dsn: str, stations: int, codes: list[str]) -> None:
    """One source and ``stations`` stations (MN BENCH00000…, PW pw), each with a minute limit per code."""
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO pollution_source (code, name, kind, supervision_class, class_reason, location)"
            " VALUES ('BENCH', '基准测试企业', 'enterprise', 'B', 'bench', ST_SetSRID(ST_MakePoint(116.37, 39.91), 4326))"
            " RETURNING id"
        )
        source_id = cur.fetchone()[0]
        cur.execute(
            "INSERT INTO monitor_station (source_id, mn, name, password, medium, location, interval_s)"
            " SELECT %s, 'BENCH' || lpad(n::text, 5, '0'), '排口' || n, 'pw', 'gas',"
            " ST_SetSRID(ST_MakePoint(116.37, 39.91), 4326), 600 FROM generate_series(0, %s - 1) n",
            (source_id, stations),
        )
        cur.execute(
            "INSERT INTO monitor_limit (station_id, pollutant, unit, period, limit_value)"
            " SELECT s.id, c, 'mg/m3', 'minute', 1000 FROM monitor_station s, unnest(%s::text[]) c",
            (codes,),
        )


def _values(station: int, minute: int, codes: list[str]) -> dict:
    return {c: {"Avg": float((station + minute + i) % 97), "Flag": "N"} for i, c in enumerate(codes)}


async def _station(port: int, n: int, minutes: int, codes: list[str], sent: dict, acked: dict) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    framer = codec.Framer()
    try:
        for minute in range(minutes):
            when = START + timedelta(minutes=minute)
            raw = codec.build_data(f"BENCH{n:05d}", "pw", "2051", when, _values(n, minute, codes), qn=f"{n}-{minute}")
            sent[(n, minute)] = time.time()
            writer.write(raw)
            await writer.drain()
            items: list = []
            while not items:
                data = await reader.read(4096)
                if not data:
                    raise ConnectionError(f"station {n}: closed before the response")
                items = framer.feed(data)
            acked[(n, minute)] = time.time()
    finally:
        writer.close()


async def run_clients(port: int, stations: int, minutes: int, codes: list[str]) -> tuple[dict, dict]:
    """Every station sends its minutes; returns send and acknowledgement times per (station, minute)."""
    sent: dict = {}
    acked: dict = {}
    await asyncio.gather(*(_station(port, n, minutes, codes, sent, acked) for n in range(stations)))
    return sent, acked


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (from /proc/<pid>/stat; 0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


APP_NAME = "gisgrid-bench-receiver"


def backend_cpu(dsn: str, where: str = f"application_name = '{APP_NAME}'") -> dict[int, float]:
    """CPU seconds of the PostgreSQL backends matching ``where`` (pg_stat_activity), by pid."""
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(f"SELECT pid FROM pg_stat_activity WHERE {where}")
        return {pid: cpu_seconds(pid) for (pid,) in cur.fetchall()}


def wait_listening(port: int, proc: subprocess.Popen) -> None:
    """Wait until the receiver accepts connections (or died)."""
    import socket

    deadline = time.monotonic() + 180  # start-up imports the whole app: slow on a loaded machine
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"receiver exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("receiver did not start listening")


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of values, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def stored_latencies(dsn: str, sent: dict) -> list[float]:
    """Seconds from sending each packet to its rows' stored_at (the latest row of the packet)."""
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT substr(s.mn, 6)::int, v.data_time, extract(epoch FROM max(v.stored_at))"
            " FROM monitor_value v JOIN monitor_station s ON s.id = v.station_id GROUP BY 1, 2"
        )
        rows = cur.fetchall()
    start = START.replace(tzinfo=LOCAL)
    out = []
    for n, data_time, stored in rows:
        minute = int((data_time - start).total_seconds() // 60)
        out.append(float(stored) - sent[(n, minute)])
    return out


def count_rows(dsn: str) -> int:
    """Values in monitor_value."""
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM monitor_value")
        return cur.fetchone()[0]


def receiver_run(args, url: str, codes: list[str]) -> dict:
    """Start the receiver process, run the stations, measure."""
    named = make_url(url).update_query_dict({"application_name": APP_NAME}).render_as_string(hide_password=False)
    env = dict(os.environ, GISGRID_DATABASE_URL=named, GISGRID_MONITOR_FLUSH_VALUES=str(args.flush_values))
    env["GISGRID_MONITOR_FLUSH_MS"] = str(args.flush_ms)
    cmd = [sys.executable, "-m", "gisgrid.cli", "monitor", "serve", "--port", str(args.port)]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_listening(args.port, proc)
        cpu0, db0, t0 = cpu_seconds(proc.pid), backend_cpu(_dsn(url)), time.time()
        sent, acked = asyncio.run(run_clients(args.port, args.stations, args.minutes, codes))
        wall, cpu = time.time() - t0, cpu_seconds(proc.pid) - cpu0
        db1 = backend_cpu(_dsn(url))
        db_cpu = sum(v - db0.get(pid, 0.0) for pid, v in db1.items())
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=60)
    packets = len(acked)
    ack = [acked[k] - sent[k] for k in acked]
    stored = stored_latencies(_dsn(url), sent)
    return {
        "stations": args.stations,
        "packets": packets,
        "values": packets * len(codes),
        "rows_in_db": count_rows(_dsn(url)),
        "seconds": round(wall, 3),
        "values_per_s": round(packets * len(codes) / wall),
        "packets_per_s": round(packets / wall),
        "ack_latency_ms": {"p50": round(percentile(ack, 0.5) * 1000, 1), "p99": round(percentile(ack, 0.99) * 1000, 1)},
        "stored_latency_ms": {
            "p50": round(percentile(stored, 0.5) * 1000, 1),
            "p99": round(percentile(stored, 0.99) * 1000, 1),
        },
        "receiver_cpu_share_of_one_core": round(cpu / wall, 3),
        "receiver_cpu_s": round(cpu, 2),
        "database_cpu_s": round(db_cpu, 2),
        "values_per_cpu_s": round(packets * len(codes) / max(cpu + db_cpu, 1e-6)),
        "receiver_log_tail": err.strip().splitlines()[-1:] if err else [],
    }


def baseline_run(dsn: str, stations: int, minutes: int, codes: list[str]) -> dict:
    """The same rows, one bare COPY from this process into a plain table of the same shape."""
    buf = io.StringIO()
    for n in range(stations):
        for minute in range(minutes):
            when = (START + timedelta(minutes=minute)).replace(tzinfo=LOCAL).isoformat()
            for code, v in _values(n, minute, codes).items():
                buf.write(f"{n + 1}\t{code}\t2051\t{when}\t\\N\t{v['Avg']!r}\t\\N\t\\N\t\\N\tN\n")
    rows = stations * minutes * len(codes)
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(
            "CREATE TABLE bench_baseline (station_id int, pollutant text, cn smallint, data_time timestamptz,"
            " rtd float8, avg float8, min float8, max float8, cou float8, flag text,"
            " stored_at timestamptz NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (station_id, pollutant, cn, data_time))"
        )
        conn.commit()
        cur.execute("SELECT pg_backend_pid()")
        backend = cur.fetchone()[0]
        t0, cpu0, db0 = time.time(), time.process_time(), cpu_seconds(backend)
        buf.seek(0)
        cur.copy_expert(
            "COPY bench_baseline (station_id, pollutant, cn, data_time, rtd, avg, min, max, cou, flag) FROM STDIN", buf
        )
        conn.commit()
        wall, cpu, db_cpu = time.time() - t0, time.process_time() - cpu0, cpu_seconds(backend) - db0
    return {
        "values": rows,
        "seconds": round(wall, 3),
        "values_per_s": round(rows / wall),
        "client_cpu_s": round(cpu, 2),
        "database_cpu_s": round(db_cpu, 2),
        "values_per_cpu_s": round(rows / max(cpu + db_cpu, 1e-6)),
    }


def main(argv=None) -> int:
    """Run both measurements and print them side by side."""
    args = parse_args(argv)
    codes = CODES[: max(1, min(args.pollutants, len(CODES)))]
    url = create_database(args.db)
    try:
        register_stations(_dsn(url), args.stations, codes)
        report = {"load_average_before": os.getloadavg()[0], "cpus": os.cpu_count()}
        report["receiver"] = receiver_run(args, url, codes)
        report["baseline_copy"] = baseline_run(_dsn(url), args.stations, args.minutes, codes)
        report["load_average_after"] = os.getloadavg()[0]
    finally:
        if not args.keep_db:
            _admin(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    r, b = report["receiver"], report["baseline_copy"]
    print(f"{r['stations']} stations × {args.minutes} minute packets × {len(codes)} pollutants = {r['values']} values")
    print(f"{'':28}{'receiver (TCP→DB)':>20}{'baseline (bare COPY)':>22}")
    print(f"{'values stored per second':28}{r['values_per_s']:>20}{b['values_per_s']:>22}")
    print(f"{'packets stored per second':28}{r['packets_per_s']:>20}{'':>22}")
    print(f"{'values per CPU-second':28}{r['values_per_cpu_s']:>20}{b['values_per_cpu_s']:>22}")
    print(f"{'  of which process CPU s':28}{r['receiver_cpu_s']:>20}{b['client_cpu_s']:>22}")
    print(f"{'  of which PostgreSQL CPU s':28}{r['database_cpu_s']:>20}{b['database_cpu_s']:>22}")
    print(f"{'seconds':28}{r['seconds']:>20}{b['seconds']:>22}")
    print(f"ack latency p50/p99: {r['ack_latency_ms']['p50']} / {r['ack_latency_ms']['p99']} ms (send → 9014)")
    print(f"stored latency p50/p99: {r['stored_latency_ms']['p50']} / {r['stored_latency_ms']['p99']} ms (send → row)")
    print(f"receiver CPU: {r['receiver_cpu_share_of_one_core']:.0%} of one core")
    load = f"{report['load_average_before']:.1f} → {report['load_average_after']:.1f}"
    print(f"machine: {report['cpus']} CPUs, 1-minute load average {load} (other work shares the cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
