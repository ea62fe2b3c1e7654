"""A/B/C classes are set by the environment department (环境保护主管部门 / 生态环境局), per the seeds.

Its handlers have ``set_source_class``; another department's handler neither sees the control nor may
post it; the roles besides it come from the setting SOURCE_CLASS_ROLES (default dispatcher, grid leader).
"""

from __future__ import annotations

import re

import pytest

from gisgrid.auth import roles
from gisgrid.sources.models import PollutionSource
from tests import worlds
from tests.helpers import login
from tests.routes.test_sources_routes import upload

_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@pytest.fixture()
def source(app, world_ab, make_user, session):
    admin = make_user(roles.ADMIN, username="class_admin")
    client = app.test_client()
    token = login(client, admin.username)
    lon, lat = worlds.wgs84(100, 100)
    csv = f"code,name,kind,lon,lat,class\nK1,示例·分类企业,enterprise,{lon!r},{lat!r},A".encode()
    assert upload(client, token, csv).status_code == 200
    return session.query(PollutionSource).filter_by(code="K1").one()


def user_client(app, make_user, role, department=None):
    user = make_user(role, grids=("A",) if role not in (roles.HANDLER, roles.ADMIN) else (), department=department)
    client = app.test_client()
    login(client, user.username)
    return client, user


def set_class(client, source_id, to_class="B", reason="示例·扩大规模"):
    page = client.get(f"/sources/{source_id}").get_data(as_text=True)
    token = _CSRF.search(page).group(1)
    shown = f'action="/sources/{source_id}/class"' in page
    resp = client.post(
        f"/sources/{source_id}/class",
        data={"to_class": to_class, "reason": reason},
        headers={"X-CSRFToken": token, "Accept": "application/json"},
    )
    return shown, resp


def test_the_environment_departments_handler_sets_the_class(app, make_user, source, session):
    client, user = user_client(app, make_user, roles.HANDLER, department="sthj")
    shown, resp = set_class(client, source.id)
    assert shown and resp.status_code == 302
    session.refresh(source)
    assert source.supervision_class == "B"
    assert (source.history[-1].to_class, source.history[-1].changed_by) == ("B", user.username)


def test_another_departments_handler_gets_403_and_no_control(app, make_user, source, session):
    client, _ = user_client(app, make_user, roles.HANDLER, department="zhujian")
    shown, resp = set_class(client, source.id)
    assert not shown
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "forbidden"
    session.refresh(source)
    assert source.supervision_class == "A" and len(source.history) == 1


def test_the_settings_choose_roles_and_departments(app, make_user, source, session):
    app.config["SOURCE_CLASS_ROLES"] = ()  # only the environment department (and the admin)
    dispatcher, _ = user_client(app, make_user, roles.DISPATCHER)
    shown, resp = set_class(dispatcher, source.id)
    assert not shown and resp.status_code == 403
    admin, _ = user_client(app, make_user, roles.ADMIN)
    assert set_class(admin, source.id, "B")[1].status_code == 302
    app.config["SOURCE_CLASS_DEPARTMENTS"] = ("hbj",)  # a county whose 环保局 has another code
    sthj, _ = user_client(app, make_user, roles.HANDLER, department="sthj")
    assert set_class(sthj, source.id, "A")[1].status_code == 403
    hbj, _ = user_client(app, make_user, roles.HANDLER, department="hbj")
    assert set_class(hbj, source.id, "A")[1].status_code == 302
    session.refresh(source)
    assert [h.to_class for h in source.history] == ["A", "B", "A"]


def test_bad_class_input_names_the_field(app, make_user, source):
    client, _ = user_client(app, make_user, roles.HANDLER, department="sthj")
    resp = set_class(client, source.id, to_class="Z")[1]
    assert resp.status_code == 400 and "to_class" in resp.get_json()["error"]["message"]
    resp = set_class(client, source.id, reason=" ")[1]
    assert resp.status_code == 400 and "reason" in resp.get_json()["error"]["message"]
