// The repair report of a 修复 import, drawn on the editor's map before the planner accepts the import:
// each changed grid's outline before (grey, dashed) and after (blue), every repaired sliver coloured by
// kind, with a dot at its location (slivers are metres wide: invisible at county zoom without it).
(function () {
  "use strict";
  var KINDS = {
    gap: { label: "缝隙补入", color: "#2b8a3e" },
    overlap: { label: "重叠划分", color: "#e8590c" },
    outside_parent: { label: "超出上级裁去", color: "#c92a2a" },
    snap: { label: "节点吸附", color: "#7048e8" }
  };
  var layer = null;
  var esc = function (v) { return window.gisgrid.escapeHtml(String(v)); };

  function clear() { if (layer) { layer.remove(); layer = null; } }

  function draw(map, report) {
    layer = L.layerGroup().addTo(map);
    var outlines = L.geoJSON(report, {
      filter: function (f) { return f.properties.record === "grid"; },
      style: function (f) {
        return f.properties.outline === "before" ? { color: "#555", weight: 2, dashArray: "6 4", fill: false }
                                                 : { color: "#1c7ed6", weight: 2, fill: false };
      },
      interactive: false
    }).addTo(layer);
    L.geoJSON(report, {
      filter: function (f) { return f.properties.record === "sliver"; },
      style: function (f) { var c = KINDS[f.properties.kind].color; return { color: c, weight: 1, fillColor: c, fillOpacity: 0.7 }; }
    }).addTo(layer);
    report.features.forEach(function (f) {
      var p = f.properties;
      if (p.record !== "sliver") { return; }
      L.circleMarker([p.lat, p.lon], { radius: 4, color: KINDS[p.kind].color, weight: 2, fillOpacity: 0.9, className: "repair-sliver" })
        .bindTooltip(esc(p.code) + " " + KINDS[p.kind].label + " " + esc(p.area_m2) + " m²").addTo(layer);
    });
    if (outlines.getLayers().length) { map.fitBounds(outlines.getBounds(), { padding: [20, 20] }); }
  }

  function summary(report) {
    var meta = report.properties, counts = meta.slivers;
    var legend = Object.keys(KINDS).map(function (k) {
      return '<span data-style="white-space:nowrap"><i data-style="display:inline-block;width:.8rem;height:.8rem;background:' + KINDS[k].color +
        '"></i> ' + KINDS[k].label + " " + counts[k] + "</span>";
    }).join(" ");
    var rows = report.features.filter(function (f) { return f.properties.record === "grid" && f.properties.outline === "after"; })
      .map(function (f) {
        var p = f.properties;
        return "<tr><td>" + esc(p.code) + "</td><td>+" + esc(p.area_gained_m2) + " / −" + esc(p.area_lost_m2) + "</td><td>" + esc(p.hausdorff_m) + "</td></tr>";
      }).join("");
    return '<div id="repair-report"><p><strong>修复报告</strong>（吸附 ' + esc(meta.snap_m) + " 米，最大缝隙宽度 " + esc(meta.max_gap_width_m) +
      " 米）：" + esc(meta.grids_changed) + " 个网格边界有改动。虚线为修复前、蓝线为修复后。</p><p>" + legend + "</p>" +
      (meta.skipped.length ? "<p class=\"err\">" + meta.skipped.map(esc).join("<br>") + "</p>" : "") +
      '<table class="data"><tr><th>编码</th><th>面积增/减 (m²)</th><th>最大位移 (m)</th></tr>' + rows + "</table></div>";
  }

  function show(map, report, box) {
    clear();
    box.innerHTML = "";
    if (!report) { return; }
    draw(map, report);
    box.innerHTML = summary(report);
  }

  window.gisgrid = window.gisgrid || {};
  window.gisgrid.repairReport = { show: show, clear: clear };
})();
