// Public grid map: vector tiles of the published grids, level switcher, labels, search,
// "which grid am I in?" (click, browser location or typed coordinates) and a detail panel.
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("map-config").textContent);
  var crs = cfg.tile_crs === "gcj02" ? "gcj02" : "wgs84";  // overlays follow the base map's datum
  var COLORS = { 1: "#1f6f5c", 2: "#2b6cb0", 3: "#c05621", 4: "#6b46c1", 5: "#b83280" };
  var levels = [], chosenLevel = null;
  var LABEL_GAP = 2;  // px kept free between two labels
  var $ = function (id) { return document.getElementById(id); };

  var map = gisgrid.initialView(L.map("map", { zoomControl: true, minZoom: 3, maxZoom: 19 }));
  if (cfg.tile_url) { L.tileLayer(cfg.tile_url, { maxZoom: 19, attribution: cfg.tile_attribution }).addTo(map); }
  map.attributionControl.setPrefix(false);
  window.gisgrid.publicMap = map;  // for tests and embedding pages

  function qs(params) {
    var p = new URLSearchParams();
    Object.keys(params).forEach(function (k) { if (params[k] !== null && params[k] !== undefined && params[k] !== "") { p.set(k, params[k]); } });
    return p.toString();
  }
  function color(level) { return COLORS[level] || "#444"; }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }

  // ---- vector tiles
  function tileUrl() {
    return "/tiles/{z}/{x}/{y}.pbf?" + qs({ crs: crs, level: chosenLevel, at: cfg.at });
  }
  var grids = L.vectorGrid.protobuf(tileUrl(), {
    rendererFactory: L.canvas.tile, interactive: false, maxNativeZoom: 18, maxZoom: 19,
    vectorTileLayerStyles: {
      grids: function (props) {
        var c = color(props.level);
        return { color: c, weight: props.level === 1 ? 3 : 1.6, fill: true, fillColor: c, fillOpacity: 0.06 };
      }
    }
  }).addTo(map);

  // the parent level's outlines on top, so the grid shown is seen inside its township or county
  function parentLevel() { var l = shownLevel(); return l > (levels.length ? levels[0].level : 1) ? l - 1 : null; }
  function parentUrl() { return "/tiles/{z}/{x}/{y}.pbf?" + qs({ crs: crs, level: parentLevel(), at: cfg.at }); }
  var parents = null, parentShown = null;
  function refreshParents() {
    var want = parentLevel();
    if (want === parentShown) { return; }
    parentShown = want;
    if (parents) { map.removeLayer(parents); parents = null; }
    if (want === null) { return; }
    parents = L.vectorGrid.protobuf(parentUrl(), {
      rendererFactory: L.canvas.tile, interactive: false, maxNativeZoom: 18, maxZoom: 19,
      vectorTileLayerStyles: { grids: function () { return { color: color(want), weight: 3, fill: false, opacity: 0.8 }; } }
    }).addTo(map);
  }
  map.on("zoomend", refreshParents);

  // ---- levels: switcher, legend, labels
  function shownLevel() {
    if (chosenLevel) { return chosenLevel; }
    var z = map.getZoom(), best = levels.length ? levels[0].level : 1;
    levels.forEach(function (l) { if (l.auto_min_zoom <= z) { best = Math.max(best, l.level); } });
    return best;
  }
  function renderLevels() {
    var box = $("levels");
    box.replaceChildren();
    var opts = [{ value: "", text: "自动" }].concat(levels.map(function (l) {
      var lv = gisgrid.level(l.level);  // the profile's name and number of this depth (虎林: depth 1 = 市, 2 级)
      return { value: String(l.level), text: lv.name + " · " + lv.number + " 级（" + l.count + " 个）", level: l };
    }));
    opts.forEach(function (o) {
      var label = el("label"), input = document.createElement("input");
      input.type = "radio"; input.name = "level"; input.value = o.value;
      input.checked = String(chosenLevel || "") === o.value;
      input.addEventListener("change", function () {
        chosenLevel = o.value ? Number(o.value) : null;
        grids.setUrl(tileUrl());
        refreshParents();
        if (o.level && map.getZoom() < o.level.min_zoom) { map.setZoom(o.level.min_zoom); }
        refreshLabels();
      });
      label.appendChild(input);
      if (o.level) { var i = el("i"); i.style.borderColor = color(o.level.level); i.style.display = "inline-block"; i.style.width = "1rem"; i.style.height = ".8rem"; label.appendChild(i); }
      label.appendChild(document.createTextNode(o.text));
      box.appendChild(label);
    });
  }
  var legend = L.control({ position: "bottomleft" });
  legend.onAdd = function () {
    var div = L.DomUtil.create("div", "legend");
    levels.forEach(function (l) {
      var row = el("div"), i = el("i");
      i.style.borderColor = color(l.level); i.style.background = "transparent";
      row.appendChild(i); row.appendChild(document.createTextNode(gisgrid.level(l.level).label));
      div.appendChild(row);
    });
    return div;
  };

  var labelLayer = L.layerGroup().addTo(map), labelSeq = 0;
  function refreshLabels() {
    var b = map.getBounds(), seq = ++labelSeq;
    var bbox = [Math.max(b.getWest(), -180), Math.max(b.getSouth(), -90), Math.min(b.getEast(), 180), Math.min(b.getNorth(), 90)].map(function (v) { return v.toFixed(6); }).join(",");
    gisgrid.api.get("/api/v1/grids/labels?" + qs({ bbox: bbox, level: shownLevel(), crs: crs, at: cfg.at })).then(function (body) {
      if (seq !== labelSeq) { return; }
      labelLayer.clearLayers();
      var markers = body.labels.map(function (l) {
        var icon = L.divIcon({ className: "grid-label", html: "", iconSize: null });
        var m = L.marker([l.lat, l.lon], { icon: icon, interactive: false, keyboard: false });
        m.on("add", function () { var s = el("span", l.name); m.getElement().appendChild(s); });
        labelLayer.addLayer(m);
        return m;
      });
      thinLabels(markers);
    }).catch(function () { labelLayer.clearLayers(); });
  }
  map.on("moveend", refreshLabels);

  // Labels come largest grid first; one is hidden when its box would overlap a label already kept.
  // All boxes are measured before any class changes, so the page is laid out once, not once per label.
  function thinLabels(markers) {
    var elements = markers.map(function (m) { return m.getElement(); }).filter(Boolean);
    elements.forEach(function (e) { e.classList.remove("label-hidden"); });
    var boxes = elements.map(function (e) { return e.firstChild.getBoundingClientRect(); }), kept = [];
    elements.forEach(function (e, i) {
      var b = boxes[i], clash = kept.some(function (k) {
        return b.left < k.right + LABEL_GAP && k.left < b.right + LABEL_GAP && b.top < k.bottom + LABEL_GAP && k.top < b.bottom + LABEL_GAP;
      });
      e.classList.toggle("label-hidden", clash);
      if (!clash) { kept.push(b); }
    });
  }

  // ---- 重点监管单元网格: overlays of the tiling (designated by a grid, supervised at its level), own toggleable layer
  var UNIT_COLOR = "#9b2c2c";
  var unitLayer = L.geoJSON(null, {
    interactive: false,  // a click still asks "which grid am I in?", whose answer lists the unit grids
    style: { color: UNIT_COLOR, weight: 2.5, dashArray: "6 4", fill: true, fillColor: UNIT_COLOR, fillOpacity: 0.12 },
    className: "unit-grid"
  }).addTo(map);
  window.gisgrid.unitGridLayer = unitLayer;  // for tests
  var overlays = L.control.layers(null, { "重点监管单元网格": unitLayer }, { collapsed: false, position: "topright" }).addTo(map);
  gisgrid.api.get("/api/v1/unit-grids?" + qs({ crs: crs, at: cfg.at })).then(function (body) {
    unitLayer.addData(body);
    if (!body.features.length) { map.removeControl(overlays); }  // a deployment without unit grids shows no toggle
  }).catch(function () { map.removeControl(overlays); });

  function unitFacts(units, chain) {
    var box = el("div", null, "unit-grids"), names = {};
    chain.forEach(function (g) { names[g.code] = g.name; });  // the designating grid is in the chain
    box.appendChild(el("h3", "重点监管单元网格"));
    units.forEach(function (u) {
      var by = (names[u.parent_code] || "") + "（" + u.parent_code + "）";
      box.appendChild(el("p", u.name + "：由 " + u.level + " 级网格 " + by + " 重点监管"));
      box.appendChild(facts(u));
    });
    return box;
  }

  // ---- grid detail panel
  var highlight = L.layerGroup().addTo(map), pointLayer = L.layerGroup().addTo(map);

  function facts(grid) {
    var dl = el("dl", null, "facts");
    function row(k, v) { if (v) { dl.appendChild(el("dt", k)); dl.appendChild(el("dd", v)); } }
    row("编码", grid.code);
    row("层级", gisgrid.level(grid.level).label);
    row("责任主体", grid.entity || "—");
    if (grid.leader && grid.leader.name) {
      row("第一责任人", grid.leader.name + (grid.leader.title ? "（" + grid.leader.title + "）" : ""));
      row("责任人电话", grid.leader.phone);
    }
    row("联系电话", grid.contact_phone);
    (grid.staff || []).forEach(function (s) { row(s.role, s.name + (s.phone ? "  " + s.phone : "")); });
    row("工作职责", grid.duties);
    row("工作任务", grid.tasks);
    row("奖惩", grid.rewards_penalties);
    if (grid.sample_data) { row("说明", "示例数据（人员和电话均为虚构）"); }
    return dl;
  }

  function chainBar(chain) {
    var ul = el("ul", null, "chainbar");
    chain.forEach(function (g) {
      var li = el("li"), a = el("a", g.name);
      a.addEventListener("click", function () { selectGrid(g.code, true); });
      li.appendChild(a); ul.appendChild(li);
    });
    return ul;
  }

  function showDetail(body, zoomTo) {
    var g = body.grid, box = $("detail");
    box.replaceChildren();
    box.appendChild(el("h2", g.name));
    box.appendChild(chainBar(body.chain));
    box.appendChild(facts(g));
    if (body.children.length) {
      box.appendChild(el("h3", "下级网格（" + body.children.length + "）"));
      var list = el("p", null, "linklist");
      body.children.forEach(function (c, i) {
        var a = el("a", c.name);
        a.addEventListener("click", function () { selectGrid(c.code, true); });
        if (i) { list.appendChild(document.createTextNode("、")); }
        list.appendChild(a);
      });
      box.appendChild(list);
    }
    var links = el("p"), print = el("a", "打印公示牌");
    print.href = "/grids/" + encodeURIComponent(g.code) + "/notice" + (cfg.at ? "?at=" + cfg.at : "");
    var link = el("a", "本网格链接");
    link.href = "/grids/" + encodeURIComponent(g.code) + (cfg.at ? "?at=" + cfg.at : "");
    links.appendChild(print); links.appendChild(document.createTextNode(" · ")); links.appendChild(link);
    box.appendChild(links);
    highlight.clearLayers();
    var shape = L.geoJSON(g.geometry, { style: { color: "#d00", weight: 3, fill: false }, interactive: false });
    highlight.addLayer(shape);
    if (zoomTo) { map.fitBounds(shape.getBounds(), { maxZoom: 17 }); }
  }

  function selectGrid(code, zoomTo) {
    return gisgrid.api.get("/api/v1/grids/" + encodeURIComponent(code) + "?" + qs({ crs: crs, at: cfg.at }))
      .then(function (body) { showDetail(body, zoomTo); })
      .catch(function (err) { $("detail").replaceChildren(el("p", err.message, "err")); });
  }

  // ---- which grid am I in?
  function showLookup(body) {
    var out = $("result");
    out.replaceChildren();
    var p = el("p", "所在网格：");
    p.appendChild(chainBar(body.chain));
    out.appendChild(p);
    if (body.near_boundary && body.near_boundary.length) {
      var names = body.near_boundary.map(function (g) { return g.name + " " + g.distance_m + " 米"; });
      out.appendChild(el("p", "注意：距以下网格不足 " + body.near_boundary_m + " 米，管辖可能存疑：" + names.join("、"), "warn near-boundary"));
    }
    if (body.unit_grids && body.unit_grids.length) { out.appendChild(unitFacts(body.unit_grids, body.chain)); }
    selectGrid(body.chain[body.chain.length - 1].code, false);
  }

  // The lookup runs on the point as given (the server turns it into WGS84 and echoes it in
  // body.query); the marker is drawn from that WGS84 point moved into the base map's datum,
  // so on a GCJ-02 base map it sits where the shifted grids are drawn.
  function displayLatLng(lon, lat) {
    var p = crs === "gcj02" ? gisgrid.gcj02.fromWgs84(lon, lat) : [lon, lat];
    return L.latLng(p[1], p[0]);
  }
  function markPoint(query, zoom) {
    var here = displayLatLng(query.lon, query.lat);
    pointLayer.clearLayers();
    pointLayer.addLayer(L.circleMarker(here, { radius: 6, color: "#d00", fillOpacity: 0.8, className: "lookup-point" }));
    if (zoom) { map.setView(here, Math.max(map.getZoom(), zoom)); }
  }

  function locate(lon, lat, pointCrs, zoom) {
    pointLayer.clearLayers();
    var url = "/api/v1/lookup?" + qs({ lon: lon, lat: lat, crs: pointCrs, at: cfg.at });
    return gisgrid.api.get(url).then(function (body) {
      markPoint(body.query, zoom);
      showLookup(body);
    }).catch(function (err) {
      var details = err.body && err.body.error && err.body.error.details;
      if (details && details.query) { markPoint(details.query, zoom); }  // outside every grid: still show where
      $("result").replaceChildren(el("p", err.message, "err"));
      $("detail").replaceChildren();
      highlight.clearLayers();
    });
  }

  map.on("click", function (e) { locate(e.latlng.lng.toFixed(7), e.latlng.lat.toFixed(7), crs, null); });

  $("lookup").addEventListener("submit", function (event) {
    event.preventDefault();
    var f = new FormData($("lookup"));
    locate(f.get("lon"), f.get("lat"), f.get("crs"), 14);
  });

  $("geolocate").addEventListener("click", function () {
    if (!navigator.geolocation) { $("result").replaceChildren(el("p", "此浏览器不支持定位", "err")); return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      locate(pos.coords.longitude, pos.coords.latitude, "wgs84", 15);  // the browser gives WGS84
    }, function () { $("result").replaceChildren(el("p", "无法获取您的位置（未授权或不可用）", "err")); });
  });

  // ---- search
  $("search").addEventListener("submit", function (event) {
    event.preventDefault();
    var q = new FormData($("search")).get("q"), out = $("results");
    gisgrid.api.get("/api/v1/grids/search?" + qs({ q: q, at: cfg.at })).then(function (body) {
      out.replaceChildren();
      if (!body.results.length) { out.appendChild(el("li", "没有找到匹配的网格", "muted")); }
      body.results.forEach(function (r) {
        var li = el("li"), a = el("a", r.name);
        a.addEventListener("click", function () { selectGrid(r.code, true); });
        li.appendChild(a);
        li.appendChild(el("span", "  " + gisgrid.level(r.level).label + " · " + (r.parent_name ? r.parent_name + " · " : "") + (r.entity || ""), "muted"));
        out.appendChild(li);
      });
    }).catch(function (err) { out.replaceChildren(el("li", err.message, "err")); });
  });

  // ---- start
  gisgrid.api.get("/api/v1/grids/levels?" + qs({ at: cfg.at })).then(function (body) {
    levels = body.levels;
    renderLevels();
    refreshParents();
    legend.addTo(map);
    if (cfg.code) { selectGrid(cfg.code, true); }
    else { gisgrid.api.get("/ogc/collections/grids?" + qs({ at: cfg.at })).then(function (c) {
      var b = c.extent.spatial.bbox[0];
      if (b) { map.fitBounds([[b[1], b[0]], [b[3], b[2]]]); }
      refreshLabels();
    }); }
  }).catch(function () { /* nothing published: the page says so */ });
}());
