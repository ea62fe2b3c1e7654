// The monitoring map: stations as dots coloured by status (normal / exceeding / offline), vendored Leaflet.
(function () {
  "use strict";
  var COLORS = { normal: "#2e7d32", exceeding: "#c62828", offline: "#757575", inactive: "#bdbdbd" };
  var LABELS = { normal: "正常", exceeding: "超标", offline: "离线", inactive: "停用" };
  var el = document.getElementById("map");
  if (!el) { return; }
  var esc = window.gisgrid.escapeHtml;
  var map = L.map(el);
  window.gisgridMap = map;
  window.gisgrid.initialView(map);
  function detailUrl(id) { return el.dataset.detail.replace(/0$/, String(id)); }
  var legend = L.control({ position: "bottomright" });
  legend.onAdd = function () {
    var d = L.DomUtil.create("div", "legend");
    d.innerHTML = Object.keys(LABELS).map(function (k) {
      return '<i class="dot" data-style="background:' + COLORS[k] + '"></i>' + LABELS[k];
    }).join("<br>");
    return d;
  };
  legend.addTo(map);
  window.gisgrid.api.get(el.dataset.url).then(function (data) {
    var layer = L.geoJSON(data, {
      pointToLayer: function (f, ll) {
        var s = f.properties.status;
        return L.circleMarker(ll, { radius: 8, color: "#fff", weight: 2, fillColor: COLORS[s], fillOpacity: 1 });
      },
      onEachFeature: function (f, l) {
        var p = f.properties;
        l.bindPopup("<strong>" + esc(p.name) + "</strong>（MN " + esc(p.mn) + "）<br>" + esc(p.source_name) +
          "<br>状态：" + esc(LABELS[p.status]) + "<br>最近上报：" + esc(p.last_seen_at || "从未上报") +
          '<br><a href="' + detailUrl(p.source_id) + '">监测数据</a>');
      }
    }).addTo(map);
    if (data.features.length) { map.fitBounds(layer.getBounds(), { padding: [20, 20], maxZoom: 16 }); }
    el.dataset.loaded = String(data.features.length);  // tests and screenshots wait for this
    document.getElementById("summary").innerHTML = Object.keys(LABELS).map(function (k) {
      return "<div><strong>" + (data.counts[k] || 0) + "</strong>" + LABELS[k] + "</div>";
    }).join("");
  });
})();
