"""The lookup's WSGI fast path (grids/lookup_wsgi.py) answers exactly as the Flask path, and only when it may.

Each request is sent twice: through the app's WSGI stack (where the fast path answers the plain anonymous
lookup) and straight to the Flask app it wraps (``FastLookup.inner``, the pipeline as before). Status,
body bytes and headers must be equal; a counter around the inner app tells which path answered.
"""

from __future__ import annotations

import json
import logging
import random
import uuid

import pytest
from werkzeug.test import Client

from gisgrid.grids import lookup_wsgi
from tests import unit_grid_world, worlds
from tests.helpers import bearer_header, limited_app

REDIS = "redis://127.0.0.1:6379/0"


class Counted:
    """The Flask app behind the fast path, counting the requests that reach it."""

    def __init__(self, inner) -> None:
        self.inner, self.calls = inner, 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.inner(environ, start_response)


def _fast(application) -> lookup_wsgi.FastLookup:
    layer = application.wsgi_app
    while not isinstance(layer, lookup_wsgi.FastLookup):
        layer = layer.app  # ProxyFix, when TRUSTED_PROXIES is set
    return layer


@pytest.fixture()
def paths(app):
    """(through the fast path, straight to Flask, the counter of requests that reached Flask)."""
    fast = _fast(app)
    counted = fast.inner = Counted(fast.inner)
    return Client(app.wsgi_app, use_cookies=False), Client(counted.inner, use_cookies=False), counted


def _same(a, b):
    assert (a.status, a.get_data()) == (b.status, b.get_data())
    assert list(a.headers.items()) == list(b.headers.items())


def _both(paths, url, **kwargs):
    """Send ``url`` through both; (answers equal? asserted), whether the fast path answered it."""
    via_stack, flask_only, counted = paths
    before = counted.calls
    fast = via_stack.open(url, **kwargs)
    reached_flask = counted.calls > before
    _same(fast, flask_only.open(url, **kwargs))
    return fast, not reached_flask


def _random_points(rng, box, n):
    (x0, y0), (x1, y1) = box
    return [(rng.uniform(x0, x1), rng.uniform(y0, y1)) for _ in range(n)]


def test_world_ab_random_points_give_the_same_bytes_and_headers(paths, world_ab):
    rng, answered = random.Random(25), 0
    for x, y in _random_points(rng, ((-300, -300), (4300, 1300)), 150):
        lon, lat = worlds.wgs84(x, y)
        near = rng.choice(("", "&near=0", "&near=5", "&near=120.5"))
        resp, fast = _both(paths, f"/api/v1/lookup?lon={lon!r}&lat={lat!r}{near}")
        answered += fast
        assert not fast or resp.status_code == 200
    assert answered > 40  # many random points are inside a grid and far from any other


def test_projected_input_and_world_e_edges_give_the_same_bytes(paths, world_ab, world_e):
    # world E is the published one now (WGS84 squares sharing edges at multiples of 0.005°)
    rng, answered = random.Random(7), 0
    for lon, lat in _random_points(rng, ((115.99, 38.99), (116.03, 39.02)), 80):
        _, fast = _both(paths, f"/api/v1/lookup?lon={lon:.6f}&lat={lat:.6f}&near=0")
        answered += fast
    for lon, lat in [(116.005, 39.005), (116.0, 39.0), (116.01, 39.01)]:  # on edges and corners
        _both(paths, f"/api/v1/lookup?lon={lon}&lat={lat}&near=0")
    resp, _ = _both(paths, "/api/v1/lookup?x=39500000&y=4320000&crs=EPSG:4528")
    assert resp.status_code in (200, 404)
    assert answered > 8


def test_unit_grids_give_the_same_bytes(paths, session, tmp_path):
    unit_grid_world.import_world(session, tmp_path)
    rng, with_units = random.Random(3), 0
    for x, y in _random_points(rng, ((0, 0), (2000, 1000)), 80):
        resp, fast = _both(paths, "/api/v1/lookup?lon={!r}&lat={!r}".format(*worlds.wgs84(x, y)))
        with_units += fast and json.loads(resp.get_data())["unit_grids"] != []
    assert with_units > 0


def test_head_sends_the_headers_only(paths, world_ab):
    url = "/api/v1/lookup?lon={!r}&lat={!r}".format(*worlds.wgs84(1500, 500))
    resp, fast = _both(paths, url, method="HEAD")
    assert fast and resp.get_data() == b""
    get = paths[0].get(url)
    assert resp.headers["Content-Length"] == str(len(get.get_data())) and list(resp.headers) == list(get.headers)


