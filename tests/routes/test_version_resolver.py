"""One version resolver: every ``?at=`` endpoint gives the same 400 for a malformed day and 404 before the first."""

from __future__ import annotations

import pytest

from gisgrid.errors import NotFound
from gisgrid.grids import versions
from tests import worlds

LON, LAT = worlds.wgs84(500, 500)
AT_ENDPOINTS = (
    f"/api/v1/lookup?lon={LON}&lat={LAT}",
    f"/api/v1/grids/locate?lon={LON}&lat={LAT}",
    "/api/v1/grids/search?q=A",
    "/api/v1/grids/levels",
    "/api/v1/grids/A",
    "/tiles/12/3413/1548.pbf",
    "/open-data/grids.csv",
    "/ogc/collections/grids/items",
)


@pytest.mark.parametrize("url", AT_ENDPOINTS)
def test_malformed_day_is_400_naming_at(client, world_ab, url):
    for raw in ("2025-13-01", "20250101", "yesterday"):
        response = client.get(f"{url}{'&' if '?' in url else '?'}at={raw}")
        assert response.status_code == 400, (url, raw, response.data[:300])
        assert "at" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("url", AT_ENDPOINTS)
def test_day_before_the_first_publication_is_404(client, world_ab, url):
    response = client.get(f"{url}{'&' if '?' in url else '?'}at=1999-01-01")
    assert response.status_code == 404, (url, response.data[:300])
    assert "1999-01-01" in response.get_json()["error"]["message"]


def test_resolver_answers_published_day_and_id(session, world_ab):
    published = versions.published(session)
    assert published.id == world_ab.version_id and published.status == "published"
    assert versions.resolve(session, None) == published
    assert versions.by_id(session, world_ab.version_id) == published
    assert published.key.version_id == published.id and published.key.published_at == published.published_at
    with pytest.raises(NotFound):
        versions.by_id(session, 987654)


def test_nothing_published_is_404(client):
    response = client.get(f"/api/v1/lookup?lon={LON}&lat={LAT}")
    assert response.status_code == 404
    assert client.get("/tiles/1/0/0.pbf").status_code == 404
    assert client.get("/open-data/grids.csv").status_code == 404
