"""Each capability: a role without it sees no control for it and gets 403 on its action; a role with it sees it.

The pages ask ``can(current_user, capability)`` and the routes/services check the same registry, so the
control and the permission cannot drift apart; these tests hold both ends of every capability.
"""

from __future__ import annotations

import io
import re

import pytest

from gisgrid.auth import roles
from gisgrid.auth.capabilities import CAPABILITIES, can
from tests import worlds
from tests.helpers import login
from tests.incident_support import _ok, _report

# capability → (page showing the control, marker of the control, (method, url) of the action, without, with)
# "{source}" and "{case}" are filled in with a pollution source and a registered case in grid A
CASES = {
    "staff_pages": ("/", 'href="/sources/dashboard"', ("GET", "/sources/dashboard"), roles.PUBLIC, roles.PLANNER),
    "view_kpi": ("/incidents", 'href="/incidents/kpi"', ("GET", "/incidents/kpi"), roles.GRID_STAFF, roles.DISPATCHER),
    "read_audit": ("/", 'href="/admin/audit"', ("GET", "/admin/audit"), roles.ADMIN, roles.AUDITOR),
    "manage_accounts": (
        "/admin/users",
        'id="create-user"',
        ("POST", "/admin/users"),
        roles.SECADMIN,
        roles.ADMIN,
    ),
    "assign_roles": (
        "/admin/users",
        'data-action="role"',
        ("POST", "/admin/users/x/role"),
        roles.ADMIN,
        roles.SECADMIN,
    ),
    "security.lockouts": (
        "/",
        'href="/security/lockouts"',
        ("GET", "/security/lockouts"),
        roles.GRID_LEADER,
        roles.SECADMIN,
    ),
    "edit_grids": ("/", 'href="/editor"', ("GET", "/editor"), roles.GRID_LEADER, roles.PLANNER),
    "view_jurisdiction": ("/", 'href="/jurisdiction"', ("GET", "/jurisdiction"), roles.PLANNER, roles.GRID_STAFF),
    "report_hotline": (
        "/incidents",
        "channel=hotline",
        ("POST", "/api/v1/incidents"),
        roles.GRID_STAFF,
        roles.DISPATCHER,
    ),
    "report_patrol": (
        "/incidents",
        "channel=patrol",
        ("POST", "/api/v1/incidents"),
        roles.DISPATCHER,
        roles.GRID_STAFF,
    ),
    "escalate_cases": (
        "/incidents",
        'id="escalate-form"',
        ("POST", "/incidents/escalate"),
        roles.HANDLER,
        roles.GRID_LEADER,
    ),
    "edit_duty_matrix": (
        "/incidents",
        'href="/incidents/matrix"',
        ("GET", "/incidents/matrix"),
        roles.DISPATCHER,
        roles.ADMIN,
    ),
    "transfer_case": (
        "/incidents/{case}",
        'data-action="transfer"',
        ("POST", "/incidents/{case}/actions/transfer"),
        roles.GRID_STAFF,
        roles.DISPATCHER,
    ),
    "upload_tracks": ("/sources/dashboard", 'href="/patrols"', ("GET", "/patrols"), roles.DISPATCHER, roles.GRID_STAFF),
    "edit_sources": (
        "/sources",
        'href="/sources/import"',
        ("GET", "/sources/import"),
        roles.GRID_STAFF,
        roles.GRID_LEADER,
    ),
    "set_source_class": (  # a handler of another department than 生态环境局 (zhujian) has no right
        "/sources/{source}",
        'action="/sources/{source}/class"',
        ("POST", "/sources/{source}/class"),
        roles.HANDLER,
        roles.GRID_LEADER,
    ),
    "register_sources": (
        "/sources",
        'href="/sources/new"',
        ("POST", "/api/v1/sources"),
        roles.PLANNER,
        roles.GRID_STAFF,
    ),
    "inspect_sources": (
        "/sources/{source}",
        "/sources/{source}/inspections",
        ("POST", "/sources/{source}/inspections"),
        roles.PLANNER,
        roles.HANDLER,
    ),
    "set_inspection_frequency": (
        "/sources/dashboard",
        'action="/inspections/frequency"',
        ("POST", "/inspections/frequency"),
        roles.GRID_LEADER,
        roles.ADMIN,
    ),
    "run_lottery": ("/lottery", 'name="per_source"', ("POST", "/lottery"), roles.DISPATCHER, roles.ADMIN),
    "open_supervision": (
        "/incidents/{case}",
        'id="duban-form"',
        ("POST", "/api/v1/supervision/duban"),
        roles.GRID_STAFF,
        roles.GRID_LEADER,
    ),
    "run_checks": (
        "/supervision/checks",
        'id="check-form"',
        ("POST", "/api/v1/supervision/checks"),
        roles.GRID_STAFF,
        roles.DISPATCHER,
    ),
    "run_campaigns": (
        "/campaigns",
        'id="campaign-form"',
        ("POST", "/api/v1/campaigns"),
        roles.GRID_STAFF,
        roles.DISPATCHER,
    ),
    "run_meetings": (
        "/supervision/meetings",
        'id="meeting-form"',
        ("POST", "/api/v1/supervision/meetings"),
        roles.HANDLER,
        roles.GRID_LEADER,
    ),
    "evaluate_grids": ("/", 'href="/evaluation"', ("GET", "/evaluation"), roles.GRID_STAFF, roles.GRID_LEADER),
    "open_evaluation": (
        "/evaluation",
        'id="open-round"',
        ("POST", "/api/v1/evaluation/rounds"),
        roles.GRID_LEADER,
        roles.DISPATCHER,
    ),
    "view_supervisor_performance": (
        "/",
        'href="/evaluation/supervisors"',
        ("GET", "/evaluation/supervisors"),
        roles.GRID_STAFF,
        roles.GRID_LEADER,
    ),
    "file_reports": ("/", 'href="/reports"', ("GET", "/reports"), roles.GRID_STAFF, roles.GRID_LEADER),
    "export_personal_data": (
        "/incidents",
        'id="export-form"',
        ("POST", "/api/v1/incidents/export"),
        roles.GRID_LEADER,
        roles.DISPATCHER,
    ),
    "manage_agreements": (
        "/agreements",
        'id="new-agreement"',
        ("POST", "/api/v1/agreements"),
        roles.GRID_STAFF,
        roles.GRID_LEADER,
    ),
    "disclose_sources": (
        "/sources/{source}",
        'id="public-form"',
        ("POST", "/sources/{source}/public"),
        roles.GRID_STAFF,
        roles.GRID_LEADER,
    ),
    "reply_public": (
        "/incidents/{case}",
        'id="public-reply-form"',
        ("POST", "/incidents/{case}/public-reply"),
        roles.GRID_STAFF,
        roles.DISPATCHER,
    ),
    "record_hazards": ("/hazards", 'id="hazard-form"', ("POST", "/api/v1/hazards"), roles.PLANNER, roles.GRID_STAFF),
}
_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def test_every_capability_has_a_case_and_an_unknown_name_fails_loudly():
    assert set(CASES) == set(CAPABILITIES)
    with pytest.raises(KeyError):
        can(None, "no_such_capability")


