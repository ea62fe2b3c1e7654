"""The landing page at / is the public map (Chinese, works with or without a published version)."""


def test_landing_page_without_published_version(client):
    resp = client.get("/")
    assert resp.status_code == 200
    assert "尚未发布任何网格边界" in resp.get_data(as_text=True)


def test_landing_page_shows_published_version(client, world_ab):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert "ab" in page  # the version label (file stem)
    assert "3 级 4 个" in page
    assert "/static/js/public_map.js" in page
    assert client.get("/static/js/public_map.js").status_code == 200
