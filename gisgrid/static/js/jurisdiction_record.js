// Recording page: draw the act (points, lines or polygons, one kind) and observed harm with Leaflet-Geoman,
// choose derivations, preview the resolution (nothing stored) and save it to the case.
(function () {
  "use strict";
  var J = window.gisgrid.jurisdiction, api = window.gisgrid.api, esc = window.gisgrid.escapeHtml;
  var el = document.getElementById("map"), caseId = el.dataset.case;
  var panel = JSON.parse(document.getElementById("panel-data").textContent);
  var map = J.mapIn("map"), drawn = null, mode = null;
  var groups = { act: L.featureGroup().addTo(map), harm: L.featureGroup().addTo(map) };
  var STYLE = { act: { color: "#000", weight: 5, fillOpacity: 0.4 }, harm: { color: "#e65100", weight: 2, dashArray: "3 3", fillOpacity: 0.3 } };
  var form = document.getElementById("record-form"), message = document.getElementById("message");

  function say(text) { message.textContent = text; }
  function add(kind, geometry) {
    L.geoJSON(geometry, { style: STYLE[kind], pointToLayer: function (f, ll) {
      return L.circleMarker(ll, { radius: 7, color: STYLE[kind].color, fillOpacity: 0.8 }); } })
      .eachLayer(function (l) { groups[kind].addLayer(l); });
  }
  function geometries(kind) { return groups[kind].getLayers().map(function (l) { return l.toGeoJSON().geometry; }); }

  function actGeometry() {
    var parts = geometries("act");
    if (!parts.length) { return null; }
    if (parts.length === 1) { return parts[0]; }
    var types = parts.map(function (g) { return g.type.replace("Multi", ""); });
    if (types.some(function (t) { return t !== types[0]; })) { throw new Error("发生地只能是同一种几何（都为点、都为线或都为面）"); }
    return { type: "Multi" + types[0], coordinates: parts.map(function (g) { return g.coordinates; }) };
  }

  function payload() {
    var act = actGeometry();
    if (!act) { throw new Error("请先在地图上画出污染行为发生地"); }
    var derive = {};
    if (form.use_buffer.checked) { derive.buffer = { radius_m: Number(form.radius_m.value) }; }
    if (form.use_wind.checked) { derive.wind = { from_deg: Number(form.from_deg.value), distance_m: Number(form.wind_distance_m.value), spread_deg: Number(form.spread_deg.value) }; }
    if (form.use_downstream.checked) { derive.downstream = { distance_m: Number(form.downstream_m.value) }; }
    return { title: form.title.value, act: act, harm: geometries("harm"), derive: derive };
  }

  function showResult(res) {
    drawn = J.drawMap(map, res.map, drawn);
    var names = function (list) { return list.map(function (h) { return esc(h.name) + "（" + esc(h.code) + "）"; }).join("、") || "—"; };
    document.getElementById("result").innerHTML = '<table class="data"><tr><th>有管辖权</th><td class="j-preview-jurisdiction">' + names(res.jurisdiction) +
      '</td></tr><tr><th>主办</th><td class="j-preview-holder">' + (res.holder ? esc(res.holder.name) + "（" + esc(res.holder.code) + "）" : "待指定") +
      "</td></tr><tr><th>依据</th><td>" + esc(res.rule_label) + "</td></tr><tr><th>共同上级</th><td>" +
      (res.deciding ? esc(res.deciding.name) + "（" + esc(res.deciding.code) + "）" : "—") + "</td></tr><tr><th>应通报</th><td>" +
      esc(res.notified.join("、") || "—") + "</td></tr></table>";
  }

  function run(call) {
    try { return call(payload()); } catch (err) { say(err.message); return null; }
  }

  document.querySelectorAll("[data-draw]").forEach(function (button) {
    button.addEventListener("click", function () {
      map.pm.disableDraw();
      document.querySelectorAll("[data-draw]").forEach(function (b) { b.classList.remove("active"); });
      mode = button.dataset.draw;
      button.classList.add("active");
      map.pm.enableDraw(button.dataset.shape, { snappable: true, snapDistance: 12, continueDrawing: false });
      say(mode === "act" ? "在地图上画出发生地；线、面双击或点击首点结束" : "在地图上画出受影响的地点或区域");
    });
  });
  document.querySelectorAll("[data-clear]").forEach(function (button) {
    button.addEventListener("click", function () { groups[button.dataset.clear].clearLayers(); });
  });
  map.on("pm:create", function (e) {
    var geometry = e.layer.toGeoJSON().geometry;
    map.removeLayer(e.layer);
    add(mode || "act", geometry);
    document.querySelectorAll("[data-draw]").forEach(function (b) { b.classList.remove("active"); });
  });

  document.getElementById("preview").addEventListener("click", function () {
    var call = run(function (body) { return api.post("/api/v1/jurisdiction/resolve", Object.assign({ incident_id: Number(caseId) }, body)); });
    if (call) { say("计算中…"); call.then(function (res) { say("预览（未保存）"); showResult(res); }).catch(function (err) { say("无法计算：" + err.message); }); }
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var call = run(function (body) { return api.put("/api/v1/incidents/" + caseId + "/jurisdiction", body); });
    if (call) {
      say("保存中…");
      call.then(function (ev) { say("已保存"); window.location.href = "/jurisdiction/events/" + ev.id; })
        .catch(function (err) { say("未保存：" + err.message); });
    }
  });

  // grid outlines at the case's level give the context (no tile server on the intranet)
  api.get("/api/v1/incidents/grids?level=" + panel.case_level).then(function (fc) {
    L.geoJSON(fc, { interactive: false, pmIgnore: true, style: { color: "#90a4ae", weight: 1, fill: false } }).addTo(map).bringToBack();
  }).catch(function () { /* drawing works without the outlines */ });
  // the loaded river network (flow direction as digitised), for placing an outfall and the downstream option
  api.get("/api/v1/jurisdiction/rivers").then(function (fc) {
    L.geoJSON(fc, { pmIgnore: true, style: { color: "#4fc3f7", weight: 3, opacity: 0.8 },
      onEachFeature: function (f, l) { l.bindTooltip(esc(f.properties.river), { sticky: true }); } }).addTo(map);
  }).catch(function () { /* no network loaded: the downstream option will say so */ });

  // start from what was recorded, or from the case's location
  var ev = panel.event;
  if (ev) {
    form.title.value = ev.title;
    var act = ev.act.type.indexOf("Multi") === 0 ? ev.act.coordinates.map(function (c) { return { type: ev.act.type.replace("Multi", ""), coordinates: c }; }) : [ev.act];
    act.forEach(function (g) { add("act", g); });
    ev.map.features.filter(function (f) { return f.properties.role === "observed"; }).forEach(function (f) { add("harm", f.geometry); });
    ev.areas.forEach(function (a) {
      if (a.kind === "buffer") { form.use_buffer.checked = true; form.radius_m.value = a.params.radius_m; }
      if (a.kind === "wind") { form.use_wind.checked = true; form.from_deg.value = a.params.from_deg; form.wind_distance_m.value = a.params.distance_m; form.spread_deg.value = a.params.spread_deg; }
      if (a.kind === "downstream") { form.use_downstream.checked = true; form.downstream_m.value = a.params.distance_m; }
    });
    drawn = J.drawMap(map, ev.map, drawn);
  } else {
    var p = panel.case_point.coordinates;
    L.circleMarker([p[1], p[0]], { radius: 6, color: "#1565c0" }).bindTooltip("案件位置").addTo(map);
    map.setView([p[1], p[0]], 15);
  }
  window.gisgridRecord = { map: map, add: add, groups: groups };   // browser tests draw through this
})();
