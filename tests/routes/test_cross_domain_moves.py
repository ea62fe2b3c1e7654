"""A new boundary version moves a case and a pollution source: the planner sees both and reassigns them."""

from __future__ import annotations

from gisgrid.grids import service as grid_service
from gisgrid.incidents import intake, matrix
from gisgrid.incidents.models import Incident
from gisgrid.incidents.report import Report
from gisgrid.sources import service as source_service
from gisgrid.sources.models import PollutionSource
from tests import worlds
from tests.helpers import login
from tests.integration.test_incident_assignments import _second_version


def test_planner_sees_and_reassigns_moved_cases_and_sources(app, client, session, world_ab, make_user, tmp_path):
    matrix.load_demo(session)
    lon, lat = worlds.wgs84(450, 800)  # A1a now, A1b once the edge moves from x=500 to x=400
    case, _ = intake.report(session, Report("web", "dust", "扬尘", lon, lat), None)
    source = source_service.create_source(
        session, {"code": "S1", "name": "示例·企业", "kind": "enterprise", "lon": lon, "lat": lat}, by="test"
    )
    draft = grid_service.import_file(session, _second_version(tmp_path), publish=False).version_id
    token = login(client, make_user("planner", grids=["A"]).username)

    items = client.get(f"/api/v1/editor/versions/{draft}/moved").get_json()["items"]
    assert {(i["kind"], i["item_id"], i["old_code"], i["new_code"]) for i in items} == {
        ("case", case.id, "A1a", "A1b"),
        ("source", source.id, "A1a", "A1b"),
    }

    published = client.post(f"/api/v1/editor/drafts/{draft}/publish", headers={"X-CSRFToken": token})
    assert published.status_code == 200, published.get_data(as_text=True)
    resp = client.post(
        f"/api/v1/editor/versions/{draft}/reassign",
        headers={"X-CSRFToken": token},
        json={"case": [case.id], "source": [source.id]},
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)
    session.expire_all()
    assert session.get(Incident, case.id).grid_codes[-1] == "A1b"
    assert session.get(PollutionSource, source.id).grid_codes[-1] == "A1b"
    assert client.get(f"/api/v1/editor/versions/{draft}/moved").get_json()["items"] == []
