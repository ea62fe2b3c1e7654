// Notice sheet (公示牌): a still map of the grid's outline on a plain background, fitted for print.
(function () {
  "use strict";
  var geometry = JSON.parse(document.getElementById("notice-geometry").textContent);
  var map = L.map("notice-map", { zoomControl: false, attributionControl: false, dragging: false,
                                  scrollWheelZoom: false, doubleClickZoom: false, boxZoom: false, keyboard: false, touchZoom: false });
  var shape = L.geoJSON(geometry, { style: { color: "#b00020", weight: 3, fillColor: "#1f6f5c", fillOpacity: 0.15 } }).addTo(map);
  map.fitBounds(shape.getBounds(), { padding: [16, 16] });
  window.addEventListener("beforeprint", function () { map.invalidateSize(); map.fitBounds(shape.getBounds(), { padding: [16, 16] }); });
}());
