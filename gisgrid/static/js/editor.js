// Boundary editor: a draft's grids on a Leaflet map; every edit is one request carrying the lock
// counters it was based on (a stale counter gives 409 and nothing is saved); Geoman drags vertices
// and draws lines/polygons; the server moves shared vertices, snaps and recomputes parents.
(function () {
  "use strict";
  var api = window.gisgrid.api;
  var mapEl = document.getElementById("map");
  var draftId = mapEl.getAttribute("data-draft");
  var API = "/api/v1/editor";
  var $ = function (id) { return document.getElementById(id); };
  var map = L.map("map", { preferCanvas: false });
  window.gisgrid.editorMap = map;  // editor_units.js draws the 重点监管单元网格 on it
  var features = {}, layers = {}, selected = null, tool = null, fitted = false;
  var leafLayer = L.layerGroup().addTo(map), outlineLayer = L.layerGroup().addTo(map), problemLayer = L.layerGroup().addTo(map);
  var COLORS = { leaf: "#4f9d69", edited: "#2f6fbf", selected: "#f08c00", error: "#b00020", warning: "#d48806" };

  addLegend();

  function say(text, kind) { var m = $("message"); m.textContent = text; m.className = kind || ""; }
  function base() { var b = {}; Object.keys(features).forEach(function (c) { b[c] = features[c].properties.lock; }); return b; }
  function isLeaf(code) { return features[code] && features[code].properties.leaf; }
  function props(code) { return features[code].properties; }
  function label(code) { return code + " " + props(code).name; }

  function addLegend() {
    var legend = L.control({ position: "bottomleft" });
    legend.onAdd = function () {
      var div = L.DomUtil.create("div", "legend");
      div.innerHTML = '<i data-style="background:' + COLORS.leaf + '"></i>网格（最底层）<br>' +
        '<i data-style="background:' + COLORS.edited + '"></i>本草稿中已修改<br>' +
        '<i data-style="background:' + COLORS.selected + '"></i>选中<br>' +
        '<i data-style="border:2px solid #333;background:none"></i>上级网格边界<br>' +
        '<i data-style="background:' + COLORS.error + ';border-radius:50%"></i>错误 ' +
        '<i data-style="background:' + COLORS.warning + ';border-radius:50%"></i>警告';
      return div;
    };
    legend.addTo(map);
  }

  function style(code) {
    var p = props(code);
    var fill = code === selected ? COLORS.selected : (p.edited_by ? COLORS.edited : COLORS.leaf);
    return { color: "#1b4332", weight: 1, fillColor: fill, fillOpacity: code === selected ? 0.6 : 0.35 };
  }

  function load() {
    return api.get(API + "/versions/" + draftId + "/grids").then(function (fc) {
      features = {}; layers = {};
      leafLayer.clearLayers(); outlineLayer.clearLayers();
      fc.features.forEach(function (f) { features[f.properties.code] = f; });
      fc.features.forEach(function (f) {
        var code = f.properties.code;
        if (f.properties.leaf) {
          var layer = L.geoJSON(f, { style: function () { return style(code); } }).getLayers()[0];
          // while a tool draws or drags, clicks belong to the tool, not to selection
          layer.on("click", function () { if (!tool) { select(code); } });
          layer.bindTooltip(gisgrid.escapeHtml(label(code)), { sticky: true });
          layer.addTo(leafLayer); layers[code] = layer;
        } else {
          L.geoJSON(f, { interactive: false, style: { color: "#333", weight: f.properties.level === 1 ? 3 : 2, fill: false } }).addTo(outlineLayer);
        }
      });
      if (!fitted && leafLayer.getLayers().length) { map.fitBounds(L.featureGroup(leafLayer.getLayers()).getBounds()); fitted = true; }
      fillSelects();
      if (selected && !features[selected]) { selected = null; }
      select(selected);
    });
  }

  function option(value, text) { var o = document.createElement("option"); o.value = value; o.textContent = text; return o; }

  function fillSelects() {
    var gs = $("grid-select"), keep = gs.value;
    gs.length = 1;
    Object.keys(features).filter(isLeaf).sort().forEach(function (c) { gs.appendChild(option(c, label(c))); });
    gs.value = keep;
    var cp = $("create-parent"); cp.length = 0;
    Object.keys(features).filter(function (c) { return !isLeaf(c) || props(c).level < maxLevel(); }).sort()
      .forEach(function (c) { cp.appendChild(option(c, label(c))); });
    // last, so that it is never picked by default: a grid with no parent (the editor allows it at the top level only)
    cp.appendChild(option("", "（无上级：最上层网格）"));
  }

  function maxLevel() { return Math.max.apply(null, Object.keys(features).map(function (c) { return props(c).level; })); }

  function select(code) {
    var previous = selected;
    selected = code || null;
    $("grid-select").value = selected || "";
    [previous, selected].forEach(function (c) { if (c && layers[c]) { layers[c].setStyle(style(c)); } });
    var merge = $("merge-with"), into = $("delete-into"), parent = $("parent-select");
    merge.length = 0; into.length = 1; parent.length = 0;
    var form = $("attrs");
    if (!selected) { $("selected-info").textContent = "未选中网格"; form.reset(); return; }
    var p = props(selected);
    $("selected-info").textContent = label(selected) + "，" + gisgrid.level(p.level).label + "，上级 " + (p.parent_code || "无") +
      "，面积 " + Math.round(p.area_m2 / 1000) / 1000 + " km²，版本号 " + p.lock + (p.edited_by ? "（" + p.edited_by + " 修改过）" : "");
    Object.keys(features).sort().forEach(function (c) {
      var q = props(c);
      if (c !== selected && isLeaf(c) && q.parent_code === p.parent_code) { merge.appendChild(option(c, label(c))); into.appendChild(option(c, label(c))); }
      if (q.level === p.level - 1 && c !== p.parent_code) { parent.appendChild(option(c, label(c))); }
    });
    // the form has one [data-field] input per editable field of the registry (templates/editor/draft.html)
    form.querySelectorAll("[data-field]").forEach(function (input) {
      if (input.dataset.field === "flag") { input.checked = !!p[input.name]; } else { input.value = p[input.name] || ""; }
    });
    form.elements.staff.value = (p.staff || []).map(function (s) {
      return [s.name, s.role, s.phone || ""].concat(s.phone_public ? ["公开"] : []).join(",");
    }).join("\n");
  }

  // one edit at a time: the next one must be based on the counters the previous one produced
  function setBusy(busy) { mapEl.setAttribute("data-state", busy ? "busy" : "ready"); }
  function isBusy() { return mapEl.getAttribute("data-state") === "busy"; }

  function edit(payload, done) {
    stopTool();
    if (isBusy()) { say("请等待上一次修改保存完成", "muted"); return Promise.resolve(); }
    setBusy(true);
    payload.base = base();
    say("保存中…", "muted");
    return api.post(API + "/drafts/" + draftId + "/edits", payload).then(function (r) {
      say("已保存：" + r.changed.join("、"), "");
      if (done) { done(r); }
      return load().then(validate);
    }).catch(function (e) {
      var text = (e.status === 409 ? "冲突：" : "未保存：") + e.message;
      return load().then(function () {
        say(text + (e.status === 409 ? "（已载入最新数据）" + unsaved(payload) : ""), "err");
      });
    }).catch(function (e) { say(e.message, "err"); }).then(function () { setBusy(false); });
  }

  // what the planner typed but could not save, so that it can be re-entered (nothing is lost)
  function unsaved(payload) {
    if (payload.op !== "attributes" || !features[payload.code]) { return ""; }
    var now = props(payload.code), lost = [];
    Object.keys(payload.values).forEach(function (k) {
      var v = payload.values[k];
      if (typeof v === "string" && v !== (now[k] || "")) { lost.push(k + "=" + v); }
    });
    return lost.length ? " 您未保存的输入：" + lost.join("；") : "";
  }

  // --- tools ---------------------------------------------------------------------------------
  function stopTool() {
    if (tool === "vertex" && selected && layers[selected]) { layers[selected].pm.disable(); }
    if (map.pm.globalDrawModeEnabled()) { map.pm.disableDraw(); }
    tool = null;
  }

  function needSelection() { if (!selected) { say("请先选择一个网格", "err"); return false; } return true; }

  $("tool-vertex").addEventListener("click", function () {
    if (!needSelection()) { return; }
    stopTool(); tool = "vertex";
    var layer = layers[selected], start = null;
    layer.pm.enable({ snappable: true, snapDistance: 10, allowSelfIntersection: false, hideMiddleMarkers: true, preventMarkerRemoval: true, draggable: false });
    layer.off("pm:markerdragstart").off("pm:markerdragend");
    layer.on("pm:markerdragstart", function (e) { start = e.markerEvent.target.getLatLng(); start = [start.lng, start.lat]; });
    layer.on("pm:markerdragend", function (e) {
      var end = e.markerEvent.target.getLatLng();
      if (!start || (start[0] === end.lng && start[1] === end.lat)) { say("顶点没有移动（拖动距离太小时会吸附回原位置）", "muted"); return; }
      edit({ op: "move_vertex", old: start, "new": [end.lng, end.lat] });
    });
    say("拖动顶点；与相邻网格共用的顶点会一起移动", "muted");
  });

  $("tool-split").addEventListener("click", function () {
    if (!needSelection()) { return; }
    stopTool(); tool = "split";
    map.pm.enableDraw("Line", { snappable: true, snapDistance: 15 });
    say("画一条从网格外穿过 " + label(selected) + " 到网格外的线，双击结束", "muted");
  });

  $("tool-create").addEventListener("click", function () {
    stopTool(); tool = "create";
    map.pm.enableDraw("Polygon", { snappable: true, snapDistance: 15 });
    say("在缝隙中画多边形（会贴合已有边界并裁剪到上级网格内）", "muted");
  });

  $("tool-cancel").addEventListener("click", function () { stopTool(); load(); say("已取消", "muted"); });

  map.on("pm:create", function (e) {
    var coords = e.layer.toGeoJSON().geometry.coordinates;
    map.removeLayer(e.layer);
    if (tool === "split") {
      edit({ op: "split", code: selected, line: coords, new_code: $("split-code").value, new_name: $("split-name").value });
    } else if (tool === "create") {
      edit({ op: "create", parent_code: $("create-parent").value, code: $("create-code").value, name: $("create-name").value, polygon: coords[0] });
    }
  });

  $("grid-select").addEventListener("change", function () {
    select(this.value);
    if (selected && layers[selected]) { map.fitBounds(layers[selected].getBounds(), { maxZoom: 16 }); }
  });
  $("do-merge").addEventListener("click", function () {
    if (needSelection() && $("merge-with").value) { edit({ op: "merge", codes: [selected, $("merge-with").value] }); }
  });
  $("do-reparent").addEventListener("click", function () {
    if (needSelection() && $("parent-select").value) { edit({ op: "reparent", code: selected, parent_code: $("parent-select").value }); }
  });
  $("do-delete").addEventListener("click", function () {
    if (!needSelection() || !window.confirm("删除 " + label(selected) + "？")) { return; }
    var code = selected;
    edit({ op: "delete", code: code, into: $("delete-into").value || null }, function () { selected = null; });
  });

  $("attrs").addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (!needSelection()) { return; }
    var f = this.elements, values = {};
    this.querySelectorAll("[data-field]").forEach(function (input) {
      values[input.name] = input.dataset.field === "flag" ? input.checked : input.value;
    });
    values.staff = f.staff.value.split("\n").map(function (l) { return l.trim(); }).filter(Boolean).map(function (l) {
      var p = l.split(/[,，]/); return { name: p[0], role: p[1] || "网格员", phone: p[2] || null, phone_public: (p[3] || "").trim() === "公开" };
    });
    edit({ op: "attributes", code: selected, values: values });
  });

  // --- validation, publication, reassignment preview -----------------------------------------
  function validate() {
    return api.get(API + "/drafts/" + draftId + "/validation").then(function (r) {
      problemLayer.clearLayers();
      var list = $("problems"); list.innerHTML = "";
      $("validation-summary").textContent = "校验结果：" + r.errors + " 个错误，" + r.warnings + " 个警告" + (r.ok ? "，可以发布" : "，有错误不能发布");
      $("validation-summary").className = r.ok ? "" : "err";
      $("publish").disabled = !r.ok;
      r.problems.forEach(function (p) {
        var li = document.createElement("li");
        li.className = p.severity === "error" ? "err" : "warn";
        li.textContent = (p.severity === "error" ? "错误 " : "警告 ") + (p.code || "") + " " + (p.name || "") + "：" + p.message;
        list.appendChild(li);
        if (p.location) {
          var ll = [p.location[1], p.location[0]];
          L.circleMarker(ll, { radius: 7, color: p.severity === "error" ? COLORS.error : COLORS.warning, fillOpacity: 0.8 })
            .bindPopup(gisgrid.escapeHtml(li.textContent)).addTo(problemLayer);
          li.addEventListener("click", function () { map.setView(ll, Math.max(map.getZoom(), 15)); });
        }
      });
      return r;
    });
  }
  $("validate").addEventListener("click", function () { validate().catch(function (e) { say(e.message, "err"); }); });

  function showMoved(items, title) {
    var box = $("moved");
    if (!items.length) { box.innerHTML = "<p>" + title + "：无</p>"; return; }
    box.innerHTML = "<p>" + title + "：" + items.length + " 项（发布后在“需改派对象”页面确认改派）</p>";
    var ul = document.createElement("ul");
    items.forEach(function (m) {
      var li = document.createElement("li");
      li.textContent = m.kind_label + " " + m.label + "：" + (m.old_code || "无") + " → " + (m.new_code || "不在任何网格内");
      ul.appendChild(li);
    });
    box.appendChild(ul);
  }
  $("moved-preview").addEventListener("click", function () {
    api.get(API + "/versions/" + draftId + "/moved").then(function (r) { showMoved(r.items, "发布后将落入其他网格的对象"); })
      .catch(function (e) { say(e.message, "err"); });
  });

  $("publish").addEventListener("click", function () {
    if (!window.confirm("发布草稿 " + draftId + "？查询、地图将立即切换到新边界。")) { return; }
    say("发布中…", "muted");
    api.post(API + "/drafts/" + draftId + "/publish", {}).then(function (r) {
      say("已发布：版本 " + r.version_id + " 现为当前发布版本", "");
      $("publish").disabled = true;
      showMoved(r.moved, "落入其他网格的对象");
      var a = document.createElement("a");
      a.href = "/editor/versions/" + r.version_id + "/moved"; a.textContent = "去改派"; $("moved").appendChild(a);
    }).catch(function (e) { say("未发布：" + e.message, "err"); });
  });

  // --- GeoPackage round trip -----------------------------------------------------------------
  var pendingFile = null, pendingRepair = null;
  $("import").addEventListener("submit", function (ev) {
    ev.preventDefault();
    pendingFile = this.elements.file.files[0];
    if (!pendingFile) { say("请选择文件", "err"); return; }
    // the limits go with the file: applying repeats the same repair the preview showed
    pendingRepair = this.elements.repair.checked ? { repair: "1", snap_m: this.elements.snap_m.value, max_gap_width_m: this.elements.max_gap_width_m.value } : null;
    api.post(API + "/drafts/" + draftId + "/import", importData()).then(showPreview).catch(function (e) { say(e.message, "err"); });
  });

  function importData(extra) {
    var data = new FormData(); data.append("file", pendingFile);
    [pendingRepair, extra].forEach(function (o) { Object.keys(o || {}).forEach(function (k) { data.append(k, o[k]); }); });
    return data;
  }

  function showPreview(r) {
    var box = $("import-preview");
    window.gisgrid.repairReport.show(map, r.repair, box);
    var names = { added: "新增", removed: "删除", changed: "修改" };
    var rows = r.changes.map(function (c) {
      var what = c.change === "changed" ? ((c.fields || []).join("、") + (c.reshaped_m2 ? " 边界变化 " + c.reshaped_m2 + " m²" : "")) : (c.area_m2 + " m²");
      var esc = gisgrid.escapeHtml;  // codes and names come from an uploaded file
      return "<tr><td>" + esc(c.code) + "</td><td>" + esc(c.name) + "</td><td>" + names[c.change] + "</td><td>" + esc(what) + "</td></tr>";
    }).join("");
    box.insertAdjacentHTML("beforeend", "<p>文件中 " + r.changes.length + " 个网格有变化，" + r.errors + " 个错误</p>" +
      '<table class="data"><tr><th>编码</th><th>名称</th><th>变化</th><th>内容</th></tr>' + rows + "</table>");
    // a repaired file may change nothing in the draft and still be worth accepting: the draft records the repair
    if (r.errors === 0 && (r.changes.length || r.repair)) {
      var btn = document.createElement("button"); btn.textContent = "接受这些变更"; btn.type = "button";
      btn.addEventListener("click", function () {
        api.post(API + "/drafts/" + draftId + "/import", importData({ apply: "1", stamp: r.stamp })).then(function () {
          say("已导入文件中的变更", ""); box.innerHTML = ""; window.gisgrid.repairReport.clear(); return load().then(validate);
        })
          .catch(function (e) { say(e.message, "err"); });
      });
      box.appendChild(btn);
    }
  }

  setBusy(true);
  load().then(function () { say("已加载 " + Object.keys(features).length + " 个网格", "muted"); return validate(); })
    .catch(function (e) { say(e.message, "err"); }).then(function () { setBusy(false); });
})();
