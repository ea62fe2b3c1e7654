// Cross-boundary jurisdiction: the panel (rule, holder, deciding grid, grids with jurisdiction, notified grids,
// cases, disputes) and the map (act, harm areas, grids by role, levels up to the deciding grid). Shared by the
// case page, the event page and the recording page. Plain Leaflet in WGS84 with no tile layer (intranet).
(function (global) {
  "use strict";
  var esc = global.gisgrid.escapeHtml;
  var STATUS = { settled: "管辖已确定", undetermined: "待指定管辖", disputed: "管辖争议待指定" };
  var HOW = { discovered: "最先发现", reported: "接到举报" };
  var KIND = { observed: "现场观测", buffer: "缓冲区", wind: "下风向扇区", downstream: "河流下游" };
  var STYLE = {
    deciding: { color: "#6a1b9a", weight: 4, dashArray: "10 6", fill: false },
    between: { color: "#78909c", weight: 2, dashArray: "4 4", fill: false },
    jurisdiction: { color: "#c62828", weight: 2, fillColor: "#ef5350", fillOpacity: 0.25 },
    holder: { color: "#8e0000", weight: 4, fillColor: "#c62828", fillOpacity: 0.45 },
    notified: { color: "#ef6c00", weight: 2, fillColor: "#ffb74d", fillOpacity: 0.3 },
    act: { color: "#000", weight: 5, fillColor: "#000", fillOpacity: 0.5 },
    observed: { color: "#e65100", weight: 2, dashArray: "3 3", fillColor: "#ff9800", fillOpacity: 0.35 },
    buffer: { color: "#1565c0", weight: 2, dashArray: "6 4", fillOpacity: 0.05 },
    wind: { color: "#00897b", weight: 2, fillColor: "#4db6ac", fillOpacity: 0.15 },
    downstream: { color: "#0277bd", weight: 5, opacity: 0.9 }
  };
  var LEGEND = [["holder", "主办（管辖）网格"], ["jurisdiction", "有管辖权的网格"], ["notified", "受影响、应通报的网格"],
    ["deciding", "共同的上一级网格（指定管辖）"], ["between", "中间层级网格"], ["act", "污染行为发生地"],
    ["observed", "观测到的受影响区域"], ["buffer", "缓冲区"], ["wind", "下风向扇区"], ["downstream", "河流下游河段"]];
  var ORDER = { deciding: 0, between: 1, notified: 2, jurisdiction: 3 };

  function styleOf(p) { return STYLE[p.holder ? "holder" : p.role] || STYLE.between; }
  function label(p) {
    if (p.code) { return esc(p.name) + "（" + esc(p.code) + "）"; }
    return p.role === "act" ? "污染行为发生地" : esc(KIND[p.role] || p.role);
  }

  function legend(map, roles) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "legend");
      div.innerHTML = LEGEND.filter(function (r) { return roles[r[0]]; }).map(function (r) {
        var s = STYLE[r[0]];
        return '<i data-style="border:2px ' + (s.dashArray ? "dashed " : "solid ") + s.color + ";background:" +
          (s.fill === false ? "transparent" : (s.fillColor || s.color)) + '"></i>' + esc(r[1]);
      }).join("<br>");
      return div;
    };
    control.addTo(map);
    return control;
  }

  function drawMap(map, fc, previous) {
    if (previous) { previous.forEach(function (item) { item.remove(); }); }   // a layer and its legend
    var feats = fc.features.slice().sort(function (a, b) {
      return (ORDER[a.properties.role] !== undefined ? ORDER[a.properties.role] : 9) -
             (ORDER[b.properties.role] !== undefined ? ORDER[b.properties.role] : 9);
    });
    var roles = {};
    feats.forEach(function (f) { roles[f.properties.holder ? "holder" : f.properties.role] = true; });
    var layer = L.geoJSON({ type: "FeatureCollection", features: feats }, {
      pmIgnore: true,   // the recording page must not snap drawn vertices to the result's outlines
      style: function (f) { return styleOf(f.properties); },
      pointToLayer: function (f, ll) {
        var s = styleOf(f.properties);
        return L.circleMarker(ll, { radius: 7, color: "#fff", weight: 2, fillColor: s.fillColor || s.color, fillOpacity: 1 });
      },
      onEachFeature: function (f, l) { l.bindTooltip(label(f.properties), { sticky: true }); }
    }).addTo(map);
    // frame the act, the harm and the grids concerned; the superior grid's outline stays as context
    var focus = L.latLngBounds([]);
    layer.eachLayer(function (l) {
      var role = l.feature.properties.role;
      if (role !== "deciding" && role !== "between") { focus.extend(l.getBounds ? l.getBounds() : l.getLatLng()); }
    });
    map.invalidateSize();
    if (focus.isValid()) { map.fitBounds(focus, { padding: [24, 24], maxZoom: 17 }); }
    return [layer, legend(map, roles)];
  }

  function pct(share) { return (share * 100).toFixed(share < 0.01 ? 2 : 1) + "%"; }
  function grid(ref) { return ref ? esc(ref.name) + "（" + esc(ref.code) + "）" : "—"; }
  function rows(items, cells) { return items.map(function (i) { return "<tr>" + cells(i).map(function (c) { return "<td>" + c + "</td>"; }).join("") + "</tr>"; }).join(""); }

  function jurisdictionTable(res, holder) {
    return '<table class="data j-grids"><tr><th>有管辖权的网格</th><th>层级</th><th>发生地占比</th><th>最先发现/接到举报</th></tr>' +
      rows(res.jurisdiction, function (h) {
        var c = h.first_claim;
        return [(h.code === holder ? "<strong>★ " : "") + esc(h.names.join(" › ")) + "（" + esc(h.code) + "）" + (h.code === holder ? "</strong>" : ""),
          esc(gisgrid.level(h.level).label), pct(h.share), c ? esc(c.at.slice(0, 16).replace("T", " ")) + " " + esc(HOW[c.how]) + "（案件 " + esc(c.incident_id) + "）" : "—"];
      }) + "</table>";
  }

  function notifiedTable(res) {
    var notified = res.affected.filter(function (h) { return res.notified.indexOf(h.code) >= 0; });
    if (!notified.length) { return '<p class="muted">无其他受影响网格。</p>'; }
    return '<table class="data j-notified"><tr><th>应通报的受影响网格</th><th>影响来源</th></tr>' +
      rows(notified, function (h) { return [esc(h.names.join(" › ")) + "（" + esc(h.code) + "）",
        esc((h.kinds || []).map(function (k) { return KIND[k] || k; }).join("、"))]; }) + "</table>";
  }

  function disputesList(ev) {
    if (!ev.disputes || !ev.disputes.length) { return ""; }
    return '<h3>管辖争议</h3><ol class="j-disputes">' + ev.disputes.map(function (d) {
      return "<li>" + esc(d.raised_at.slice(0, 16).replace("T", " ")) + " " + esc(d.raised_by) + " 提出：" + esc(d.parties.join(" / ")) +
        " 争议，理由：" + esc(d.reason) + "；由 " + esc(d.deciding || "上级人民政府") + " 指定。" +
        (d.state === "decided" ? " <strong>已指定 " + esc(d.designated) + " 管辖</strong>（" + esc(d.decided_by) + "，" +
          esc(d.decided_at.slice(0, 16).replace("T", " ")) + "）：" + esc(d.decision_reason) : " <em>待指定</em>") + "</li>";
    }).join("") + "</ol>";
  }

  function renderPanel(el, ev) {
    var res = ev.resolution;
    var holder = res.holder ? res.holder.code : null;
    el.innerHTML =
      '<p class="j-status"><strong>' + esc(STATUS[ev.status]) + "</strong> · 依据：" + esc(res.rule_label) + "</p>" +
      '<table class="data"><tr><th>主办网格</th><td class="j-holder">' + grid(res.holder) + "</td>" +
      '<th>共同的上一级网格</th><td class="j-deciding">' + grid(res.deciding) + "</td></tr>" +
      "<tr><th>发生地</th><td>" + esc({ Point: "点", MultiPoint: "多点", LineString: "线", MultiLineString: "多线", Polygon: "面", MultiPolygon: "多面" }[res.act_type] || res.act_type) +
      (res.outside_share > 0.0005 ? "（" + pct(res.outside_share) + " 在网格范围外）" : "") + "</td><th>网格版本</th><td>" + esc(res.version_id) + "</td></tr></table>" +
      jurisdictionTable(res, holder) + notifiedTable(res) +
      '<h3>关联案件</h3><table class="data j-cases"><tr><th>案件</th><th>接收网格</th><th>接收时间</th><th>渠道</th><th>状态</th></tr>' +
      rows(ev.cases, function (c) { return ['<a href="/incidents/' + esc(c.incident_id) + '">' + esc(c.incident_id) + "</a>",
        esc(c.received_chain[c.received_chain.length - 1]), esc(c.received_at.slice(0, 16).replace("T", " ")), esc(c.channel), esc(c.state)]; }) +
      "</table>" + disputesList(ev);
  }

  function mapIn(id) { return global.gisgrid.initialView(L.map(id, { zoomControl: true })); }

  global.gisgrid = global.gisgrid || {};
  global.gisgrid.jurisdiction = { drawMap: drawMap, renderPanel: renderPanel, mapIn: mapIn, STATUS: STATUS };

  // the case page: fetch the case's event (if any) and show the panel and its map
  var section = document.getElementById("jurisdiction");
  if (!section || !section.dataset.url) { return; }
  global.gisgrid.api.get(section.dataset.url).then(function (data) {
    var body = section.querySelector(".j-body");
    if (!data.event) {
      body.innerHTML = '<p class="muted">本案尚未登记跨界污染信息（发生地、影响范围）。</p>' + (data.may_record ?
        '<p><a class="button" href="' + esc(section.dataset.recordUrl) + '">登记发生地与影响范围</a></p>' : "");
      section.querySelector(".j-map").style.display = "none";
      return;
    }
    renderPanel(body, data.event);
    body.insertAdjacentHTML("beforeend", '<p><a href="/jurisdiction/events/' + esc(data.event.id) + '">跨界事件 ' + esc(data.event.id) +
      "：争议、指定管辖与移交</a>" + (data.event.allowed.record ? ' · <a href="' + esc(section.dataset.recordUrl) + '">修改发生地与影响范围</a>' : "") + "</p>");
    drawMap(mapIn(section.querySelector(".j-map")), data.event.map);
  }).catch(function (err) { section.querySelector(".j-body").textContent = "无法加载跨界管辖信息：" + err.message; });
})(window);
