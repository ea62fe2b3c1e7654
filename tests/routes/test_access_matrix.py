"""Access-control matrix generated from app.url_map: every rule is public or refuses anonymous and wrong roles.

A new endpoint makes test_every_rule_is_classified fail until it is added to PUBLIC or STAFF below,
and then the generated tests check it.
"""

from __future__ import annotations

import pytest

from gisgrid import create_app
from gisgrid.auth import roles
from gisgrid.errors import JSON_PREFIXES
from tests.helpers import csrf_from, login

# endpoint → why anonymous may use it
PUBLIC = {
    "static": "css/js",
    "public_map.index": "public map",
    "public_api.grid_api": "public grid",
    "public_api.labels_api": "map labels",
    "public_api.levels_api": "map levels",
    "public_api.locate_api": "lookup",
    "public_api.search_api": "public search",
    "public_map.grid_page": "public grid page",
    "public_map.notice": "public notice",
    "deployment.system_page": "the plan's levels, 领导小组 and duties (信息公开)",
    "public_api.open_data": "open data",
    "public_api.tile": "vector tiles",
    "public_api.unit_grids_api": "重点监管单元网格 layer",
    "grids.lookup": "lookup",
    "grids.lookup_batch": "batch lookup",
    "ogc.landing": "OGC API",
    "ogc.landing_slash": "OGC API",
    "ogc.collections": "OGC API",
    "ogc.collection": "OGC API",
    "ogc.items": "OGC API",
    "ogc.item": "OGC API",
    "ogc.conformance": "OGC API",
    "ogc.api": "OGC API",
    "ogc.queryables": "OGC API",
    "ogc.tile_matrix_sets": "OGC API",
    "ogc.tile_matrix_set": "OGC API",
    "ogc.dataset_tilesets": "OGC API",
    "ogc.collection_tilesets": "OGC API",
    "ogc.dataset_tileset": "OGC API",
    "ogc.collection_tileset": "OGC API",
    "ogc.dataset_tile": "OGC API",
    "ogc.collection_tile": "OGC API",
    "open311.create_request": "Open311",
    "open311.list_requests": "Open311 (public fields)",
    "open311.get_request": "Open311 (public fields)",
    "open311.services": "Open311",
    "open311.service_definition": "Open311",
    "apidoc.openapi_json": "the API contract is public",
    "auth.login": "login",
    "auth.login_totp": "the login's second step: without a pending login it sends back to /login",
    "field.shell": "the field app: the login form for nobody (tested in test_field_app.py)",
    "field.manifest": "web app manifest (installable)",
    "field.service_worker": "service worker script (no data)",
    "auth.logout": "logout (no-op when anonymous)",
    "auth_api.me": "answers {user: null}",
    "incidents_api.create": "public reporting",
    "incidents.report_form": "public reporting",
    "incidents.report_status": "status by case number",
    "incidents.report_reopen": "没有解决: only with the signed link of the closing notice (tests/routes/test_citizen_reopen.py)",
    "incidents_api.categories_json": "report form categories",
    "incidents_api.grids_geojson": "report form map",
    "incidents.photo": "published photos only (tested below)",
    "sources.lottery_index": "双随机 draws are published",
    "sources.lottery_page": "双随机 draws are published",
    "sources_api.lottery_list_api": "双随机 draws are published",
    "sources_api.lottery_api": "双随机 draws are published",
    "supervision.bulletins_page": "督查通报 marked public",
    "supervision.bulletin_page": "one 通报 marked public (404 otherwise)",
    "disclosure.sources_page": "信息公开: sources marked public (view public_source)",
    "disclosure.source_page": "信息公开: one public source (404 otherwise)",
    "disclosure_api.sources_api": "信息公开: sources marked public",
    "disclosure_api.source_api": "信息公开: one public source (404 otherwise)",
    "disclosure_api.sources_file": "open data of public sources",
    "disclosure_api.hazards_file": "open data of public hazards",
    "disclosure_api.emissions_file": "open data of public stations' monthly summaries",
    "hazards.public_page": "环境安全隐患 marked public (view public_hazard)",
    "hazards_api.public_api": "环境安全隐患 marked public",
}
# staff endpoint → "role": a logged-in public user gets 403 whatever the object;
# "scope": the object decides (a public user sees only their own reports and an empty event list;
# foreign grids in test_access_scope.py)
STAFF = {
    e: "role"
    for e in (
        "editor_api.diff",
        # OGC API – Features Part 4 into drafts (planners); a published collection is 405 first
        # (tests/routes/test_ogc_part4.py: foreign grids, 405, 412)
        "ogc.create_item",
        "ogc.replace_item",
        "ogc.update_item",
        "ogc.delete_item",
        "editor_api.edit",
        "editor_api.import_gpkg",
        "editor_api.import_job",
        "jobs_api.build_open_data",
        "editor_api.publish",
        "editor_api.validation",
        "editor_api.version_grids",
        "editor_api.version_unit_grids",
        "editor_api.save_unit_grid",
        "editor_api.delete_unit_grid",
        "editor_api.moved",
        "editor_api.reassign",
        "editor_api.rollback",
        "editor.index",
        "editor.diff_page",
        "editor.open_draft",
        "editor.draft_page",
        "editor.export_gpkg",
        "editor.history_page",
        "editor.filing_zip",
        "editor.moved_page",
        "incidents_api.kpi_json",
        "incidents_api.kpi_map",
        "incidents.escalate",
        "incidents.kpi_page",
        "incidents.matrix_page",
        "incidents.matrix_save",
        "sources_api.due_api",
        "sources.set_frequency",
        "sources.overdue_page",
        "sources.lottery_run",
        "sources.lottery_plan",
        "sources_api.lottery_run_api",
        "sources_api.sources_geojson",
        "sources.map_page",
        "sources.detail",
        "sources.change_class",
        "sources.declare_conflict",
        "sources.upload_document",
        "sources.download_document",
        "sources.edit",
        "sources.add_inspection",
        "sources.dashboard",
        "sources.export",
        "sources.import_page",
        "sources.register_page",
        "sources.register_form",
        "sources_api.register_api",
        "sources_api.onsite_api",
        "jurisdiction_api.resolve_adhoc",
        "jurisdiction.events_page",
        "patrols_api.coverage_api",
        "patrols_api.create_track",
        "patrols.upload_page",
        "patrols.coverage_page",
        "patrols.upload",
        "audit_api.audit_api",
        "audit.audit_page",
        "audit.audit_csv",
        "accounts.users_page",
        "accounts.create_user",
        "accounts.set_active",
        "accounts.set_role",
        "tracking.list_page",
        "tracking.detail_page",
        "tracking.act_form",
        "tracking.attachment",
        "tracking.escalate",
        "tracking_api.list_api",
        "tracking_api.detail_api",
        "tracking_api.act_api",
        "tracking_api.overdue_api",
        "tracking_api.waiting_api",
        "tracking_api.map_api",
        "supervision.open_duban",
        "supervision.checks_page",
        "supervision.create_check",
        "supervision.check_page",
        "supervision.bulletin_pdf",
        "supervision.publish_check",
        "supervision.meetings_page",
        "supervision.create_meeting",
        "supervision.meeting_page",
        "supervision.decisions_page",
        "supervision_api.open_duban_api",
        "supervision_api.checks_api",
        "supervision_api.create_check_api",
        "supervision_api.check_api",
        "supervision_api.publish_check_api",
        "supervision_api.meetings_api",
        "supervision_api.create_meeting_api",
        "supervision_api.meeting_api",
        "supervision_api.add_decision_api",
        "campaigns.list_page",
        "campaigns.create",
        "campaigns.detail_page",
        "campaigns.plan",
        "campaigns_api.list_api",
        "campaigns_api.create_api",
        "campaigns_api.detail_api",
        "campaigns_api.map_api",
        "campaigns_api.enter_results_api",
        "campaigns.enter_results",
        "evaluation.index",
        "evaluation.open_round",
        "evaluation.round_page",
        "evaluation.finish",
        "evaluation.export_ranking",
        "evaluation.form_page",
        "evaluation.save_self",
        "evaluation.review",
        "evaluation.add_evidence",
        "evaluation.evidence_file",
        "evaluation.supervisors_page",
        "evaluation.trend_page",
        "evaluation_api.rounds_api",
        "evaluation_api.open_round_api",
        "evaluation_api.ranking_api",
        "evaluation_api.form_api",
        "evaluation_api.self_api",
        "evaluation_api.review_api",
        "evaluation_api.supervisors_api",
        "evaluation_api.trend_api",
        "agreements.list_page",
        "agreements.create",
        "agreements.detail_page",
        "agreements.scan",
        "agreements_api.list_api",
        "agreements_api.create_api",
        "reports.index",
        "reports.generate",
        "reports.report_page",
        "reports.save",
        "reports_api.generate_api",
        "reports_api.report_api",
        "reports_api.save_api",
        "reports_api.status_api",
        "plans.list_page",
        "plans.save",
        "plans.plan_page",
        "plans.file",
        "plans.document",
        "plans_api.list_api",
        "plans_api.save_api",
        "plans_api.file_api",
        "monitoring.index",
        "monitoring.import_csv",
        "monitoring.map_page",
        "monitoring.alerts_page",
        "monitoring.source_page",
        "monitoring_api.stations_api",
        "monitoring_api.register_api",
        "monitoring_api.stations_geojson",
        "monitoring_api.values_api",
        "monitoring_api.alerts_api",
        "monitoring_api.summary_api",
        "privacy_api.export_cases",
        "sources.set_public",
        "sources_api.public_flag_api",
        "hazards.list_page",
        "hazards.record",
        "hazards.update",
        "hazards_api.list_api",
        "hazards_api.record_api",
        "hazards_api.update_api",
    )
}
STAFF.update(
    {
        e: "scope"
        for e in (
            "incidents_api.list_json",
            "jobs_api.my_jobs",
            "jobs_api.job",
            "incidents.list_page",
            "incidents_api.detail_json",
            "incidents.detail_page",
            "incidents_api.act_json",
            "incidents.act_form",
            "incidents_api.publish_photo",
            "privacy_api.reveal_reporter",
            "incidents.public_reply_form",
            "incidents_api.public_reply_json",
            "jurisdiction_api.case_panel",
            "jurisdiction_api.case_record",
            "jurisdiction.record_page",
            "jurisdiction_api.event_json",
            "jurisdiction.event_page",
            "jurisdiction_api.event_link",
            "jurisdiction_api.event_unlink",
            "jurisdiction_api.event_dispute",
            "jurisdiction_api.event_decide",
            "jurisdiction_api.event_route",
            "jurisdiction_api.events_json",
        )
    }
)
# any logged-in user: the CSRF token of the session, the (illustrative) river network, their own password
# any logged-in user: their own API tokens (another user's token is not found: tests/routes/test_api_tokens.py)
STAFF.update({"tokens.index": "login", "tokens.create": "login", "tokens.revoke": "login"})
# every logged-in user (citizen accounts too) has their own notifications
STAFF.update(
    {
        f"notifications{name}": "login"
        for name in (
            ".list_page",
            ".read_page",
            ".settings_page",
            "_api.listing",
            "_api.count",
            "_api.read_one",
            "_api.read_all",
            "_api.get_preferences",
            "_api.put_preferences",
        )
    }
)
STAFF.update(
    {
        "patrols_api.csrf_token": "login",
        "field_api.bundle_api": "role",
        "inbox.inbox_page": "login",
        "inbox_api.inbox_api": "login",
        "jurisdiction_api.rivers_json": "login",
        "auth.password": "login",
        "auth.totp_page": "login",
        "auth.totp_disable": "login",
        "auth.lockouts_page": "role",
        "auth_api.lockouts_api": "role",
        "auth_api.unlock_api": "role",
        "auth.unlock": "role",
    }
)

