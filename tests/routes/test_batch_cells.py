"""The raster pre-assignment of batch points gives PostGIS's answers, and its file on disk is never trusted blindly.

Dense lattices over the test worlds put points on shared edges, on corners, in A1's hole (where the exclave
A2b sits) and outside; every answer of ``PartIndex.assign`` (cells first, GEOS for touched cells) must equal
``leaf_codes_at.sql``'s, at several raster resolutions.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from sqlalchemy import text

from gisgrid.grids import batch, batch_store, cells, queries, versions
from tests import worlds


def _lattice(x0, y0, x1, y1, n):
    xs, ys = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    return xs.ravel(), ys.ravel()


def _postgis_codes(session, version_id, lon, lat):
    points = [(i, float(x), float(y)) for i, (x, y) in enumerate(zip(lon, lat))]
    chains = queries.leaf_codes_at(session, version_id, points)
    return [chains[i][-1] if i in chains else None for i in range(len(points))]


def _codes(index, lon, lat):
    return [index.grids[g][0] if g >= 0 else None for g in index.assign(np.asarray(lon), np.asarray(lat)).tolist()]


def _world_points(world="world_ab"):
    if world == "world_e":
        return _lattice(115.995, 38.995, 116.025, 39.015, 25)  # exactly on E's edges and corners
    ab = [worlds.wgs84(x, y) for x, y in zip(*_lattice(-250, -250, 4250, 1250, 37))]
    ab += [worlds.wgs84(x, y) for x, y in zip(*_lattice(150, 150, 450, 450, 13))]  # around the hole and exclave
    ab += [worlds.wgs84(x, y) for x in (0, 200, 400, 500, 1000, 2000) for y in (0, 200, 400, 1000)]  # vertices
    return tuple(np.asarray(v) for v in zip(*ab))


@pytest.mark.parametrize("world", ["world_ab", "world_e"])
@pytest.mark.parametrize("budget", [64, 4096, 262_144])
def test_cells_give_postgis_answers_on_dense_lattices(request, session, world, budget):
    request.getfixturevalue(world)
    version = versions.published(session)
    index = batch.build_index(session, version.id)
    geoms = np.empty(len(index.grid_ids), dtype=object)
    for tree, numbers in index.trees:
        geoms[numbers] = tree.geometries
    index.cells = cells.build(geoms, index.levels, index.grid_ids, budget=budget)
    lon, lat = _world_points(world)
    from_cells = index.cells.lookup(lon, lat)
    assert (from_cells >= 0).any(), "some points must be answered by the raster alone"
    expected = _postgis_codes(session, version.id, lon, lat)
    assert len(set(expected)) >= 3  # inside several grids and outside
    assert _codes(index, lon, lat) == expected


@pytest.mark.parametrize("world", ["world_ab", "world_e"])
def test_random_points_cells_equal_geos(request, session, world):
    request.getfixturevalue(world)
    index = batch.build_index(session, versions.published(session).id)
    assert index.cells is not None
    rng = np.random.default_rng(7)
    rows, cols = index.cells.cells.shape
    lon = index.cells.x0 + rng.uniform(-0.1, 1.1, 200_000) * cols * index.cells.dx
    lat = index.cells.y0 + rng.uniform(-0.1, 1.1, 200_000) * rows * index.cells.dy
    assert np.array_equal(index.assign(lon, lat), index.assign_exact(lon, lat))
    assert (index.cells.lookup(lon, lat) != cells.EXACT).mean() > 0.5


def _stored(tmp_path):
    (path,) = (tmp_path / "batch-index").glob("*.npz")
    return path


def test_prepared_file_is_written_then_loaded(session, world_ab, tmp_path):
    version = versions.published(session)
    built = batch_store.load_or_build(session, version, str(tmp_path))
    path = _stored(tmp_path)
    loaded = batch_store.load(session, version.id, path)
    assert loaded is not None and np.array_equal(loaded.cells.cells, built.cells.cells)
    lon, lat = _world_points()
    assert np.array_equal(loaded.assign(lon, lat), built.assign(lon, lat))


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage"])
def test_corrupt_file_is_rebuilt_not_trusted(session, world_ab, tmp_path, damage):
    version = versions.published(session)
    batch_store.load_or_build(session, version, str(tmp_path))
    path = _stored(tmp_path)
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "flip":
        data[len(data) // 3] ^= 0xFF  # inside an array: its CRC32 (or the zip's) no longer matches
    else:
        data = bytearray(b"not an index")
    path.write_bytes(bytes(data))
    assert batch_store.load(session, version.id, path) is None
    rebuilt = batch_store.load_or_build(session, version, str(tmp_path))
    assert batch_store.load(session, version.id, path) is not None  # written anew
    lon, lat = _world_points()
    assert _codes(rebuilt, lon, lat) == _postgis_codes(session, version.id, lon, lat)


def test_stale_file_is_not_used_after_parts_change(session, world_ab, tmp_path):
    version = versions.published(session)
    batch_store.load_or_build(session, version, str(tmp_path))
    old = _stored(tmp_path)
    # the parts change in place (same version key): move B 1 km east
    session.execute(
        text("UPDATE grid_part SET geom = ST_Translate(geom, 0.02, 0) WHERE version_id = :v AND code = 'B'"),
        {"v": version.id},
    )
    new_path = batch_store.path_for(str(tmp_path), version.key, batch_store.fingerprint(session, version.id))
    assert new_path != old
    index = batch_store.load_or_build(session, version, str(tmp_path))
    assert _stored(tmp_path) == new_path  # the stale file was replaced
    lon, lat = _world_points()
    assert _codes(index, lon, lat) == _postgis_codes(session, version.id, lon, lat)


def test_file_copied_under_another_name_is_not_trusted(session, world_ab, tmp_path):
    version = versions.published(session)
    batch_store.load_or_build(session, version, str(tmp_path))
    path = _stored(tmp_path)
    other = path.with_name(path.name.replace(f"-v{version.id}-", "-v999999-"))
    other.write_bytes(path.read_bytes())
    assert batch_store.load(session, 999999, other) is None


def test_old_files_are_pruned(session, world_ab, tmp_path):
    version = versions.published(session)
    folder = tmp_path / "batch-index"
    folder.mkdir()
    path = batch_store.path_for(str(tmp_path), version.key, batch_store.fingerprint(session, version.id))
    database = path.name.split("-v")[0]
    same_version_old = folder / f"{database}-v{version.id}-old.npz"
    older, newer = folder / f"{database}-v999998-x.npz", folder / f"{database}-v999999-x.npz"
    for i, stale in enumerate((same_version_old, older, newer)):
        stale.write_bytes(b"x")
        os.utime(stale, (1_000_000 + i, 1_000_000 + i))
    batch_store.load_or_build(session, version, str(tmp_path))
    assert sorted(p.name for p in folder.iterdir()) == sorted([path.name, newer.name])


def test_loaded_file_is_mapped_not_copied(session, world_ab, tmp_path):
    version = versions.published(session)
    built = batch_store.load_or_build(session, version, str(tmp_path))
    path = _stored(tmp_path)
    loaded = batch_store.load(session, version.id, path)
    assert not loaded.cells.cells.flags.writeable  # a read-only view of the file's pages, shared by processes
    assert isinstance(loaded.cells.cells.base, np.memmap) or isinstance(loaded.cells.cells.base.base, np.memmap)
    assert np.array_equal(loaded.cells.cells, built.cells.cells) and np.array_equal(loaded.grid_ids, built.grid_ids)
