"""The map pages' initial view (base.html's ``map_view``) is kept per published version in each process.

Real commits on a database of its own, so the lookup listener hears the NOTIFY of a publication (migration
0016_speed's triggers): a second page asks the database nothing about the extent, and a publication with
other boundaries moves the view at the next page.
"""

from __future__ import annotations

import json
import re
import select

import pytest
from sqlalchemy import event

from gisgrid.db import db
from gisgrid.grids import extent, resident, service
from tests import worlds
from tests.conftest import committed_app, committed_session

_EXTENT_SQL = "ST_Extent(g.geom)"  # grids/sql/published_extent.sql
_VIEW = re.compile(r'<script type="application/json" id="gisgrid-map-view">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def extent_app():
    with committed_app("gisgrid_extent") as application:
        yield application
        state = resident._state(application)
        if state.listener is not None:
            state.listener.close()


def _publish(app, frame, path) -> int:
    with committed_session(app) as session:
        return service.import_file(session, worlds.write(frame, path), publish=True).version_id


def _page_view(client) -> dict:
    answer = client.get("/")
    assert answer.status_code == 200
    return json.loads(_VIEW.search(answer.get_data(as_text=True)).group(1))


def _extent_queries(app) -> list[str]:
    seen: list[str] = []
    with app.app_context():
        for engine in (db.engine, db.read_engine):
            event.listen(engine, "before_cursor_execute", lambda c, cur, sql, *a: seen.append(sql))
    return seen


def test_a_second_page_asks_nothing_and_a_publication_moves_the_view(extent_app, tmp_path):
    _publish(extent_app, worlds.world_ab_frame(), tmp_path / "ab.gpkg")
    client = extent_app.test_client()
    first = _page_view(client)  # the listener starts here; the extent is read once
    assert first["published"] is True
    seen = _extent_queries(extent_app)
    assert _page_view(client) == first
    assert not [sql for sql in seen if _EXTENT_SQL in sql]  # held per version: no query

    _publish(extent_app, worlds.world_e_frame(), tmp_path / "e.gpkg")  # 戊区, near 116.0 E 39.0 N
    conn = resident._state(extent_app).listener.conn
    assert select.select([conn], [], [], 30)[0], "no notification arrived"
    moved = _page_view(client)
    assert moved["bounds"] == [
        [pytest.approx(39.0), pytest.approx(116.0)],
        [pytest.approx(39.01), pytest.approx(116.02)],
    ]
    assert len([sql for sql in seen if _EXTENT_SQL in sql]) == 1  # asked again once, for the new version


def test_a_write_request_reads_the_extent_from_the_database(extent_app):
    seen = _extent_queries(extent_app)
    with extent_app.test_request_context("/login", method="POST"), db.new_session() as session:
        assert extent.initial_view(session)["published"] is True
    assert [sql for sql in seen if _EXTENT_SQL in sql]  # a POST may be publishing in its own transaction
