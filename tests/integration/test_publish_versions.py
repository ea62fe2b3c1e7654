"""Publishing drafts, rollback as a new publication, history by date, diffs, and reassignment previews."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, text, update

from gisgrid.editor import drafts, edits, versions
from gisgrid.errors import Conflict, ValidationFailed
from gisgrid.grids import assignments, queries
from gisgrid.grids import versions as grid_versions
from gisgrid.grids.models import BoundaryVersion, Grid
from tests import editor_world


def locks(session, version_id):
    session.expire_all()
    return dict(session.execute(select(Grid.code, Grid.lock_version).where(Grid.version_id == version_id)).all())


def edit(session, draft, **payload):
    return edits.apply_edit(session, draft, "planner", {"base": locks(session, draft), **payload})


@pytest.fixture()
def world(session, tmp_path):
    return editor_world.load(session, tmp_path).version_id


def test_publish_switches_lookups_and_rollback_is_a_new_publication(session, world):
    draft = drafts.open_draft(session, "planner")
    edit(session, draft, op="reparent", code="V12", parent_code="T2")
    point = [(1, 116.015, 39.01)]
    assert queries.leaf_codes_at(session, world, point)[1] == ["C", "T1", "V12"]
    result = versions.publish_draft(session, draft, "planner")
    assert result["version_id"] == draft and grid_versions.find_published(session).id == draft
    assert queries.leaf_codes_at(session, draft, point)[1] == ["C", "T2", "V12"]
    with pytest.raises(Conflict):  # a published version is no longer a draft
        edit(session, draft, op="merge", codes=["V21", "V22"])

    restored = versions.rollback_to(session, world, "planner")
    assert restored not in (world, draft) and grid_versions.find_published(session).id == restored
    assert queries.leaf_codes_at(session, restored, point)[1] == ["C", "T1", "V12"]
    states = {v["id"]: v["status"] for v in versions.history(session)}
    assert states == {world: "superseded", draft: "superseded", restored: "published"}


def test_a_draft_of_an_older_publication_cannot_be_published(session, world, tmp_path):
    stale = drafts.open_draft(session, "planner")
    edit(session, stale, op="merge", codes=["V21", "V22"])
    (tmp_path / "later").mkdir()
    newer = editor_world.load(session, tmp_path / "later").version_id  # someone published meanwhile
    with pytest.raises(Conflict) as err:
        versions.publish_draft(session, stale, "planner")
    assert str(newer) in err.value.message and grid_versions.find_published(session).id == newer
    assert drafts.open_draft(session, "planner") not in (stale, newer)  # a fresh draft of the new publication


def test_validation_errors_block_publishing(session, world):
    draft = drafts.open_draft(session, "planner")
    edit(session, draft, op="delete", code="V22")  # leaves a gap in T2
    with pytest.raises(ValidationFailed) as err:
        versions.publish_draft(session, draft, "planner")
    assert any(p["kind"] == "gap" for p in err.value.details)
    assert grid_versions.find_published(session).id == world


def test_history_at_a_date_and_diff_between_versions(session, world):
    draft = drafts.open_draft(session, "planner")
    edit(session, draft, op="split", code="V21", line=[[116.025, 38.99], [116.025, 39.03]], new_code="V23")
    edit(session, draft, op="merge", codes=["V11", "V12"])
    edit(session, draft, op="reparent", code="V23", parent_code="T1")
    versions.publish_draft(session, draft, "planner")
    jan, jun = datetime(2025, 1, 10, tzinfo=UTC), datetime(2025, 6, 1, tzinfo=UTC)
    session.execute(
        update(BoundaryVersion).where(BoundaryVersion.id == world).values(published_at=jan, superseded_at=jun)
    )
    session.execute(update(BoundaryVersion).where(BoundaryVersion.id == draft).values(published_at=jun))
    assert grid_versions.on_day(session, date(2025, 3, 1)).id == world
    assert grid_versions.on_day(session, date(2025, 7, 1)).id == draft

    result = versions.diff(session, world, draft)
    by_code = {f["properties"]["code"]: f["properties"] for f in result["features"]}
    assert by_code["V23"]["changes"] == ["added"]
    assert by_code["V12"]["changes"] == ["removed"]
    assert by_code["V11"]["changes"] == ["reshaped"]
    assert by_code["V11"]["area_change_m2"] == pytest.approx(by_code["V11"]["old_area"], rel=1e-6)
    assert by_code["V21"]["changes"] == ["reshaped"]
    assert by_code["V21"]["area_change_m2"] == pytest.approx(-by_code["V21"]["old_area"] / 2, rel=1e-3)
    assert by_code["T1"]["changes"] == ["reshaped"] and by_code["T2"]["changes"] == ["reshaped"]
    assert "C" not in by_code and "V22" not in by_code
    assert result["counts"] == {"added": 1, "removed": 1, "reshaped": 4, "reparented": 0}
    # reparented: V23 was created under T2 in the draft, so compare T2 → T1 moves within one diff
    draft2 = drafts.open_draft(session, "planner")
    edit(session, draft2, op="reparent", code="V23", parent_code="T2")
    props = {f["properties"]["code"]: f["properties"] for f in versions.diff(session, draft, draft2)["features"]}
    assert props["V23"]["changes"] == ["reparented"]
    assert (props["V23"]["old_parent"], props["V23"]["new_parent"]) == ("T1", "T2")


def test_moved_items_are_listed_before_and_after_publication_and_reassigned(session, world):
    stored = {1: ("V12", 116.015, 39.01), 2: ("V11", 116.005, 39.01)}
    applied = {}

    def find(sess, version_id):
        chains = queries.leaf_codes_at(sess, version_id, [(k, lon, lat) for k, (_, lon, lat) in stored.items()])
        return [
            assignments.Moved("thing", k, f"对象{k}", code, chains[k][-1], lon, lat)
            for k, (code, lon, lat) in stored.items()
            if chains.get(k, [None])[-1] != code
        ]

    def apply(sess, ids, version_id):
        for item in find(sess, version_id):
            if item.item_id in ids:
                applied[item.item_id] = item.new_code
        return len(ids)

    assignments.register(assignments.Provider("thing", "测试对象", find=find, apply=apply))
    try:
        draft = drafts.open_draft(session, "planner")
        edit(session, draft, op="delete", code="V12", into="V11")
        preview = versions.preview_moved(session, draft)
        assert [(m["item_id"], m["old_code"], m["new_code"], m["kind_label"]) for m in preview] == [
            (1, "V12", "V11", "测试对象")
        ]
        with pytest.raises(Conflict):  # only towards the published version
            versions.reassign(session, draft, {"thing": [1]})
        result = versions.publish_draft(session, draft, "planner")
        assert [m["item_id"] for m in result["moved"]] == [1]
        assert versions.reassign(session, draft, {"thing": [1]}) == {"thing": 1}
        assert applied == {1: "V11"}
    finally:
        assignments._PROVIDERS.pop("thing", None)


def _parts(session, version_id):
    return sorted(
        session.execute(
            text("SELECT code, ST_AsText(geom) FROM grid_part WHERE version_id = :v"), {"v": version_id}
        ).all()
    )


def _fresh_parts(session, version_id):
    return sorted(
        session.execute(
            text(
                "SELECT code, ST_AsText(g) FROM (SELECT code, (ST_Dump(ST_Subdivide(geom, 64))).geom AS g FROM grid "
                "WHERE version_id = :v) AS p WHERE ST_GeometryType(g) = 'ST_Polygon'"
            ),
            {"v": version_id},
        ).all()
    )


def test_edits_keep_the_drafts_lookup_parts_current_and_the_moved_preview_only_reads(session, world):
    stored = {1: ("V22", 116.035, 39.01), 2: ("V11", 116.005, 39.005)}

    def find(sess, version_id):
        chains = queries.leaf_codes_at(sess, version_id, [(k, lon, lat) for k, (_, lon, lat) in stored.items()])
        return [
            assignments.Moved("thing", k, f"对象{k}", code, chains[k][-1], lon, lat)
            for k, (code, lon, lat) in stored.items()
            if chains.get(k, [None])[-1] != code
        ]

    assignments.register(assignments.Provider("thing", "测试对象", find=find, apply=lambda *a: 0))
    try:
        draft = drafts.open_draft(session, "planner")
        edit(session, draft, op="split", code="V11", line=[[116.0, 39.015], [116.01, 39.015]], new_code="V1X")
        edit(session, draft, op="reparent", code="V12", parent_code="T2")
        edit(session, draft, op="delete", code="V22", into="V21")
        assert _parts(session, draft) == _fresh_parts(session, draft)  # only the changed grids were redone
        chain = session.execute(
            text(
                "SELECT c.code, p.code, c.ancestor_ids = p.ancestor_ids || p.id "
                "FROM grid c JOIN grid p ON p.id = c.parent_id "
                "WHERE c.version_id = :v AND c.code IN ('V12', 'V1X') ORDER BY 1"
            ),
            {"v": draft},
        ).all()
        assert chain == [("V12", "T2", True), ("V1X", "T1", True)]
        kept = _parts(session, draft)
        session.rollback()
        session.execute(text("SET TRANSACTION READ ONLY"))  # any write in the preview would fail here
        preview = versions.moved_for(session, draft)
        assert [(m["item_id"], m["old_code"], m["new_code"]) for m in preview] == [(1, "V22", "V21")]
        assert _parts(session, draft) == kept
    finally:
        assignments._PROVIDERS.pop("thing", None)
