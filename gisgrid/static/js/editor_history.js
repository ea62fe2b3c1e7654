// History map: the grids of the version in force on a day, coloured by level, with a legend.
(function () {
  "use strict";
  var version = document.getElementById("history-version").getAttribute("data-version");
  var COLORS = { 1: "#1f6f5c", 2: "#e67700", 3: "#4263eb" };
  var map = L.map("map");
  var legend = L.control({ position: "bottomleft" });
  legend.onAdd = function () {
    var div = L.DomUtil.create("div", "legend");
    // one row per level of the deployment profile, with its number and name (虎林: 二级网格 · 市 …)
    div.innerHTML = gisgrid.levels().map(function (l) {
      var c = COLORS[l.depth] || "#555";
      var mark = l.depth === 1 ? "border:3px solid " + c : l.depth === 2 ? "border:2px solid " + c : "background:" + c + ";opacity:.4";
      return '<i data-style="' + mark + '"></i>' + gisgrid.escapeHtml(l.label);
    }).join("<br>");
    return div;
  };
  legend.addTo(map);
  window.gisgrid.api.get("/api/v1/editor/versions/" + version + "/grids").then(function (fc) {
    fc.features.sort(function (a, b) { return b.properties.level - a.properties.level; });
    var layer = L.geoJSON(fc, {
      style: function (f) {
        var lv = f.properties.level;
        return { color: COLORS[lv] || "#555", weight: lv === 1 ? 3 : (lv === 2 ? 2 : 0.7), fill: f.properties.leaf, fillOpacity: 0.15 };
      },
      onEachFeature: function (f, l) { l.bindTooltip(gisgrid.escapeHtml(f.properties.code + " " + f.properties.name), { sticky: true }); }
    }).addTo(map);
    map.fitBounds(layer.getBounds());
  });
})();
