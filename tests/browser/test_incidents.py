"""The public report form in a real browser: a pin on the map creates a case in the right grid."""

from __future__ import annotations

import pytest

from gisgrid.auth.demo import DEMO_PASSWORD
from gisgrid.grids import versions as grid_versions
from tests.browser.conftest import browser_login, live_server, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture()
def incident_server(tmp_path):
    """A live server on its own demo database with the demo duty matrix and handler accounts."""
    # uploaded photos go to the test's own directory, not the worktree's var/media
    with live_server("gisgrid_browser_inc", {"MEDIA_DIR": str(tmp_path / "media")}) as url:
        from gisgrid.db import db
        from gisgrid.incidents.demo import load_demo

        # the live server's create_app bound the shared db object to its database
        with db.new_session() as session:
            load_demo(session)
        yield url


def test_public_report_with_a_map_pin_creates_a_case(page, incident_server):
    page.goto(incident_server + "/report")
    page.wait_for_selector("#report-map path.leaflet-interactive")
    page.select_option("select[name=category]", "dust")
    page.fill("textarea[name=description]", "工地渣土未覆盖，刮风时扬尘严重")
    box = page.locator("#report-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert "经度" in page.inner_text("#where")
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#case-id")
    case_id = page.inner_text("#case-id")
    screenshot(page, "incidents-report")
    assert page.watch.console_errors == [] and page.watch.external_requests == []
    page.click("#case-status")
    assert page.inner_text("#status-state") == "已上报"
    browser_login(page, incident_server, "dispatcher", DEMO_PASSWORD)
    page.goto(f"{incident_server}/incidents/{case_id}")
    text = page.inner_text("main")
    assert "已上报" in text and "110102000000 →" in text
    page.click("button[data-action=register]")
    page.wait_for_load_state("networkidle")
    assert "已立案" in page.inner_text("h1")
    page.goto(f"{incident_server}/incidents")
    page.wait_for_selector("#cases-map .leaflet-interactive")
    screenshot(page, "incidents-list")
    assert page.watch.console_errors == []


def test_kpi_choropleth_and_case_detail_render(page, incident_server):
    from gisgrid.db import db
    from gisgrid.incidents.demo import load_demo_cases

    with db.new_session() as session:
        assert load_demo_cases(session) == 8
    browser_login(page, incident_server, "dispatcher", DEMO_PASSWORD)
    page.goto(incident_server + "/incidents/kpi")
    page.wait_for_selector("#kpi-map path.leaflet-interactive")
    assert page.locator("#kpi-map path.leaflet-interactive").count() == 15  # the 15 streets
    assert "按期处置率" in page.inner_text("#kpi-map .legend")
    assert "住房和城乡建设委员会" in page.inner_text("#kpi-dept")
    screenshot(page, "incidents-kpi")
    page.goto(incident_server + "/incidents/2")  # the sample case that was reworked
    assert "返工" in page.inner_text("#timeline")
    screenshot(page, "incidents-detail")
    assert page.watch.console_errors == [] and page.watch.external_requests == []


def test_report_form_fits_a_phone(page, incident_server):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(incident_server + "/report")
    page.wait_for_selector("#report-map path.leaflet-interactive")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.locator("#report-map").bounding_box()["width"] > 300
    assert page.locator("#report-form button[type=submit]").is_visible()
    screenshot(page, "incidents-report-phone")


def _tiny_png() -> bytes:
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00\x80\x00"))
        + chunk(b"IEND", b"")
    )


def _as(page, url, username):
    page.context.clear_cookies()  # log the previous user out
    browser_login(page, url, username, DEMO_PASSWORD)


def _submit(page, action, **fields):
    form = page.locator("form", has=page.locator(f"button[data-action={action}]"))
    for name, value in fields.items():
        target = form.locator(f"[name={name}]")
        if name.startswith("photos"):
            target.set_input_files(value)
        elif name == "to_department":
            target.select_option(value)
        else:
            target.fill(value)
    form.locator(f"button[data-action={action}]").click()
    page.wait_for_load_state("networkidle")


