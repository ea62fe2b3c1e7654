"""Latency per request kind in each phase, for scripts/bench_load.py ``--probe``.

wrk reports one latency distribution for the whole mix; to see *which* reads slow down while planners
publish and cases move, one sequential client beside wrk GETs the kinds of the mix in turn (a lookup,
a tile, a grid's JSON, a grid page, …, each a random path of that kind from the same list wrk uses) and
files each request's wall time under the running phase. It runs only in the phases it compares (the
mix alone and the mix under writes, not the lookup-only ceiling) and adds one connection with one request
in flight to each alike.
"""

from __future__ import annotations

import random
import statistics
import threading
import time

import requests


class Probe:
    """A thread GETting one path of each kind in turn; ``mark(phase)`` files what follows under ``phase``."""

    def __init__(self, base: str, paths: list[tuple[str, str, str]], phases: tuple[str, ...], seed: int = 1) -> None:
        """``paths``: the mix's (kind, Accept, path) triples (``bench_load.request_paths``)."""
        self.base, self.rng, self.phases = base, random.Random(seed), phases  # it sends nothing in other phases
        self.by_kind: dict[str, list[tuple[str, str]]] = {}
        for kind, accept, path in paths:
            self.by_kind.setdefault(kind, []).append((accept, path))
        self.times: dict[str, dict[str, list[float]]] = {}  # phase → kind → seconds
        self.failures: dict[str, int] = {}
        self._phase: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="latency-probe", daemon=True)

    def start(self) -> Probe:
        self._thread.start()
        return self

    def mark(self, phase: str | None) -> None:
        """Requests that start from now on belong to ``phase`` (None: to no phase)."""
        self._phase = phase

    def stop(self) -> dict:
        """Stop; per phase and kind: requests, p50/p90/max milliseconds (and failures per phase)."""
        self._stop.set()
        self._thread.join(30)
        return {
            phase: {kind: _summary(times) for kind, times in sorted(kinds.items())}
            | {"failures": self.failures.get(phase, 0)}
            for phase, kinds in self.times.items()
        }

    def _run(self) -> None:
        http = requests.Session()
        kinds = sorted(self.by_kind)
        turn = 0
        while not self._stop.is_set():
            phase, kind = self._phase, kinds[turn % len(kinds)]
            if phase not in self.phases:
                time.sleep(0.05)
                continue
            turn += 1
            accept, path = self.rng.choice(self.by_kind[kind])
            t0 = time.perf_counter()
            try:
                ok = http.get(self.base + path, headers={"Accept": accept}, timeout=30).status_code in (200, 304)
            except requests.RequestException:
                ok = False
            if phase != self._phase:
                continue  # the phase changed while the request ran: it belongs to neither
            if ok:
                self.times.setdefault(phase, {}).setdefault(kind, []).append(time.perf_counter() - t0)
            else:
                self.failures[phase] = self.failures.get(phase, 0) + 1


def _summary(times: list[float]) -> dict:
    ms = sorted(t * 1000 for t in times)
    p90 = ms[min(len(ms) - 1, int(0.9 * len(ms)))]
    return {"n": len(ms), "p50_ms": statistics.median(ms), "p90_ms": p90, "max_ms": ms[-1]}


def table(phases: dict) -> str:
    """Per kind: the probe's p50 / p90 ms in each phase, side by side."""
    names = list(phases)
    kinds = sorted({k for p in phases.values() for k in p if k != "failures"})
    rows = ["probe (one sequential client), p50 / p90 ms: " + " | ".join(f"{n:>17}" for n in names)]
    for kind in kinds:
        cells = []
        for name in names:
            s = phases[name].get(kind)
            cells.append(f"{s['p50_ms']:7.1f} / {s['p90_ms']:7.1f}" if s else f"{'-':>17}")
        rows.append(f"  {kind:<10} " + " | ".join(cells))
    rows.append("  failures   " + " | ".join(f"{phases[n]['failures']:>17}" for n in names))
    return "\n".join(rows)
