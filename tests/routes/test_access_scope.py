"""Foreign-grid access: users of grid B against every kind of object that lives in grid A.

One world holds a case (with an unpublished photo), a pollution source (with an inspection and a
document), a patrol track and a jurisdiction event, all in grid A, each carrying a marker text.
Every user of grid B (staff, dispatcher, leader) and, for the case, a handler of a department it was
never sent to (handlers inspect sources district-wide by design, so sources are not foreign to them) go to
every object URL: reads answer 403/404 without the marker; writes answer 403/404 and change nothing;
lists answer 200 without the object.
"""

from __future__ import annotations

import io
from datetime import timedelta, timezone

import pytest

from gisgrid.incidents.models import Incident, IncidentEvent, IncidentPhoto
from gisgrid.jurisdiction.models import EventCase
from gisgrid.patrols import service as patrols
from gisgrid.sources.models import Inspection, PollutionSource, SourceDocument
from tests.incident_support import PNG, As, _ok, _report
from tests.jurisdiction_world import line
from tests.routes.test_patrol_routes import T0, walk_points
from tests.routes.test_sources_routes import csv_bytes
from tests.worlds import wgs84

CASE_TEXT, SOURCE_NAME, FINDINGS, DOC_TITLE, EVENT_TITLE = (
    "机密案情·甲",
    "示例·S1",
    "机密检查记录",
    "机密许可证",
    "机密跨界事件",
)
PATROL_DAY = T0.astimezone(timezone(timedelta(hours=8))).date().isoformat()


def _admin_source(app, session, admin):
    """Source S1 in A1a with one inspection and one document, made through the pages."""
    a = As(app, admin)
    resp = a.client.post(
        "/sources/import",
        content_type="multipart/form-data",
        headers={"X-CSRFToken": a.token, "Accept": "application/json"},
        data={"file": (io.BytesIO(csv_bytes([("S1", wgs84(100, 100), "enterprise", "A")])), "s.csv")},
    )
    _ok(resp)
    source = session.query(PollutionSource).filter_by(code="S1").one()
    form = {"csrf_token": a.token}
    assert (
        a.client.post(
            f"/sources/{source.id}/inspections", data={**form, "inspected_on": "2026-11-01", "findings": FINDINGS}
        ).status_code
        == 302
    )
    assert (
        a.client.post(
            f"/sources/{source.id}/documents",
            content_type="multipart/form-data",
            data={**form, "title": DOC_TITLE, "file": (io.BytesIO(b"%PDF-1.4 secret"), "p.pdf")},
        ).status_code
        == 302
    )
    return source.id, session.query(SourceDocument).filter_by(source_id=source.id).one().id


@pytest.fixture()
def grid_a(app, session, case_world, make_user):
    """The objects of grid A and the outsiders."""
    case = _ok(_report(app.test_client(), description=CASE_TEXT, photos=(io.BytesIO(PNG), "p.png")), 201)["id"]
    photo = session.query(IncidentPhoto).filter_by(incident_id=case).one().id
    event = _ok(
        As(app, case_world["staff"]).put(
            f"/api/v1/incidents/{case}/jurisdiction", act=line((100, 100), (450, 100)), title=EVENT_TITLE
        ),
        201,
    )["id"]
    source, doc = _admin_source(app, session, make_user("admin"))
    patrols.save_track(session, case_world["staff"], walk_points(100, 400, y=600), "api")
    outsiders = {
        "staff": case_world["foreign_staff"],
        "dispatcher": case_world["foreign_dispatcher"],
        "leader": make_user("grid_leader", grids=("B",)),
        "handler": case_world["gongan"],
    }
    return {"case": case, "photo": photo, "event": event, "source": source, "doc": doc, "outsiders": outsiders}


def _reads(o):
    case, src, ev = o["case"], o["source"], o["event"]
    return [
        f"/api/v1/incidents/{case}",
        f"/incidents/{case}",
        f"/api/v1/incidents/{case}/jurisdiction",
        f"/incidents/{case}/jurisdiction",
        f"/incidents/photos/{o['photo']}",
        f"/api/v1/jurisdiction/events/{ev}",
        f"/jurisdiction/events/{ev}",
        f"/sources/{src}",
        f"/sources/{src}/documents/{o['doc']}",
    ]


def _writes(o):
    case, src, ev = o["case"], o["source"], o["event"]
    return [
        ("POST", f"/api/v1/incidents/{case}/actions/register", {}),
        ("POST", f"/api/v1/incidents/{case}/actions/reject", {"reason": "不属实"}),
        ("POST", f"/incidents/{case}/actions/register", {}),
        ("PUT", f"/api/v1/incidents/{case}/jurisdiction", {"act": line((100, 100), (300, 100))}),
        ("POST", f"/api/v1/incidents/photos/{o['photo']}/publish", {}),
        ("POST", f"/api/v1/jurisdiction/events/{ev}/cases", {"incident_id": case}),
        ("DELETE", f"/api/v1/jurisdiction/events/{ev}/cases/{case}", None),
        ("POST", f"/api/v1/jurisdiction/events/{ev}/disputes", {"parties": ["A1a", "B"], "reason": "x"}),
        ("POST", f"/api/v1/jurisdiction/events/{ev}/route", {}),
        ("POST", f"/sources/{src}/edit", {"name": "改名"}),
        ("POST", f"/sources/{src}/class", {"to_class": "C", "reason": "x"}),
        ("POST", f"/sources/{src}/inspections", {"inspected_on": "2026-11-02", "findings": "x"}),
        ("POST", f"/sources/{src}/documents", {"title": "x"}),
    ]


