// The campaign form's target area: a polygon drawn with Leaflet-Geoman goes into the hidden field "area"
// as GeoJSON (the service takes grid codes, a drawn area, or both).
(function () {
  "use strict";
  var el = document.getElementById("area-map");
  if (!el) { return; }
  var map = L.map(el, { zoomControl: true });
  window.gisgrid.initialView(map);
  var input = document.getElementById("area-input"), state = document.getElementById("area-state");
  var drawn = L.featureGroup().addTo(map);

  function update() {
    var parts = drawn.getLayers().map(function (l) { return l.toGeoJSON().geometry.coordinates; });
    input.value = parts.length ? JSON.stringify({ type: "MultiPolygon", coordinates: parts }) : "";
    state.textContent = parts.length ? "已绘制 " + parts.length + " 个区域" : "未绘制";
  }
  document.getElementById("draw-area").addEventListener("click", function () {
    map.pm.enableDraw("Polygon", { snappable: false, continueDrawing: false });
    state.textContent = "在地图上依次点击各顶点，点击首点结束";
  });
  document.getElementById("clear-area").addEventListener("click", function () { drawn.clearLayers(); update(); });
  map.on("pm:create", function (e) {
    map.removeLayer(e.layer);
    drawn.addLayer(L.polygon(e.layer.getLatLngs(), { color: "#c62828", weight: 2, fillOpacity: 0.2 }));
    update();
  });
  window.gisgridCampaignForm = { map: map };
})();
