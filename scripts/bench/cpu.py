"""CPU seconds per process kind during each phase of a benchmark, from /proc (Linux), for scripts/bench_load.py.

A thread samples every process's cumulative CPU time (utime + stime of /proc/<pid>/stat) twice a second
and files it under a kind: gunicorn master / worker, ``gisgrid worker`` (and its RQ scheduler child), wrk,
the benchmark process itself (the writer threads), PostgreSQL backends of the bench database by the
process at the other end of their connection (from ``ss -tnp``), and everything else on the machine
(other sessions: the noise). A phase's figure per kind is the CPU its processes used between two marks;
a process born in the phase counts from zero. A backend that exits between two samples loses its last
half second (its time goes to the postmaster, shared with every other database).
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from collections import defaultdict

TICK = os.sysconf("SC_CLK_TCK")
_SS = re.compile(r"127\.0\.0\.1:(\d+)\s+127\.0\.0\.1:5432\s+users:\(\(\"[^\"]*\",pid=(\d+)")
_BACKEND_PORT = re.compile(r"127\.0\.0\.1\((\d+)\)")


def _stat(pid: str) -> tuple[int, float, str, float] | None:
    """(parent pid, CPU seconds, command line, CPU seconds of reaped children) of a process; None: gone or a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None
    if not cmd:
        return None  # a zombie (or a kernel thread): its last sample alive stands
    seconds = (int(fields[11]) + int(fields[12])) / TICK
    return int(fields[1]), seconds, cmd, (int(fields[13]) + int(fields[14])) / TICK


class Sampler:
    """Samples in a thread; ``mark(name)`` closes the phase before it; ``phases`` → {phase: {kind: CPU s}}."""

    def __init__(self, database: str, interval: float = 0.5) -> None:
        self.database, self.interval, self.me = database, interval, os.getpid()
        self.phases: dict[str, dict[str, float]] = {}
        self.seconds: dict[str, float] = {}  # wall time of each phase
        self._t0 = time.monotonic()
        self._start: dict[int, float] = {}  # pid → CPU seconds at the phase's start
        self._last: dict[int, tuple[str, float]] = {}  # pid → (kind, CPU seconds) at the latest sample
        self._phase: str | None = None
        self._lock, self._stop = threading.Lock(), threading.Event()
        self._thread = threading.Thread(target=self._run, name="cpu-sampler", daemon=True)

    def start(self) -> Sampler:
        self._thread.start()
        return self

    def mark(self, phase: str | None) -> None:
        """End the running phase (if any) and start ``phase`` (None: just end)."""
        snapshot = self._sample()
        with self._lock:
            if self._phase is not None:
                self.phases[self._phase] = self._totals(snapshot)
                self.seconds[self._phase] = time.monotonic() - self._t0
            self._t0 = time.monotonic()
            self._phase = phase
            self._start = {pid: cpu for pid, (_, cpu) in snapshot.items()}
            self._last = dict(snapshot)

    def stop(self) -> dict[str, dict[str, float]]:
        """End the phase and the thread; → the phases."""
        self.mark(None)
        self._stop.set()
        self._thread.join(5)
        return self.phases

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            snapshot = self._sample()
            with self._lock:
                self._last.update(snapshot)  # a process gone since keeps its last sample

    def _totals(self, snapshot: dict[int, tuple[str, float]]) -> dict[str, float]:
        totals: dict[str, float] = defaultdict(float)
        for pid, (kind, cpu) in {**self._last, **snapshot}.items():
            if kind == _THREAD:  # a live thread: was it there when the phase began?
                kind = f"{kind}: {'pool and main' if pid in self._start else 'started in the phase'}"
            totals[kind] += max(0.0, cpu - self._start.get(pid, 0.0))
        return dict(sorted(totals.items(), key=lambda kv: -kv[1]))

    def _sample(self) -> dict[int, tuple[str, float]]:
        procs = {int(pid): st for pid in os.listdir("/proc") if pid.isdigit() and (st := _stat(pid))}
        kinds = {pid: self._kind(pid, procs) for pid in procs}
        owners = _port_owners()
        out = {}
        for pid, (_, cpu, cmd, reaped) in procs.items():
            kind = kinds[pid]
            if kind == "gunicorn workers":
                out.update(_threads(pid, cpu))  # a thread started in the phase (a resident rebuild) is told apart
                continue
            if kind == "other" and cmd.startswith("postgres: "):
                kind = self._postgres_kind(cmd, kinds, owners)
            elif kind == "other" and "/bin/postgres" in cmd:  # the postmaster: backends that ended, any database
                out[-(1 << 40) - pid] = ("PostgreSQL backends that ended (any database)", reaped)
                kind = "PostgreSQL auxiliary (all databases)"
            out[pid] = (kind, cpu)
        return out

    def _postgres_kind(self, cmd: str, kinds: dict, owners: dict) -> str:
        if f" {self.database} " not in cmd:
            is_backend = _BACKEND_PORT.search(cmd) or " [local]" in cmd
            return "PostgreSQL, other databases" if is_backend else "PostgreSQL auxiliary (all databases)"
        port = _BACKEND_PORT.search(cmd)
        owner = owners.get(int(port.group(1))) if port else None
        return f"PostgreSQL for {kinds.get(owner, 'other')}"

    def _kind(self, pid: int, procs: dict) -> str:
        chain, cur = [], pid
        while cur in procs and cur > 1 and len(chain) < 10:
            chain.append(cur)
            if cur == self.me:
                break
            cur = procs[cur][0]
        if not chain or chain[-1] != self.me:
            return "other"
        if pid == self.me:
            return "bench (writer threads, wrk driver)"
        child = procs[chain[-2]][2]  # the bench's own child this process descends from
        if "gunicorn" in child:
            return "gunicorn master" if pid == chain[-2] else "gunicorn workers"
        if "main()" in child and " worker" in child:
            return "gisgrid worker"
        if child.startswith("wrk"):
            return "wrk"
        return "bench's other children (the sampler's ss)"


