// Source maps: by class and inspection status (mode "sources"), overdue per grid (mode "overdue"),
// or one source (detail page). Vendored Leaflet, no tile layer: grid outlines give the context.
(function () {
  "use strict";
  var CLASS_COLORS = { A: "#2e7d32", B: "#1565c0", C: "#c62828" };
  var CLASS_NAMES = { A: "A类 简化监管", B: "B类 常规监管", C: "C类 重点监管" };
  var STATUS = { ok: ["#ffffff", 1, "检查正常"], due_soon: ["#f9a825", 3, "14天内到期"], overdue: ["#000000", 3, "逾期未检查"] };
  var STATUS_LABEL = { ok: "正常", due_soon: "即将到期", overdue: "逾期" };
  var el = document.getElementById("map");
  if (!el) { return; }
  var map = L.map(el, { preferCanvas: false });
  window.gisgridMap = map;

  var esc = window.gisgrid.escapeHtml;
  function legend(html) {
    var c = L.control({ position: "bottomright" });
    c.onAdd = function () { var d = L.DomUtil.create("div", "legend"); d.innerHTML = html; return d; };
    c.addTo(map);
  }
  function dot(color) { return '<i class="dot" data-style="background:' + color + '"></i>'; }
  function ring(color, w) { return '<i class="ring" data-style="border:' + w + 'px solid ' + color + '"></i>'; }
  function overdueColor(days) { return days > 90 ? "#b71c1c" : days > 30 ? "#ef6c00" : "#fbc02d"; }
  function detailUrl(id) { return el.dataset.detail.replace(/0$/, String(id)); }
  function popup(p) {
    return "<strong>" + esc(p.name) + "</strong><br>" + esc(p.code) + " · " + esc(CLASS_NAMES[p["class"]]) +
      "<br>检查状态：" + esc(STATUS_LABEL[p.status]) + "，应检 " + esc(p.due_on) +
      (p.status === "overdue" ? "（逾期 " + esc(p.days_overdue) + " 天）" : "") +
      '<br><a href="' + detailUrl(p.id) + '">一企一档</a>';
  }

  if (el.dataset.lon) {   // detail page: one source
    var ll = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)];
    map.setView(ll, 16);
    if (el.dataset.grid) {
      var g = L.geoJSON(JSON.parse(el.dataset.grid), { style: { color: "#78909c", weight: 2, fillOpacity: 0.05 } }).addTo(map);
      map.fitBounds(g.getBounds(), { padding: [10, 10] });
    }
    if (el.dataset.site) { L.geoJSON(JSON.parse(el.dataset.site), { style: { color: "#555", weight: 2, fillOpacity: 0.1 } }).addTo(map); }
    L.circleMarker(ll, { radius: 8, color: "#fff", weight: 2, fillColor: CLASS_COLORS[el.dataset["class"]], fillOpacity: 1 }).addTo(map);
    legend(dot(CLASS_COLORS[el.dataset["class"]]) + esc(CLASS_NAMES[el.dataset["class"]]) + "<br>" +
           '<i data-style="border:2px solid #555"></i>场地范围<br><i data-style="border:2px solid #78909c"></i>监管网格');
    return;
  }

  function fillTable(feats) {
    var body = document.querySelector("#source-table tbody");
    if (!body) { return; }
    body.innerHTML = feats.map(function (f) {
      var p = f.properties;
      return "<tr><td>" + esc(p.code) + '</td><td><a href="' + detailUrl(p.id) + '">' + esc(p.name) + "</a></td><td>" +
        esc(p["class"]) + "</td><td>" + esc(STATUS_LABEL[p.status]) + "</td><td>" + esc(p.due_on) + "</td><td>" +
        esc(p.grid_code) + "</td></tr>";
    }).join("");
    var filter = document.getElementById("filter");
    filter.addEventListener("input", function () {
      var q = filter.value.trim().toLowerCase();
      Array.prototype.forEach.call(body.rows, function (row) {
        row.style.display = !q || row.textContent.toLowerCase().indexOf(q) >= 0 ? "" : "none";
      });
    });
  }

  var mode = el.dataset.mode;
  gisgrid.api.get(el.dataset.url).then(function (data) {
    var feats = data.features.filter(function (f) { return mode !== "overdue" || f.properties.status === "overdue"; });
    // a grid counts every source below it: each source adds one to every code of its grid chain
    var perGrid = {};
    feats.forEach(function (f) {
      var chain = f.properties.grid_codes && f.properties.grid_codes.length ? f.properties.grid_codes : [f.properties.grid_code];
      chain.forEach(function (code) { perGrid[code] = (perGrid[code] || 0) + 1; });
    });
    var levels = [];
    data.grids.features.forEach(function (g) { if (levels.indexOf(g.properties.level) < 0) { levels.push(g.properties.level); } });
    levels.sort(function (a, b) { return a - b; });
    function gridLayer(level) {
      return L.geoJSON(data.grids, {
        filter: function (g) { return g.properties.level === level; },
        style: function (g) {
          var n = perGrid[g.properties.code] || 0;
          var fill = mode === "overdue" ? (n >= 3 ? "#d32f2f" : n === 2 ? "#f57c00" : n === 1 ? "#ffcc80" : "#ffffff") : "#ffffff";
          return { color: "#78909c", weight: 1, fillColor: fill, fillOpacity: mode === "overdue" ? 0.6 : 0.3 };
        },
        onEachFeature: function (g, layer) { layer.bindTooltip(esc(g.properties.name) + (mode === "overdue" ? "：逾期 " + (perGrid[g.properties.code] || 0) : "")); }
      });
    }
    var grids = gridLayer(levels[levels.length - 1]).addTo(map);
    el.setAttribute("data-level", String(levels[levels.length - 1]));
    if (mode === "overdue" && levels.length > 1) {
      var pick = L.control({ position: "topright" });
      pick.onAdd = function () {
        var d = L.DomUtil.create("div", "legend");
        d.innerHTML = '<label>网格层级 <select id="grid-level">' + levels.map(function (lv) {
          return '<option value="' + lv + '"' + (lv === levels[levels.length - 1] ? " selected" : "") + ">" + esc(gisgrid.level(lv).label) + "</option>";
        }).join("") + "</select></label>";
        L.DomEvent.disableClickPropagation(d);
        d.querySelector("select").addEventListener("change", function (e) {
          map.removeLayer(grids);
          grids = gridLayer(parseInt(e.target.value, 10)).addTo(map);
          grids.bringToBack();
          el.setAttribute("data-level", e.target.value);
        });
        return d;
      };
      pick.addTo(map);
    }
    var points = L.featureGroup(feats.map(function (f) {
      var p = f.properties, c = f.geometry.coordinates, st = STATUS[p.status];
      var style = mode === "overdue"
        ? { radius: 7, color: "#000", weight: 1, fillColor: overdueColor(p.days_overdue), fillOpacity: 1 }
        : { radius: 7, color: st[0], weight: st[1], fillColor: CLASS_COLORS[p["class"]], fillOpacity: 1 };
      return L.circleMarker([c[1], c[0]], style).bindPopup(popup(p));
    })).addTo(map);
    var bounds = points.getLayers().length ? points.getBounds() : grids.getBounds();
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [20, 20] }); } else { gisgrid.initialView(map); }
    if (mode === "overdue") {
      legend("<h4>逾期天数</h4>" + dot("#fbc02d") + "1–30 天<br>" + dot("#ef6c00") + "31–90 天<br>" + dot("#b71c1c") + "90 天以上" +
             "<h4>网格内逾期数</h4>" + '<i data-style="background:#ffcc80"></i>1 <i data-style="background:#f57c00"></i>2 <i data-style="background:#d32f2f"></i>≥3');
    } else {
      legend("<h4>监管类别</h4>" + ["A", "B", "C"].map(function (k) { return dot(CLASS_COLORS[k]) + CLASS_NAMES[k]; }).join("<br>") +
             "<h4>检查状态（外圈）</h4>" + ["ok", "due_soon", "overdue"].map(function (k) { return ring(STATUS[k][0] === "#ffffff" ? "#bbb" : STATUS[k][0], STATUS[k][1]) + STATUS[k][2]; }).join("<br>"));
    }
    var summary = document.getElementById("summary");
    if (summary) {
      var counts = { A: 0, B: 0, C: 0, overdue: 0 };
      feats.forEach(function (f) { counts[f.properties["class"]] += 1; if (f.properties.status === "overdue") { counts.overdue += 1; } });
      summary.innerHTML = ["A", "B", "C"].map(function (k) { return "<div><strong>" + counts[k] + "</strong>" + CLASS_NAMES[k] + "</div>"; }).join("") +
        '<div><strong class="err">' + counts.overdue + "</strong>逾期未检查</div>";
    }
    fillTable(feats);
    el.setAttribute("data-loaded", String(feats.length));
  }).catch(function (err) { el.textContent = "地图数据加载失败：" + err.message; });
})();
