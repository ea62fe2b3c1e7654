"""The filing package's interactive map: one self-contained HTML file (folium + the vendored Leaflet, no CDN).

The reviewer of a 备案 opens it offline from the zip: every level is a layer that can be switched on
and off, and hovering a grid shows its code, name, parent and responsible entity.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import folium
import shapely
from sqlalchemy.orm import Session

from gisgrid.deployment import Profile, from_env
from gisgrid.grids import queries as grid_queries

LEAFLET = Path(__file__).resolve().parents[1] / "static" / "vendor" / "leaflet"
LEVEL_COLOURS = {1: "#b00020", 2: "#1565c0", 3: "#2e7d32", 4: "#6a1b9a"}
TOOLTIP = (("code", "网格编码"), ("name", "网格名称"), ("parent", "上级网格"), ("entity", "责任主体"))


def _inline_css() -> str:
    # the layer-control icons become data: URIs, so the page needs no file beside it
    css = (LEAFLET / "leaflet.css").read_text(encoding="utf-8")

    def embed(match: re.Match) -> str:
        data = base64.b64encode((LEAFLET / "images" / match.group(1)).read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\(images/([\w.-]+\.png)\)", embed, css)


def _inline_js() -> str:
    js = (LEAFLET / "leaflet.js").read_text(encoding="utf-8")
    return js.replace("//# sourceMappingURL=leaflet.js.map", "")


def _bare_map() -> folium.Map:
    # no tile layer (an intranet reviewer has no tile server) and none of folium's CDN assets
    fmap = folium.Map(tiles=None, control_scale=True, prefer_canvas=False)
    fmap.default_js, fmap.default_css = [], []
    header = fmap.get_root().header
    header.add_child(folium.Element(f"<style>{_inline_css()}</style>"), name="leaflet_css", index=0)
    header.add_child(folium.Element(f"<script>{_inline_js()}</script>"), name="leaflet_js", index=1)
    return fmap


def _features(grids, shapes: dict, level: int) -> dict:
    names = {g.code: g.name for g in grids}
    features = []
    for g in grids:
        if g.level != level:
            continue
        # names come from planners' files: escaped here because the tooltip inserts them as HTML
        props = {"code": g.code, "name": g.name, "parent": names.get(g.parent_code, ""), "entity": g.entity or ""}
        props = {key: html.escape(value) for key, value in props.items()}
        features.append({"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(shapes[g.code])})
    return {"type": "FeatureCollection", "features": features}


def interactive_html(session: Session, version_id: int, label: str, profile: Profile | None = None) -> bytes:
    """The version's grids as a self-contained interactive HTML map, one switchable layer per level."""
    grids = grid_queries.version_grids(session, version_id)
    wkb = grid_queries.grid_wkb(session, version_id)
    shapes = {g.code: shapely.from_wkb(wkb[g.id]) for g in grids}
    profile = profile or from_env()
    fmap = _bare_map()
    fmap.get_root().title = f"网格划分交互地图 · {label}"
    for level in sorted({g.level for g in grids}):
        style = {"color": LEVEL_COLOURS.get(level, "#444444"), "weight": max(4 - level, 1), "fillOpacity": 0.08}
        layer = folium.FeatureGroup(name=profile.level_label(level), show=True)
        folium.GeoJson(
            _features(grids, shapes, level),
            style_function=lambda _feature, s=style: s,
            tooltip=folium.GeoJsonTooltip(fields=[k for k, _ in TOOLTIP], aliases=[v for _, v in TOOLTIP]),
        ).add_to(layer)
        layer.add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    if shapes:
        west, south, east, north = shapely.total_bounds(list(shapes.values()))
        fmap.fit_bounds([[south, west], [north, east]])
    return fmap.get_root().render().encode("utf-8")
