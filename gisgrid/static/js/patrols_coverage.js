// Patrol coverage map: grids coloured by covered share, tracks, visited and unvisited sources.
(function () {
  "use strict";
  var el = document.getElementById("map");
  var data = JSON.parse(document.getElementById("coverage-data").textContent);
  var map = L.map(el);
  window.gisgridMap = map;
  var STEPS = [[0.75, "#1b5e20"], [0.5, "#43a047"], [0.25, "#a5d6a7"], [0.000001, "#e8f5e9"]];
  function color(share) { for (var i = 0; i < STEPS.length; i++) { if (share >= STEPS[i][0]) { return STEPS[i][1]; } } return "#ef9a9a"; }
  var esc = window.gisgrid.escapeHtml;
  // the deepest level only: parents would hide their children
  var deepest = data.grids.features.reduce(function (m, f) { return Math.max(m, f.properties.level); }, 0);
  var grids = L.geoJSON({ type: "FeatureCollection", features: data.grids.features.filter(function (f) { return f.properties.level === deepest; }) }, {
    style: function (f) { return { color: "#607d8b", weight: 1, fillColor: color(f.properties.share), fillOpacity: 0.7 }; },
    onEachFeature: function (f, layer) {
      layer.bindTooltip(esc(f.properties.name) + "：" + (f.properties.share * 100).toFixed(1) + "%" + (f.properties.patrolled ? "" : "（从未巡查）"));
    }
  }).addTo(map);
  L.geoJSON(data.tracks, { style: { color: "#283593", weight: 3 },
    onEachFeature: function (f, layer) { layer.bindTooltip(esc(f.properties.patroller) + " " + esc(f.properties.started_at.slice(0, 16))); } }).addTo(map);
  L.geoJSON(data.sources, { pointToLayer: function (f, ll) {
    return f.properties.visited
      ? L.circleMarker(ll, { radius: 5, color: "#fff", weight: 1, fillColor: "#283593", fillOpacity: 1 })
      : L.circleMarker(ll, { radius: 7, color: "#d50000", weight: 3, fillOpacity: 0 });
  }, onEachFeature: function (f, layer) { layer.bindTooltip(esc(f.properties.name) + (f.properties.visited ? "（已到访）" : "（未到访）")); } }).addTo(map);
  var b = grids.getBounds();
  if (b.isValid()) { map.fitBounds(b); } else { gisgrid.initialView(map); }
  var legend = L.control({ position: "bottomright" });
  legend.onAdd = function () {
    var d = L.DomUtil.create("div", "legend");
    d.innerHTML = "<strong>网格覆盖率</strong><br>" +
      '<i data-style="background:#1b5e20"></i>≥75%<br><i data-style="background:#43a047"></i>50–75%<br>' +
      '<i data-style="background:#a5d6a7"></i>25–50%<br><i data-style="background:#e8f5e9"></i>0–25%<br><i data-style="background:#ef9a9a"></i>未覆盖<br>' +
      '<i data-style="background:#283593;height:3px"></i>巡查轨迹<br>' +
      '<i data-style="border:3px solid #d50000;border-radius:50%;width:.8rem;height:.8rem"></i>未到访污染源<br>' +
      '<i data-style="background:#283593;border-radius:50%;width:.7rem;height:.7rem"></i>已到访污染源';
    return d;
  };
  legend.addTo(map);
  el.setAttribute("data-loaded", String(data.grids.features.length));
})();