def _snapshot(session, o):
    """Everything a foreign write could change."""
    session.expire_all()
    case, source = session.get(Incident, o["case"]), session.get(PollutionSource, o["source"])
    return (
        case.state,
        list(case.grid_codes),
        session.query(IncidentEvent).filter_by(incident_id=case.id).count(),
        session.get(IncidentPhoto, o["photo"]).published,
        session.query(EventCase).count(),
        source.name,
        source.supervision_class,
        session.query(Inspection).count(),
        session.query(SourceDocument).count(),
    )


WHO = ["staff", "dispatcher", "leader", "handler"]


def _for(who, items, url=lambda item: item):
    """Handlers work district-wide on sources (sources.service.DISTRICT_WIDE): only the case is foreign."""
    return [i for i in items if who != "handler" or not url(i).startswith("/sources")]


@pytest.mark.parametrize("who", WHO)
def test_foreign_users_cannot_read_grid_a_objects(app, grid_a, who):
    user = As(app, grid_a["outsiders"][who])
    leaks = []
    for url in _for(who, _reads(grid_a)):
        for accept in ("application/json", "text/html"):
            resp = user.client.get(url, headers={"Accept": accept})
            body = resp.get_data(as_text=True)
            if resp.status_code not in (403, 404) or any(m in body for m in (CASE_TEXT, SOURCE_NAME, EVENT_TITLE)):
                leaks.append(f"GET {url} ({accept}) → {resp.status_code}")
            assert resp.data != PNG and b"secret" not in resp.data
    assert leaks == []


@pytest.mark.parametrize("who", WHO)
def test_foreign_users_cannot_change_grid_a_objects(app, session, grid_a, who):
    user = As(app, grid_a["outsiders"][who])
    before = _snapshot(session, grid_a)
    wrong = []
    for method, url, data in _for(who, _writes(grid_a), url=lambda w: w[1]):
        if url.endswith("/documents"):
            resp = user.client.post(
                url,
                content_type="multipart/form-data",
                data={"csrf_token": user.token, **data, "file": (io.BytesIO(b"%PDF-1.4 x"), "x.pdf")},
            )
        elif url.startswith("/sources") or url.startswith("/incidents"):  # the HTML forms
            resp = user.client.open(
                url, method=method, data={"csrf_token": user.token, **data}, headers={"Accept": "application/json"}
            )
        else:
            resp = user.client.open(url, method=method, json=data, headers={"X-CSRFToken": user.token})
        if resp.status_code not in (403, 404):
            wrong.append(f"{method} {url} → {resp.status_code}")
    assert wrong == []
    assert _snapshot(session, grid_a) == before


@pytest.mark.parametrize("who", WHO)
def test_foreign_users_lists_and_maps_leave_out_grid_a(app, grid_a, who):
    user = As(app, grid_a["outsiders"][who])
    lists = [
        "/api/v1/incidents",
        "/incidents",
        "/api/v1/jurisdiction/events",
        "/jurisdiction",
        "/api/v1/sources.geojson",
        "/sources/export.csv",
        "/sources",
        "/sources/dashboard",
        "/api/v1/inspections/due",
        "/inspections/overdue",
        f"/api/v1/patrols/coverage?since={PATROL_DAY}&until={PATROL_DAY}&distance=100",
    ]
    leaks = []
    for url in lists:
        resp = user.client.get(url, headers={"Accept": "application/json"})
        body = resp.get_data(as_text=True)
        if resp.status_code == 200 and any(m in body for m in (CASE_TEXT, SOURCE_NAME, EVENT_TITLE, FINDINGS)):
            leaks.append(f"{url} shows a grid-A object")
        elif resp.status_code not in (200, 403):
            leaks.append(f"{url} → {resp.status_code}")
        if "coverage" in url and resp.status_code == 200:
            assert resp.get_json()["layers"]["tracks"]["features"] == []
            assert not {g["code"] for g in resp.get_json()["grids"]} & {"A", "A1", "A1a"}
    assert leaks == []


def test_a_foreign_inspector_may_declare_a_conflict_without_seeing_the_source(app, session, grid_a):
    """双随机 draws inspectors from *other* grids (lottery._eligible), so outsiders are the ones who must be
    able to declare 回避 for a source; doing so reveals nothing about it."""
    from gisgrid.sources.models import InspectorConflict

    user = As(app, grid_a["outsiders"]["staff"])
    resp = user.client.post(f"/sources/{grid_a['source']}/conflicts", data={"csrf_token": user.token, "reason": "亲属"})
    assert resp.status_code == 302 and SOURCE_NAME not in resp.get_data(as_text=True)
    assert session.query(InspectorConflict).filter_by(source_id=grid_a["source"]).count() == 1
    assert user.get(resp.headers["Location"]).status_code == 403


def test_the_markers_are_visible_to_the_grids_own_people(app, grid_a, case_world):
    """The negative tests above would pass on an empty world; this shows the objects are really there."""
    staff = As(app, case_world["staff"])
    assert CASE_TEXT in staff.get(f"/api/v1/incidents/{grid_a['case']}").get_data(as_text=True)
    assert EVENT_TITLE in staff.get(f"/api/v1/jurisdiction/events/{grid_a['event']}").get_data(as_text=True)
    assert SOURCE_NAME in staff.get(f"/sources/{grid_a['source']}").get_data(as_text=True)
    assert staff.get(f"/sources/{grid_a['source']}/documents/{grid_a['doc']}").data == b"%PDF-1.4 secret"
    assert staff.get(f"/incidents/photos/{grid_a['photo']}").data == PNG
    coverage = staff.get(f"/api/v1/patrols/coverage?since={PATROL_DAY}&until={PATROL_DAY}&distance=100").get_json()
    assert coverage["layers"]["tracks"]["features"]
    assert SOURCE_NAME in staff.get("/sources/export.csv").get_data(as_text=True)
