// The events list page: each event's act on a map, coloured by status, with a link to the event.
(function () {
  "use strict";
  var events = JSON.parse(document.getElementById("events-data").textContent), esc = window.gisgrid.escapeHtml;
  var map = gisgrid.initialView(L.map("map"));
  var color = function (e) { return e.disputed ? "#6a1b9a" : e.holder ? "#2e7d32" : "#c62828"; };
  var layer = L.geoJSON({ type: "FeatureCollection", features: events.map(function (e) {
    return { type: "Feature", geometry: e.act, properties: e }; }) }, {
    style: function (f) { return { color: color(f.properties), weight: 5, fillOpacity: 0.4 }; },
    pointToLayer: function (f, ll) { return L.circleMarker(ll, { radius: 8, color: "#fff", weight: 2, fillColor: color(f.properties), fillOpacity: 1 }); },
    onEachFeature: function (f, l) {
      l.bindPopup('<a href="/jurisdiction/events/' + esc(f.properties.id) + '">' + esc(f.properties.title) + "</a><br>主办：" + esc(f.properties.holder || "待指定"));
    }
  }).addTo(map);
  if (layer.getBounds().isValid()) { map.fitBounds(layer.getBounds(), { padding: [20, 20], maxZoom: 15 }); }
  var legend = L.control({ position: "bottomright" });
  legend.onAdd = function () {
    var d = L.DomUtil.create("div", "legend");
    d.innerHTML = '<i data-style="background:#2e7d32"></i>管辖已确定<br><i data-style="background:#c62828"></i>待指定<br><i data-style="background:#6a1b9a"></i>争议待指定';
    return d;
  };
  legend.addTo(map);
})();