# placeholder values: the guards must answer before any object is looked up
_VALUES = {"fmt": "json", "action": "accept", "code": "A"}


def _url(rule) -> str:
    values = {arg: _VALUES.get(arg, "1") for arg in rule.arguments}
    return rule.build(values, append_unknown=False)[1]


def _rules():
    app = create_app({"RATELIMIT_ENABLED": False})  # nothing connects: only the url map is read
    return [
        (rule.endpoint, method, _url(rule))
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]


RULES = _rules()
STAFF_RULES = [r for r in RULES if r[0] not in PUBLIC]
ROLE_RULES = [r for r in RULES if STAFF.get(r[0]) == "role"]


def _ids(rules):
    return [f"{method} {url}" for _e, method, url in rules]


def test_every_rule_is_classified():
    endpoints = {endpoint for endpoint, _m, _u in RULES}
    assert not set(PUBLIC) & set(STAFF)
    assert endpoints - set(PUBLIC) - set(STAFF) == set(), "new endpoint: classify it in PUBLIC or STAFF"
    assert set(PUBLIC) | set(STAFF) <= endpoints, "stale entry in PUBLIC or STAFF"


@pytest.fixture()
def anon_token(client):
    """A valid CSRF token of an anonymous session, so that the login check (not CSRF) answers."""
    return csrf_from(client.get("/login").get_data(as_text=True))


