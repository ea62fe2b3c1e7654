"""Publication is atomic: lookups running during publications see the old or the new version, never a mix."""

from __future__ import annotations

import json
import tempfile
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from gisgrid.editor import drafts, edits, versions
from gisgrid.grids import queries, service
from tests import editor_world
from tests.conftest import fresh_database

POINT = (116.024, 39.01)  # in V21; after the edit in V23 under T1


@pytest.fixture()
def two_versions():
    with fresh_database("gisgrid_test_publish") as url:
        engine = create_engine(url)
        with Session(engine) as session:
            old = editor_world.load(session, Path(tempfile.mkdtemp())).version_id
            new = drafts.open_draft(session, "planner")
            for payload in (
                {"op": "split", "code": "V21", "line": [[116.025, 38.99], [116.025, 39.03]], "new_code": "V23"},
                {"op": "reparent", "code": "V21", "parent_code": "T1"},
            ):
                base = {
                    g["properties"]["code"]: g["properties"]["lock"]
                    for g in json.loads(drafts.draft_geojson(session, new))["features"]
                }
                edits.apply_edit(session, new, "planner", {**payload, "base": base})
            versions.publish_draft(session, new, "planner")
        yield engine, old, new
        engine.dispose()


def test_lookups_during_publications_see_one_whole_version(two_versions):
    engine, old, new = two_versions
    expected = {old: ["C", "T2", "V21"], new: ["C", "T1", "V21"]}
    reader = create_engine(engine.url, isolation_level="AUTOCOMMIT")
    answers, stop, seen = [], threading.Event(), threading.Condition()

    def look():
        raw = reader.raw_connection()
        try:
            while not stop.is_set():
                result = queries.lookup_point(raw, *POINT, 30.0)
                answer = (json.loads(result["version"])["id"], [c["code"] for c in json.loads(result["chain"])])
                with seen:
                    answers.append(answer)
                    seen.notify_all()
        finally:
            raw.close()

    threads = [threading.Thread(target=look) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        with Session(engine) as session:
            for i in range(12):
                target = old if i % 2 == 0 else new
                service.publish_version(session, target)
                with seen:  # wait until a lookup has answered from the version just published
                    count = len(answers)
                    seen.wait_for(lambda: any(v == target for v, _ in answers[count:]))
    finally:
        stop.set()
        for t in threads:
            t.join()
        reader.dispose()
    assert {v for v, _ in answers} == {old, new}
    assert all(chain == expected[version] for version, chain in answers), [
        a for a in answers if a[1] != expected[a[0]]
    ][:5]
