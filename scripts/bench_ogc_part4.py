"""Time what issue 26's Part 4 follow-up added to a draft feature's requests, in a fresh database (world C).

In-process (Flask test client, one API token), alternating rounds in the same run:

* GET of a draft feature with ``Last-Modified`` (one more indexed lookup) beside the same GET without it
  (the lookup stubbed out: the request as it was before) — the baseline;
* PATCH with an ``If-Match`` list of three tags, and with ``If-Unmodified-Since``, beside a PATCH with one tag.

Printed: milliseconds per request (median round; a first warm-up round is dropped) and the ratio to the
baseline. Every PATCH first GETs the feature (its ETag), as a client does, so the PATCH figures include one GET.
    .venv/bin/python scripts/bench_ogc_part4.py [--requests 200] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import fresh_database  # noqa: E402


def _world(app) -> tuple[int, dict]:
    """World C, its draft and an admin's bearer header."""
    from gisgrid.auth import service as auth_service
    from gisgrid.db import db
    from gisgrid.editor import drafts
    from gisgrid.tokens import service as tokens
    from tests import editor_world

    with app.app_context(), db.new_session() as session, tempfile.TemporaryDirectory() as tmp:
        editor_world.load(session, Path(tmp))
        draft = drafts.open_draft(session, "bench")
        admin = auth_service.create_user(session, "bench_admin", "bench-password-1A!", "admin")
        return draft, {"Authorization": f"Bearer {tokens.create(session, admin, 'bench', 30)[1]}"}


def _ms(n: int, request) -> float:
    start = time.perf_counter()
    for _ in range(n):
        resp = request()
        assert resp.status_code in (200, 204), resp.get_data(as_text=True)
    return (time.perf_counter() - start) / n * 1000


def _cases(client, draft: int, auth: dict) -> dict:
    """name → (request, is it the baseline of its group)."""
    url = f"/ogc/collections/draft-{draft}-grids/items/V12"

    def tag() -> str:
        return client.get(url, headers=auth).headers["ETag"]

    def patch(**headers):
        return client.patch(url, json={"properties": {"leader_name": "基准"}}, headers={**auth, **headers})

    far = "Fri, 01 Jan 2100 00:00:00 GMT"
    return {
        "GET (without Last-Modified: before)": lambda: client.get(url, headers=auth),
        "GET (with Last-Modified)": lambda: client.get(url, headers=auth),
        "PATCH If-Match one tag (baseline)": lambda: patch(**{"If-Match": tag()}),
        "PATCH If-Match list of 3": lambda: patch(**{"If-Match": f'W/"x", "v{draft}-999", {tag()}'}),
        "PATCH If-Unmodified-Since": lambda: (client.get(url, headers=auth), patch(**{"If-Unmodified-Since": far}))[1],
    }


def main(argv=None) -> None:
    """Build the world, run the alternating rounds, print the table."""
    args = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    args.add_argument("--requests", type=int, default=200)
    args.add_argument("--rounds", type=int, default=3)
    opts = args.parse_args(argv)
    from gisgrid import create_app
    from gisgrid.ogc import routes

    with fresh_database("gisgrid_bench_part4") as url:
        app = create_app({"DATABASE_URL": url, "RATELIMIT_ENABLED": False})
        draft, auth = _world(app)
        client, real = app.test_client(), routes.preconditions.last_modified
        times: dict[str, list[float]] = {}
        for _ in range(opts.rounds + 1):  # the first round warms up (imports, caches, connections): not counted
            for name, request in _cases(client, draft, auth).items():
                routes.preconditions.last_modified = (lambda *a: None) if "before" in name else real
                n = opts.requests if name.startswith("GET") else max(opts.requests // 4, 10)
                times.setdefault(name, []).append(_ms(n, request))
        routes.preconditions.last_modified = real
    _report({name: statistics.median(v[1:]) for name, v in times.items()})


def _report(ms: dict[str, float]) -> None:
    names = list(ms)
    print(f"{'request':44} {'ms':>8} {'÷ baseline':>11}")
    for name in names:
        base = ms[names[0]] if name.startswith("GET") else ms[names[2]]
        print(f"{name:44} {ms[name]:8.2f} {ms[name] / base:10.2f}×")


if __name__ == "__main__":
    main()