def test_admin_has_every_capability_but_the_other_duties_and_anonymous_none(make_user):
    admin = make_user(roles.ADMIN)
    assert [name for name in CAPABILITIES if not can(admin, name)] == [
        "read_audit",
        "assign_roles",
        "security.lockouts",
    ]
    assert not any(can(None, name) for name in CAPABILITIES)


@pytest.fixture()
def objects(app, client, case_world, make_user):
    """A registered public case in grid A and a pollution source in it (imported by an admin)."""
    admin = make_user(roles.ADMIN, username="cap_admin")
    admin_client = app.test_client()
    token = login(admin_client, admin.username)
    lon, lat = worlds.wgs84(100, 100)
    csv = f"code,name,kind,lon,lat,class\nCAP1,示例·能力测试企业,enterprise,{lon!r},{lat!r},A".encode()
    resp = admin_client.post(
        "/sources/import",
        data={"file": (io.BytesIO(csv), "s.csv")},
        headers={"X-CSRFToken": token, "Accept": "application/json"},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)
    source = admin_client.get("/api/v1/sources.geojson").get_json()["features"][0]["properties"]["id"]
    case = _ok(_report(client), 201)["id"]
    resp = admin_client.post(f"/api/v1/incidents/{case}/actions/register", json={}, headers={"X-CSRFToken": token})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return {"source": source, "case": case}


def _user_client(app, make_user, role):
    department = "zhujian" if role == roles.HANDLER else None
    user = make_user(role, grids=() if role in (roles.PUBLIC, roles.HANDLER) else ("A",), department=department)
    client = app.test_client()
    login(client, user.username)
    return client


def _page(client, url) -> str:
    resp = client.get(url)
    assert resp.status_code == 200, f"{url} → {resp.status_code}"
    return resp.get_data(as_text=True)


@pytest.mark.parametrize("capability", sorted(CASES))
def test_without_the_capability_no_control_and_403(app, make_user, objects, capability):
    page, marker, (method, action), without, with_ = CASES[capability]
    page, marker, action = page.format(**objects), marker.format(**objects), action.format(**objects)
    allowed = _user_client(app, make_user, with_)
    assert marker in _page(allowed, page), f"{with_} should see the {capability} control"
    refused = _user_client(app, make_user, without)
    html = _page(refused, page)
    assert marker not in html, f"{without} sees the {capability} control"
    token = _CSRF.search(html).group(1)
    body = {"channel": capability.removeprefix("report_")} if capability.startswith("report_") else {}
    resp = refused.open(action, method=method, json=body, headers={"X-CSRFToken": token, "Accept": "application/json"})
    assert resp.status_code == 403, f"{without} {method} {action} → {resp.status_code}"
    assert resp.get_json()["error"]["code"] == "forbidden"