_THREAD = "gunicorn worker threads"


def _threads(pid: int, total: float) -> dict[int, tuple[str, float]]:
    """tid (as a negative key, apart from pids) → (kind, CPU seconds) of each thread of a gunicorn worker.

    The process's time minus its live threads' is the time of its threads that ended (under key -pid - 2**32).
    """
    out = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[-int(tid)] = (_THREAD, (int(fields[11]) + int(fields[12])) / TICK)
    out[-pid - (1 << 32)] = (f"{_THREAD}: ended (resident rebuilds)", total - sum(cpu for _, cpu in out.values()))
    return out


def _port_owners() -> dict[int, int]:
    """Local port → pid of the client end of each TCP connection to PostgreSQL on 127.0.0.1:5432."""
    try:
        out = subprocess.run(["ss", "-tnpH"], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    return {int(port): int(pid) for port, pid in _SS.findall(out)}


def table(phases: dict[str, dict[str, float]], seconds: dict[str, float]) -> str:
    """Per kind, CPU seconds in each phase and per second of the phase (1.00/s = one core busy), side by side."""
    names = list(phases)
    kinds = sorted({k for p in phases.values() for k in p}, key=lambda k: -max(p.get(k, 0) for p in phases.values()))
    head = f"{'CPU seconds':<44}" + "".join(f"{n:>18}" for n in names)
    rows = [head]
    for kind in kinds:
        cells = "".join(
            f"{phases[n].get(kind, 0):>9.1f} ({phases[n].get(kind, 0) / seconds[n]:>4.2f}/s)" for n in names
        )
        rows.append(f"{kind:<44}{cells}")
    total = "".join(f"{sum(phases[n].values()):>9.1f} ({sum(phases[n].values()) / seconds[n]:>4.2f}/s)" for n in names)
    rows.append(f"{'all processes':<44}{total}")
    return "\n".join(rows)
