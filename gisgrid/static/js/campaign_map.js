// The campaign page's map: the target area (grids, a drawn polygon) and each target source, green when the
// campaign inspected it, red when an inspection found a violation, grey when not inspected yet.
(function () {
  "use strict";
  var el = document.getElementById("campaign-map");
  if (!el) return;
  var map = L.map(el);
  gisgrid.initialView(map);
  function colour(p) { return p.violation ? "#c0392b" : (p.inspections > 0 ? "#2e8b57" : "#888"); }
  fetch(el.dataset.url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (fc) {
    var layer = L.geoJSON(fc, {
      style: function () { return { color: "#1f5f99", weight: 2, fillOpacity: 0.05 }; },
      pointToLayer: function (f, ll) {
        return L.circleMarker(ll, { radius: 6, color: colour(f.properties), fillColor: colour(f.properties), fillOpacity: 0.9 });
      },
      onEachFeature: function (f, l) {
        var p = f.properties, text = document.createElement("div");
        text.textContent = p.kind === "target"
          ? p.name + "（" + p.code + "）：检查 " + p.inspections + " 次" + (p.violation ? "，发现违法：" + (p.findings || "") : "")
          : p.name;
        l.bindPopup(text);
      }
    }).addTo(map);
    if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { padding: [20, 20] });
  });
})();
