"""The landing page at / (Chinese, works with or without a published version)."""


def test_landing_page_without_published_version(client):
    resp = client.get("/")
    assert resp.status_code == 200
    assert "尚未发布任何网格边界" in resp.get_data(as_text=True)


def test_landing_page_shows_published_version(client, world_ab):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert "ab" in page  # the version label (file stem)
    assert "<td>3 级</td><td>4</td>" in page
    assert "/static/js/lookup.js" in page
    assert client.get("/static/js/lookup.js").status_code == 200
