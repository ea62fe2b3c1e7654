import pytest

from gisgrid.grids import service
from tests import worlds


@pytest.fixture()
def world_ab(session, tmp_path):
    """World A/B imported from a GeoPackage in EPSG:4528 and published."""
    path = worlds.write(worlds.world_ab_frame(), tmp_path / "ab.gpkg")
    return service.import_file(session, path, publish=True)


@pytest.fixture()
def world_e(session, tmp_path):
    """World E (WGS84, for exact-edge tests) imported and published."""
    path = worlds.write(worlds.world_e_frame(), tmp_path / "e.geojson")
    return service.import_file(session, path, publish=True)
