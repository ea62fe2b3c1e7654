"""CPU µs per ``GET /api/v1/lookup`` in process, through the app's WSGI callable (no server, no network).

usage: PYTHONPATH=<checkout> python scripts/bench/cpu_lookup.py DATABASE_URL [--bare] [--ratelimit URI] [-n 3000]

Less sensitive to a loaded machine than req/s: ``time.process_time`` counts this process's CPU only.
Random points of the bench database's data extent (as scripts/bench/lookup.lua draws them), a warm-up
of 300 lookups first; the bare Flask app (scripts/bench/bare_app.py) is the same-run ceiling. Run the
checkouts one after the other (``PYTHONPATH`` picks the code) and compare within one sitting.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text

_EXTENT = "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(geom) e FROM grid) s"


def _points(url: str, n: int, seed: int) -> list[str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        x0, y0, x1, y1 = conn.execute(text(_EXTENT)).one()
    engine.dispose()
    rng = random.Random(seed)
    return [f"lon={rng.uniform(x0, x1):.7f}&lat={rng.uniform(y0, y1):.7f}" for _ in range(n)]


def _app(url: str, bare: bool, ratelimit: str | None):
    if bare:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from bench.bare_app import app

        return app
    from gisgrid import create_app
    from gisgrid.grids import resident

    config = {"DATABASE_URL": url, "RATELIMIT_ENABLED": bool(ratelimit)}
    if ratelimit:
        config |= {"RATELIMIT_STORAGE_URI": ratelimit, "RATELIMIT_LOOKUP": "100000000 per minute"}
    app = create_app(config)
    resident.warm(app)
    return app


def _run(wsgi, queries: list[str]) -> dict:
    statuses: dict[str, int] = {}

    def start_response(status, headers, exc_info=None):
        statuses[status[:3]] = statuses.get(status[:3], 0) + 1

    for query in queries:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/api/v1/lookup",
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
        }
        body = wsgi(environ, start_response)
        b"".join(body)
        getattr(body, "close", lambda: None)()
    return statuses


def main() -> None:
    """Print {"us_cpu_per_lookup", "statuses", ...} as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--bare", action="store_true", help="the bare Flask app instead of gisgrid")
    parser.add_argument("--ratelimit", help="rate limits on, counted in this storage (e.g. redis://127.0.0.1:6379/0)")
    parser.add_argument("-n", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=25)
    args = parser.parse_args()
    app = _app(args.url, args.bare, args.ratelimit)
    queries = _points(args.url, args.n + 300, args.seed)
    _run(app.wsgi_app, queries[:300])  # warm-up: caches, the first connections
    start = time.process_time()
    statuses = _run(app.wsgi_app, queries[300:])
    used = time.process_time() - start
    label = "bare" if args.bare else "gisgrid" + (" +ratelimit" if args.ratelimit else "")
    print(json.dumps({"app": label, "us_cpu_per_lookup": round(used / args.n * 1e6, 1), "statuses": statuses}))


if __name__ == "__main__":
    main()
