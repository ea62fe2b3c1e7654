// Diff map: grids added (green), removed (red), reshaped (orange), re-parented (purple), between two versions.
(function () {
  "use strict";
  var el = document.getElementById("map"), a = el.getAttribute("data-a"), b = el.getAttribute("data-b");
  var COLORS = { added: "#2b8a3e", removed: "#c92a2a", reshaped: "#e67700", reparented: "#7048e8" };
  var NAMES = { added: "新增", removed: "删除", reshaped: "边界调整", reparented: "改变上级" };
  var map = L.map("map");
  var legend = L.control({ position: "bottomleft" });
  legend.onAdd = function () {
    var div = L.DomUtil.create("div", "legend");
    div.innerHTML = Object.keys(COLORS).map(function (k) { return '<i data-style="background:' + COLORS[k] + '"></i>' + NAMES[k]; }).join("<br>") +
      '<br><i data-style="border:1px solid #555;background:none"></i>版本 ' + b + ' 的网格';
    return div;
  };
  legend.addTo(map);
  function text(v) { return v === null || v === undefined ? "" : String(v); }
  Promise.all([window.gisgrid.api.get("/api/v1/editor/versions/" + b + "/grids"), window.gisgrid.api.get("/api/v1/editor/diff?a=" + a + "&b=" + b)])
    .then(function (res) {
      var all = L.geoJSON(res[0], { interactive: false, style: function (f) { return { color: "#555", weight: f.properties.level === 1 ? 2.5 : 0.6, fill: false }; } }).addTo(map);
      var d = res[1];
      var changed = L.geoJSON(d, {
        style: function (f) { var c = COLORS[f.properties.changes[0]]; return { color: c, fillColor: c, fillOpacity: 0.45, weight: 2, dashArray: f.properties.changes[0] === "removed" ? "4" : null }; },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindPopup(gisgrid.escapeHtml(p.code + " " + p.name + "：" + p.changes.map(function (c) { return NAMES[c]; }).join("、") + "，面积变化 " + p.area_change_m2 + " m²"));
        }
      }).addTo(map);
      map.fitBounds((d.features.length ? changed : all).getBounds());
      var c = d.counts;
      document.getElementById("summary").textContent = "新增 " + c.added + " 个，删除 " + c.removed + " 个，边界调整 " + c.reshaped + " 个，改变上级 " + c.reparented + " 个";
      var table = document.getElementById("changes");
      d.features.forEach(function (f) {
        var p = f.properties, tr = document.createElement("tr");
        [p.code, p.name, gisgrid.level(p.level).label, p.changes.map(function (x) { return NAMES[x]; }).join("、"), p.area_change_m2, p.changed_m2,
         p.changes.indexOf("reparented") >= 0 ? text(p.old_parent) + " → " + text(p.new_parent) : text(p.new_parent || p.old_parent)].forEach(function (v) {
          var td = document.createElement("td"); td.textContent = text(v); tr.appendChild(td);
        });
        table.appendChild(tr);
      });
    }).catch(function (e) { document.getElementById("summary").textContent = e.message; document.getElementById("summary").className = "err"; });
})();
