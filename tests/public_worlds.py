"""World A/B with privacy canaries: phones that must never reach a public page, API, tile or file."""

from __future__ import annotations

import geopandas as gpd

from tests import worlds

PRIVATE = (
    "199-0000-0000",
    "199-0000-0002",
    "138-0013-8000",
)  # leader mobiles, a private staff phone, a private contact
PUBLIC = ("199-0000-0001", "010-6666-0002")  # a public staff phone and a leader phone marked public


def frame():
    """World A/B where A1a's contact phone is private and A2's leader phone is public."""
    rows = worlds.world_ab_rows()
    for row in rows:
        if row["code"] == "A1a":
            row.update(contact_phone="138-0013-8000", contact_phone_public=False)
        if row["code"] == "A2":
            row.update(leader_phone="010-6666-0002", leader_phone_public=True)
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=worlds.PROJECTED)


def load(session, tmp_path, name="pub.gpkg", publish=True):
    """Import (and publish) the canary world; returns the ImportResult."""
    from gisgrid.grids import service

    return service.import_file(session, worlds.write(frame(), tmp_path / name), publish=publish)


def assert_no_private(blob, where: str) -> None:
    """No private phone in ``blob`` (text or bytes)."""
    data = blob if isinstance(blob, str) else blob.decode("utf-8", errors="replace")
    for phone in PRIVATE:
        assert phone not in data, f"private phone {phone} leaked in {where}"
