"""Each request thread of a gthread worker keeps a pooled connection: the pool's default size follows
GISGRID_THREADS (config._pool_size), so a worker's threads reuse their PostgreSQL backends instead of
opening and closing one per request past the pool."""

import threading

from gisgrid import config, create_app
from gisgrid.db import db


def test_the_pool_size_follows_the_threads_unless_set(monkeypatch):
    monkeypatch.delenv("GISGRID_DB_POOL_SIZE", raising=False)
    monkeypatch.delenv("GISGRID_THREADS", raising=False)
    assert config.from_env()["DB_POOL_SIZE"] == 10  # 8 threads, the builder and a spare
    monkeypatch.setenv("GISGRID_THREADS", "16")
    assert config.from_env()["DB_POOL_SIZE"] == 18
    monkeypatch.setenv("GISGRID_DB_POOL_SIZE", "6")
    assert config.from_env()["DB_POOL_SIZE"] == 6


def _backends_of_eight_concurrent_reads(application) -> set[int]:
    """The backend pids that serve 8 reads held open at the same time (as 8 request threads would)."""
    pids, barrier = set(), threading.Barrier(8)

    def read(conn):
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        barrier.wait(timeout=30)  # every thread holds its connection at once
        return pid

    def thread():
        with application.app_context():
            pids.add(db.read(read))

    threads = [threading.Thread(target=thread) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(pids) == 8
    return pids


def test_eight_request_threads_reuse_their_connections(database_url, monkeypatch):
    monkeypatch.delenv("GISGRID_DB_POOL_SIZE", raising=False)
    monkeypatch.delenv("GISGRID_THREADS", raising=False)
    application = create_app({"DATABASE_URL": database_url, "TESTING": True})  # the pool size from the environment
    assert application.config["DB_POOL_SIZE"] == 10
    try:
        first = _backends_of_eight_concurrent_reads(application)
        assert _backends_of_eight_concurrent_reads(application) == first  # no backend closed and reopened
    finally:
        db.dispose(application)


def test_a_pool_smaller_than_the_threads_opens_new_backends(database_url):
    # the behaviour the default avoids: what a pool of 5 does with 8 concurrent requests
    application = create_app({"DATABASE_URL": database_url, "TESTING": True, "DB_POOL_SIZE": 5})
    try:
        first = _backends_of_eight_concurrent_reads(application)
        assert len(_backends_of_eight_concurrent_reads(application) - first) >= 3  # the overflow was closed
    finally:
        db.dispose(application)
