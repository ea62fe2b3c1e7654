// Public disclosure maps (sources register, hazards): points from one JSON block, vendored Leaflet, no login.
(function () {
  "use strict";
  var el = document.getElementById("map");
  var block = document.getElementById("public-points");
  if (!el || !block || !window.L) { return; }
  var esc = window.gisgrid.escapeHtml;
  var points = JSON.parse(block.textContent);
  var map = L.map(el);
  window.gisgridMap = map;
  window.gisgrid.initialView(map);
  var layer = L.featureGroup(points.map(function (p) {
    var marker = L.circleMarker([p.lat, p.lon], { radius: 8, color: "#fff", weight: 2, fillColor: p.color || "#1565c0", fillOpacity: 1 });
    var html = "<strong>" + esc(p.title) + "</strong>" + (p.text ? "<br>" + esc(p.text) : "");
    if (p.href) { html += '<br><a href="' + esc(p.href) + '">详情</a>'; }
    return marker.bindPopup(html);
  })).addTo(map);
  if (points.length) { map.fitBounds(layer.getBounds(), { padding: [20, 20], maxZoom: 16 }); }
  el.dataset.loaded = String(points.length);  // tests and screenshots wait for this
  if (el.dataset.grids) {  // the public grid outlines as context under the points (no base map is required)
    window.gisgrid.api.get(el.dataset.grids).then(function (grids) {
      var outlines = L.geoJSON(grids, { interactive: false, style: { color: "#607d8b", weight: 1, fill: false } });
      outlines.addTo(map).bringToBack();
      el.dataset.gridsDrawn = "1";
    });
  }
})();
