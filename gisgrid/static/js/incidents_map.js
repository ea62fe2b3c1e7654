// Shared map set-up for incident pages: no tile server (intranet, no external requests), the grid
// boundaries of the published version are the base layer.
(function (global) {
  "use strict";
  function baseMap(id, onGrids) {
    var map = global.gisgrid.initialView(L.map(id, { zoomControl: true }));
    global.gisgrid.api.get("/api/v1/incidents/grids?level=2").then(function (fc) {
      var layer = L.geoJSON(fc, { style: { color: "#667", weight: 1, fillOpacity: 0.03 },
        onEachFeature: function (f, l) { l.bindTooltip(gisgrid.escapeHtml(f.properties.name), { sticky: true }); } }).addTo(map);
      if (fc.features.length) { map.fitBounds(layer.getBounds()); }
      if (onGrids) { onGrids(layer); }
    }).catch(function () { /* the map still works without boundaries */ });
    return map;
  }
  global.gisgrid = global.gisgrid || {};
  global.gisgrid.incidentMap = { baseMap: baseMap };
})(window);