@pytest.mark.parametrize("endpoint,method,url", STAFF_RULES, ids=_ids(STAFF_RULES))
def test_anonymous_gets_401_json_or_the_login_page(client, anon_token, endpoint, method, url):
    resp = client.open(url, method=method, headers={"X-CSRFToken": anon_token, "Accept": "application/json"})
    assert resp.status_code == 401, resp.get_data(as_text=True)[:200]
    assert resp.get_json()["error"]["code"] == "unauthorized"
    resp = client.open(url, method=method, headers={"X-CSRFToken": anon_token, "Accept": "text/html"})
    if url.startswith(JSON_PREFIXES):  # APIs answer JSON even to a browser
        assert resp.status_code == 401 and resp.get_json()["error"]["code"] == "unauthorized"
    else:
        assert resp.status_code == 302
        assert resp.headers["Location"].startswith("/login?next=" + url.split("?")[0])


def test_public_role_gets_403_on_every_role_guarded_rule(client, make_user):
    # one login for all rules (scrypt makes a login per rule slow); every refusal is listed on failure
    token = login(client, make_user(roles.PUBLIC).username)
    wrong = []
    for _endpoint, method, url in ROLE_RULES:
        resp = client.open(url, method=method, headers={"X-CSRFToken": token, "Accept": "application/json"})
        body = resp.get_json(silent=True) or {}
        if resp.status_code != 403 or body.get("error", {}).get("code") != "forbidden":
            wrong.append(f"{method} {url} → {resp.status_code}")
    assert len(ROLE_RULES) > 40 and wrong == []


# blueprints guarded as a whole: only these roles pass, every other staff role gets 403 on every rule
BLUEPRINT_ROLES = {
    "editor": {roles.PLANNER, roles.ADMIN},
    "editor_api": {roles.PLANNER, roles.ADMIN},
    "audit": {roles.AUDITOR},
    "audit_api": {roles.AUDITOR},
    "accounts": {roles.ADMIN, roles.SECADMIN},  # each action: one of the two (tests/routes/test_separation.py)
}


@pytest.mark.parametrize("role", sorted(set(roles.ALL) - {roles.PUBLIC}))
def test_every_staff_role_outside_a_blueprints_roles_gets_403(client, make_user, role):
    token = login(client, make_user(role, grids=("B",)).username)
    checked, wrong = 0, []
    for endpoint, method, url in RULES:
        allowed = BLUEPRINT_ROLES.get(endpoint.split(".")[0])
        if allowed is None or role in allowed:
            continue
        checked += 1
        resp = client.open(url, method=method, headers={"X-CSRFToken": token, "Accept": "application/json"})
        if resp.status_code != 403:
            wrong.append(f"{method} {url} → {resp.status_code}")
    assert checked >= (2 if role in (roles.PLANNER, roles.ADMIN) else 15) and wrong == []