def test_a_fast_answer_carries_the_flask_paths_headers_and_no_other(paths, world_ab):
    url = "/api/v1/lookup?lon={!r}&lat={!r}".format(*worlds.wgs84(1500, 500))
    resp, fast = _both(paths, url)
    assert fast and resp.json["grid"]["code"] == "A2a"
    names = {name.lower() for name in resp.headers.keys()}
    assert {"content-type", "content-length", "content-security-policy", "x-content-type-options"} <= names
    assert not [n for n in names if "debug" in n or "fast" in n or n.startswith("x-gisgrid")]


def _flask_answers(paths, url, **kwargs):
    resp, fast = _both(paths, url, **kwargs)
    assert not fast, url
    return resp


def test_cookies_and_tokens_keep_the_flask_path(paths, world_ab, session, make_user):
    url = "/api/v1/lookup?lon={!r}&lat={!r}".format(*worlds.wgs84(1500, 500))
    assert _flask_answers(paths, url, headers={"Cookie": "theme=dark"}).json["grid"]["code"] == "A2a"
    assert _flask_answers(paths, url, headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    token = bearer_header(session, make_user("admin"))
    assert _flask_answers(paths, url, headers=token).json["grid"]["code"] == "A2a"


@pytest.mark.parametrize(
    "query, status, field",
    [
        ("lon=116.4&lat=39.9&at=2020-01-01", 404, None),  # history: SQL (nothing published that day)
        ("lon=116.4&lon=116.5&lat=39.9", None, None),  # a repeated key: webargs' rules
        ("lon=abc&lat=39.9", 400, "lon"),
        ("lon=116.4", 400, "lat"),
        ("lon=116.4&lat=39.9&near=-1", 400, "near"),
        ("lon=116.4&lat=39.9&near=1e9", 400, "near"),
        ("lon=116.4&lat=39.9&crs=EPSG:99999999", 400, None),
        ("lon=116.4&lat=3%009.9", 400, None),
        ("lon=200&lat=39.9", 400, None),
        ("x=1&y=2&crs=" + "E" * 200, 400, "crs"),
    ],
)
def test_what_the_fast_path_does_not_accept_goes_to_flask(paths, world_ab, query, status, field):
    resp = _flask_answers(paths, f"/api/v1/lookup?{query}")
    if status:
        assert resp.status_code == status
    if field:
        assert resp.json["error"]["message"].startswith(f"{field}:")


def test_a_point_near_another_grid_is_measured_by_postgis_on_the_fast_path(paths, world_ab):
    resp, fast = _both(paths, "/api/v1/lookup?lon={!r}&lat={!r}".format(*worlds.wgs84(999.5, 500)))
    assert fast and resp.status_code == 200
    assert [n["code"] for n in resp.json["near_boundary"]]  # lookup.sql measured the neighbour on the spheroid


def test_without_a_resident_version_lookup_sql_answers_on_the_fast_path(paths, world_ab, monkeypatch):
    monkeypatch.setattr(lookup_wsgi.resident, "current", lambda app, wait=False: None)  # e.g. being built
    for x, y in ((1500, 500), (999.5, 500), (3200, 700)):
        resp, fast = _both(paths, "/api/v1/lookup?lon={!r}&lat={!r}".format(*worlds.wgs84(x, y)))
        assert fast and resp.status_code == 200 and resp.json["grid"]["code"]


def test_a_point_outside_every_grid_goes_to_flask(paths, world_ab):
    outside = _flask_answers(paths, "/api/v1/lookup?lon={!r}&lat={!r}".format(*worlds.wgs84(-5000, -5000)))
    assert outside.status_code == 404 and outside.json["error"]["code"] == "not_found"


def test_nothing_published_and_other_methods_go_to_flask(paths):
    assert _flask_answers(paths, "/api/v1/lookup?lon=116.4&lat=39.9").status_code == 404
    assert _flask_answers(paths, "/api/v1/lookup?lon=116.4&lat=39.9", method="POST").status_code == 405
    assert _flask_answers(paths, "/api/v1/lookup/?lon=116.4&lat=39.9").status_code in (308, 404)


def test_with_replicas_every_lookup_goes_to_flask(database_url, connection, world_ab):
    from gisgrid import create_app
    from gisgrid.db import db

    application = create_app(
        {
            "DATABASE_URL": database_url,
            "TESTING": True,
            "RATELIMIT_ENABLED": False,
            "DATABASE_REPLICA_URLS": database_url,
        }
    )
    db.bind_to(connection, app=application, join_transaction_mode="create_savepoint")
    fast = _fast(application)
    counted = fast.inner = Counted(fast.inner)
    url = "/api/v1/lookup?lon={!r}&lat={!r}".format(*worlds.wgs84(1500, 500))
    assert Client(application.wsgi_app, use_cookies=False).get(url).json["grid"]["code"] == "A2a" and counted.calls == 1
    db.dispose(application)


def test_an_unexpected_failure_is_logged_and_answered_by_flask(paths, world_ab, monkeypatch, caplog):
    def broken(self, x, y, crs, radius):
        raise RuntimeError("resident state broken")

    url = "/api/v1/lookup?lon={!r}&lat={!r}".format(*worlds.wgs84(1500, 500))
    via_stack, _, counted = paths
    monkeypatch.setattr(lookup_wsgi.FastLookup, "_document", broken)  # the fast path's own step
    with caplog.at_level(logging.ERROR, logger="gisgrid.grids.lookup_wsgi"):
        resp = via_stack.get(url)
    monkeypatch.undo()
    assert counted.calls == 1 and resp.status_code == 200 and resp.json["grid"]["code"] == "A2a"
    assert "resident state broken" in caplog.text


# --- the shared rate limit, counted in real Redis


@pytest.fixture()
def limited(database_url, connection):
    """An app with rate limits on, "3 per minute" for lookups, counted in Redis."""
    application = limited_app(database_url, connection, REDIS, RATELIMIT_LOOKUP="3 per minute")
    fast = _fast(application)
    fast.inner = Counted(fast.inner)
    yield application, fast.inner
    from gisgrid.db import db

    db.dispose(application)


def _client_address() -> str:
    # a fresh address per test: the counters in Redis outlive the test
    return "10.{}.{}.{}".format(*uuid.uuid4().bytes[:3])


@pytest.mark.parametrize("order", ["fast-first", "flask-first", "alternating"])
def test_both_paths_spend_one_shared_limit(limited, world_ab, order):
    application, counted = limited
    client, address = Client(application.wsgi_app, use_cookies=False), _client_address()
    url = "/api/v1/lookup?lon={!r}&lat={!r}".format(*worlds.wgs84(1500, 500))
    cookie = {"Cookie": "theme=dark"}  # a harmless cookie: the Flask path
    plans = {
        "fast-first": [{}, {}, cookie, {}],
        "flask-first": [cookie, cookie, {}, cookie],
        "alternating": [{}, cookie, {}, cookie],
    }
    answers = []
    for headers in plans[order]:
        before = counted.calls
        resp = client.get(url, headers=headers, environ_base={"REMOTE_ADDR": address})
        answers.append((resp, counted.calls == before))
    assert [r.status_code for r, _ in answers] == [200, 200, 200, 429]
    assert [fast for _, fast in answers[:3]] == [not h for h in plans[order][:3]]
    assert [r.headers["X-RateLimit-Remaining"] for r, _ in answers[:3]] == ["2", "1", "0"]
    for resp, _ in answers[:3]:
        assert resp.headers["X-RateLimit-Limit"] == "3" and int(resp.headers["Retry-After"]) >= 0
    fast_names = list(next(r for r, fast in answers if fast).headers.keys())
    flask_names = list(next(r for r, fast in answers[:3] if not fast).headers.keys())
    assert fast_names == flask_names


def test_over_the_limit_the_fast_path_hands_over_and_flask_answers_429(limited, world_ab):
    application, counted = limited
    client, address = Client(application.wsgi_app, use_cookies=False), _client_address()
    url = "/api/v1/lookup?lon={!r}&lat={!r}".format(*worlds.wgs84(1500, 500))
    for _ in range(3):
        assert client.get(url, environ_base={"REMOTE_ADDR": address}).status_code == 200
    assert counted.calls == 0
    resp = client.get(url, environ_base={"REMOTE_ADDR": address})
    assert resp.status_code == 429 and resp.json["error"]["code"] == "rate_limited" and counted.calls == 1
    other = client.get(url, environ_base={"REMOTE_ADDR": _client_address()})
    assert other.status_code == 200 and counted.calls == 1  # another client's own counter


def test_the_counter_is_flask_limiters_own_key(limited, world_ab):
    # flask-limiter's own hits (the Flask path) move the counter ratelimit.counter_args names
    from gisgrid import ratelimit
    from gisgrid.extensions import limiter

    application, _ = limited
    assert type(limiter.storage).__name__ == "RedisStorage"
    client, address = Client(application.wsgi_app, use_cookies=False), _client_address()
    url = "/api/v1/lookup?lon={!r}&lat={!r}".format(*worlds.wgs84(1500, 500))
    item = ratelimit._sorted_limits("3 per minute")[0]
    args = ratelimit.counter_args("grids.lookup", address)
    assert limiter.limiter.get_window_stats(item, *args)[1] == 3
    client.get(url, headers={"Cookie": "theme=dark"}, environ_base={"REMOTE_ADDR": address})
    assert limiter.limiter.get_window_stats(item, *args)[1] == 2
    client.get(url, environ_base={"REMOTE_ADDR": address})
    assert limiter.limiter.get_window_stats(item, *args)[1] == 1
