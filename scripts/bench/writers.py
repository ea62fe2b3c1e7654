"""Write load for scripts/bench_load.py: planners publishing versions and dispatchers working cases, over HTTP."""

from __future__ import annotations

import random
import re
import threading
import time
from dataclasses import dataclass, field

import requests

DEMO_PASSWORD = "gisgrid-demo-1"
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@dataclass
class Tally:
    """Operations done and errors seen by one writer (errors keep their first messages)."""

    ops: int = 0
    errors: int = 0
    messages: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ok(self) -> None:
        with self.lock:
            self.ops += 1

    def fail(self, message: str) -> None:
        with self.lock:
            self.errors += 1
            if len(self.messages) < 5:
                self.messages.append(message)


class Client:
    """A requests session logged in through the real /login form, with its CSRF token."""

    def __init__(self, base: str, username: str | None) -> None:
        self.base, self.http = base, requests.Session()
        self.times: dict[str, list[float]] = {}  # seconds of each POST, by path with its ids as {id}
        if username:
            token = self._token("/login")
            resp = self.http.post(
                base + "/login",
                allow_redirects=False,
                timeout=60,
                data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token},
            )
            if resp.status_code != 302:
                raise RuntimeError(f"login of {username} failed: HTTP {resp.status_code}")
        self.token = self._token("/login" if username else "/report")

    def _token(self, path: str) -> str:
        html = self.http.get(self.base + path, timeout=60).text
        match = _CSRF.search(html)
        if not match:
            raise RuntimeError(f"no CSRF token on {path}")
        return match.group(1)

    def post(self, path: str, expect: int = 200, **kwargs) -> requests.Response:
        """POST with the CSRF header; RuntimeError unless the status is ``expect``."""
        t0 = time.perf_counter()
        resp = self.http.post(self.base + path, headers={"X-CSRFToken": self.token}, timeout=120, **kwargs)
        self.times.setdefault(re.sub(r"/\d+", "/{id}", path), []).append(time.perf_counter() - t0)
        if resp.status_code != expect:
            raise RuntimeError(f"POST {path}: HTTP {resp.status_code} {resp.text[:200]}")
        return resp


def planner_cycle(planner: Client) -> int:
    """Open a draft of the published boundaries, publish it, then roll back to the version it replaced."""
    before = _published_id(planner)
    t0 = time.perf_counter()
    page = planner.http.post(planner.base + "/editor/drafts", data={"csrf_token": planner.token}, timeout=120)
    planner.times.setdefault("/editor/drafts (and its page)", []).append(time.perf_counter() - t0)
    match = re.search(r"/editor/drafts/(\d+)$", page.url)
    if page.status_code != 200 or not match:
        raise RuntimeError(f"open draft: HTTP {page.status_code} at {page.url}")
    planner.post(f"/api/v1/editor/drafts/{match.group(1)}/publish", json={})
    planner.post(f"/api/v1/editor/versions/{before}/rollback", json={})
    return 2  # two publications


def _published_id(client: Client) -> int:
    resp = client.http.get(client.base + "/api/v1/lookup?lon=116.3760&lat=39.9208", timeout=60)
    resp.raise_for_status()
    return int(resp.json()["version"]["id"])


def dispatcher_cycle(citizen: Client, dispatcher: Client, points: list, rng: random.Random) -> int:
    """A citizen reports a case at a random point of the county; the dispatcher registers and dispatches it."""
    lon, lat = rng.choice(points)
    case = citizen.post(
        "/api/v1/incidents",
        expect=201,
        data={"category": "dust", "description": "压测：工地渣土未覆盖", "lon": f"{lon:.7f}", "lat": f"{lat:.7f}"},
    ).json()
    for action in ("register", "dispatch"):
        dispatcher.post(f"/api/v1/incidents/{case['id']}/actions/{action}", json={})
    return 3  # three case writes


class WriteLoad:
    """Planner and dispatcher threads looping until ``stop()``; errors are counted, never raised."""

    def __init__(
        self,
        base: str,
        points: list,
        planners: int = 1,
        dispatchers: int = 2,
        seed: int = 1,
        planner_pause: float = 1.0,
    ) -> None:
        self.base, self.points, self.seed, self.planner_pause = base, points, seed, planner_pause
        self.tallies = {"publish": Tally(), "case": Tally()}
        self.clients: list[Client] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._planner, daemon=True) for _ in range(planners)]
        self._threads += [threading.Thread(target=self._dispatcher, args=(i,), daemon=True) for i in range(dispatchers)]

    def start(self) -> WriteLoad:
        for t in self._threads:
            t.start()
        return self

    def stop(self) -> dict:
        """Stop the writers; per kind: operations and errors."""
        self._stop.set()
        for t in self._threads:
            t.join(180)
        return {kind: {"ops": t.ops, "errors": t.errors, "messages": t.messages} for kind, t in self.tallies.items()}

    def request_times(self) -> dict[str, tuple[int, float]]:
        """Per POST path (ids as {id}): how many, and their mean seconds."""
        merged: dict[str, list[float]] = {}
        for client in self.clients:
            for path, times in client.times.items():
                merged.setdefault(path, []).extend(times)
        return {path: (len(t), sum(t) / len(t)) for path, t in sorted(merged.items())}

    def _loop(self, tally: Tally, make, cycle, pause: float = 0.0) -> None:
        try:
            state = make()
            self.clients += [c for c in state if isinstance(c, Client)]
        except Exception as err:  # noqa: BLE001 -- a writer that cannot even log in is an error to report
            tally.fail(f"setup: {err}")
            return
        while not self._stop.is_set():
            try:
                n = cycle(*state)
            except Exception as err:  # noqa: BLE001 -- every failure is counted
                tally.fail(str(err))
                time.sleep(0.2)
            else:
                for _ in range(n):
                    tally.ok()
                self._stop.wait(pause)

    def _planner(self) -> None:
        self._loop(self.tallies["publish"], lambda: (Client(self.base, "planner"),), planner_cycle, self.planner_pause)

    def _dispatcher(self, i: int) -> None:
        def make():
            return Client(self.base, None), Client(self.base, "dispatcher"), self.points, random.Random(self.seed + i)

        self._loop(self.tallies["case"], make, dispatcher_cycle)
