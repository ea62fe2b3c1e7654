// The 督办 list's map: each listed item at its case, source or grid (else its owner's grid), coloured by
// state, red when overdue and purple when it has escalated; a grid subject also shows its outline.
(function () {
  "use strict";
  var el = document.getElementById("tracking-map");
  var colours = JSON.parse(document.getElementById("tracking-map-colours").textContent);
  if (!el || !window.L) { return; }
  var map = L.map(el);
  gisgrid.initialView(map);
  function popup(p) {
    var box = document.createElement("div"), link = document.createElement("a"), line = document.createElement("div");
    link.href = p.url;
    link.textContent = p.priority_label + "：" + p.title;
    line.textContent = p.state_label + (p.overdue ? "，已超期" : "") + (p.escalation_level ? "，已升级 " +
      p.escalation_level + " 级" : "") + "；期限 " + p.due + "；定位：" + p.located_by_label;
    box.appendChild(link);
    box.appendChild(line);
    return box;
  }
  fetch(el.dataset.url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (fc) {
    var layer = L.geoJSON(fc, {
      // the style is for a grid subject's outline; the points get theirs in pointToLayer
      style: function (f) {
        if (f.geometry.type === "Point") { return {}; }
        return { color: colours[f.properties.colour], weight: 2, fillOpacity: 0.05, dashArray: "4 3" };
      },
      pointToLayer: function (f, ll) {
        var c = colours[f.properties.colour];
        return L.circleMarker(ll, { radius: 7 + 2 * f.properties.escalation_level, color: c, fillColor: c, fillOpacity: 0.85 });
      },
      onEachFeature: function (f, l) { l.bindPopup(popup(f.properties)); }
    }).addTo(map);
    var points = fc.features.filter(function (f) { return f.properties.role === "item"; }).length;
    el.dataset.items = String(points);
    if (fc.unplaced) {
      document.getElementById("tracking-map-unplaced").textContent = "另有 " + fc.unplaced + " 项无法定位（无已发布网格）";
    }
    if (layer.getLayers().length) { map.fitBounds(layer.getBounds(), { padding: [20, 20], maxZoom: 15 }); }
  });
})();
