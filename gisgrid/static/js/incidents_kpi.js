// Choropleth of grids by on-time handling rate (grey: no handled case in the period), with a legend.
(function () {
  "use strict";
  var el = document.getElementById("kpi-map");
  var map = gisgrid.initialView(L.map("kpi-map"));
  var steps = [[0.9, "#1a9850"], [0.75, "#91cf60"], [0.5, "#fee08b"], [0.25, "#fc8d59"], [0, "#d73027"]];
  function colour(v) {
    if (v === null || v === undefined) { return "#cccccc"; }
    for (var i = 0; i < steps.length; i++) { if (v >= steps[i][0]) { return steps[i][1]; } }
    return steps[steps.length - 1][1];
  }
  function pct(v) { return v === null || v === undefined ? "—" : (v * 100).toFixed(1) + "%"; }
  gisgrid.api.get(el.getAttribute("data-url")).then(function (fc) {
    var layer = L.geoJSON(fc, {
      style: function (f) { return { color: "#555", weight: 1, fillOpacity: 0.7, fillColor: colour(f.properties.on_time_rate) }; },
      onEachFeature: function (f, l) {
        var p = f.properties;
        l.bindTooltip(gisgrid.escapeHtml(p.name) + "：上报 " + p.reported + "，按期处置率 " + pct(p.on_time_rate) + "，结案率 " + pct(p.closure_rate), { sticky: true });
      }
    }).addTo(map);
    if (fc.features.length) { map.fitBounds(layer.getBounds()); }
  });
  var legend = L.control({ position: "bottomright" });
  legend.onAdd = function () {
    var div = L.DomUtil.create("div", "legend");
    // the KPI map's level is named as the deployment profile names it (data-level on the map element)
    var level = gisgrid.level(el.getAttribute("data-level") || 2);
    div.innerHTML = "<strong>" + gisgrid.escapeHtml(level.label) + " 按期处置率</strong>";
    var labels = ["≥ 90%", "75–90%", "50–75%", "25–50%", "< 25%"];
    steps.forEach(function (s, i) { div.innerHTML += '<div><i data-style="background:' + s[1] + '"></i>' + labels[i] + "</div>"; });
    div.innerHTML += '<div><i data-style="background:#cccccc"></i>无已反馈案件</div>';
    return div;
  };
  legend.addTo(map);
})();