def test_dispatch_transfer_return_and_feedback_on_the_case_page(page, incident_server, tmp_path):
    """A dispatcher dispatches; the handler transfers to 公安, which returns it; the handler records feedback."""
    from gisgrid.db import db
    from gisgrid.incidents import demo, intake
    from gisgrid.incidents.report import Report

    with db.new_session() as session:
        lon, lat = demo._points(session, grid_versions.find_published(session).id, 1)[0]
        case, _ = intake.report(session, Report("web", "dust", "工地渣土未覆盖", lon, lat), None, str(tmp_path))
        case_id = case.id
    url = f"{incident_server}/incidents/{case_id}"
    _as(page, incident_server, "dispatcher")
    page.goto(url)
    _submit(page, "register")
    _submit(page, "dispatch")
    assert "已派遣" in page.inner_text("h1") and "住房和城乡建设委员会" in page.inner_text("main")
    _as(page, incident_server, "handler_zhujian")
    page.goto(url)
    assert page.locator("button[data-action=start]").count() == 1
    assert page.locator("button[data-action=register]").count() == 0
    _submit(page, "transfer", to_department="gongan", reason="涉嫌违法，需公安处理")
    assert "待接收" in page.inner_text("main")
    _as(page, incident_server, "handler_gongan")
    page.goto(url)
    _submit(page, "transfer_return", reason="不属于本单位管辖")
    assert f"案件 {case_id} 已办理" in page.inner_text("#action-result")  # returned: no longer theirs
    _as(page, incident_server, "handler_zhujian")
    page.goto(url)
    chain = page.inner_text("main")
    assert "已退回" in chain and "不属于本单位管辖" in chain and "涉嫌违法，需公安处理" in chain
    _submit(page, "start")
    photo = tmp_path / "after.png"
    photo.write_bytes(_tiny_png())
    _submit(page, "handle", result="已覆盖防尘网并清运渣土", photos_after=str(photo))
    assert "已反馈" in page.inner_text("h1")
    timeline = page.inner_text("#timeline")
    assert all(step in timeline for step in ("派遣", "移送", "退回移送", "开始处置", "反馈处置结果"))
    img = page.locator("figure[data-stage=after] img")
    img.wait_for()
    assert page.evaluate("(el) => el.complete && el.naturalWidth > 0", img.element_handle())
    screenshot(page, "incidents-detail-handled")
    assert page.watch.console_errors == [] and page.watch.external_requests == []


def test_a_police_transfer_with_its_case_file_completion_and_feedback(page, incident_server, tmp_path):
    """站前区 移送制度: the handler picks the 第二条 route 移送公安机关 (no unit to choose), the photo goes with it;
    公安 accepts, records 查处完成 with its date (due 15 working days later) and reports back."""
    from gisgrid.clock import today_in_china
    from gisgrid.db import db
    from gisgrid.incidents import demo, intake
    from gisgrid.incidents.deadlines import add_working_days
    from gisgrid.incidents.report import Report

    with db.new_session() as session:
        lon, lat = demo._points(session, grid_versions.find_published(session).id, 1)[0]
        report = Report("web", "dust", "工地渣土未覆盖，阻挠检查", lon, lat, photos=(("a.png", _tiny_png()),))
        case, _ = intake.report(session, report, None, str(tmp_path / "media"))  # the server's MEDIA_DIR
        case_id = case.id
    url = f"{incident_server}/incidents/{case_id}"
    _as(page, incident_server, "dispatcher")
    page.goto(url)
    _submit(page, "register")
    _submit(page, "dispatch")
    _as(page, incident_server, "handler_zhujian")
    page.goto(url)
    assert "不得以行政处罚代替刑事处罚" in page.inner_text("#transfer-kinds")  # each route with its wording
    page.check("input[name=kind][value=police]")
    _submit(page, "transfer", reason="阻挠执法，涉嫌应当行政拘留")
    row = page.inner_text("#transfers")
    assert "移送公安机关" in row and "公安分局" in row and "待接收" in row and "材料 1" in row
    _as(page, incident_server, "handler_gongan")
    page.goto(url)
    with page.expect_download() as download:  # the receiver opens the copy of the case file
        page.click("#transfers .case-file a")
    assert download.value.path().read_bytes() == _tiny_png()
    _submit(page, "transfer_accept")
    assert "查处完成后 15 个工作日内反馈" in page.inner_text("#transfers")
    today = today_in_china()
    _submit(page, "transfer_complete", completed_on=today.isoformat(), reason="已移交拘留")
    row = page.inner_text("#transfers")
    assert f"查处完成 {today}，反馈期限 {add_working_days(today, 15)}" in row
    _submit(page, "transfer_feedback", feedback="已依法行政拘留")
    _as(page, incident_server, "handler_zhujian")
    page.goto(url)
    row = page.inner_text("#transfers")
    assert "已反馈" in row and "已依法行政拘留" in row and "反馈超期" not in row
    assert "登记查处完成" in page.inner_text("#timeline")
    screenshot(page, "incidents-transfer-police")
    assert page.watch.console_errors == [] and page.watch.external_requests == []
