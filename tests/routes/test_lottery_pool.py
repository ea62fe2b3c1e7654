"""The 双随机 inspector pool over HTTP: chosen on the form, stored, published and applied again by a re-run."""

from __future__ import annotations

import io

from gisgrid.sources import lottery
from tests import worlds
from tests.helpers import login


def test_the_pool_is_chosen_on_the_form_and_published(client, world_ab, make_user):
    make_user("admin", username="boss")
    token = login(client, "boss")
    rows = "code,name,kind,lon,lat,class\n" + "\n".join(
        f"P{i},示例·P{i},enterprise,{lon!r},{lat!r},C"
        for i, (lon, lat) in enumerate(worlds.wgs84(x, 500) for x in (3100, 3300, 3500, 3700))
    )
    client.post(
        "/sources/import",
        data={"file": (io.BytesIO(rows.encode()), "s.csv")},
        headers={"X-CSRFToken": token},
        content_type="multipart/form-data",
    )
    chosen = make_user("handler", department="D9")
    make_user("handler", department="D8")
    make_user("grid_staff", department="D9")
    form = client.get("/lottery").get_data(as_text=True)
    assert 'name="pool_role" value="handler" checked' in form and 'value="D9"' in form
    resp = client.post(
        "/lottery",
        data={
            "csrf_token": token,
            "quarter": "2026Q3",
            "override_reason": "测试：补抽",
            "seed": "范围-1",
            "p_C": "1",
            "per_source": "1",
            "pool_role": "handler",
            "pool_department": "D9",
        },
    )
    assert resp.status_code == 302
    body = client.get(client.get("/api/v1/lottery").json[0]["url"]).json
    assert body["inputs"]["pool"] == {"roles": ["handler"], "departments": ["D9"]}
    assert [p["inspector_ids"] for p in body["results"]["picks"]] == [[chosen.id]] * 4
    assert body["rerun_matches"] and lottery.verify(body)
    page = client.get(f"/lottery/{body['id']}").get_data(as_text=True)
    assert "部门承办人" in page and "测试部门 D9（D9）" in page
    bad = client.post(
        "/lottery",
        data={"csrf_token": token, "quarter": "2026Q2", "pool_role": "admin"},
        headers={"Accept": "application/json"},
    )
    assert bad.status_code == 400
