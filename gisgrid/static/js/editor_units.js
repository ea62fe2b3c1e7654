// The draft's 重点监管单元网格 in the editor: overlays designated by a grid of the draft and supervised at
// its level; drawn dashed over the tiling, listed, created (outline drawn with Geoman), changed and deleted.
// Each save quotes the unit grid's lock counter: a change by someone else in between is a 409, nothing saved.
(function () {
  "use strict";
  var api = window.gisgrid.api, map = window.gisgrid.editorMap;
  var draftId = document.getElementById("map").getAttribute("data-draft");
  var API = "/api/v1/editor";
  var $ = function (id) { return document.getElementById(id); };
  var units = {}, drawn = null, drawing = false;
  // not clickable: clicks inside a unit grid still select the grid of the tiling below it (choose units in the list)
  var layer = L.geoJSON(null, {
    interactive: false,
    style: { color: "#9b2c2c", weight: 2.5, dashArray: "6 4", fillColor: "#9b2c2c", fillOpacity: 0.1, className: "unit-grid" }
  }).addTo(map);
  window.gisgrid.editorUnitLayer = layer;  // for tests

  function say(text, kind) { var m = $("message"); m.textContent = text; m.className = kind || ""; }
  function option(value, text) { var o = document.createElement("option"); o.value = value; o.textContent = text; return o; }
  function form() { return $("unit-form"); }

  function load() {
    return Promise.all([
      api.get(API + "/versions/" + draftId + "/unit-grids"),
      api.get(API + "/versions/" + draftId + "/grids")
    ]).then(function (r) {
      units = {};
      r[0].features.forEach(function (f) { units[f.properties.code] = f; });
      layer.clearLayers(); layer.addData(r[0]); layer.bringToFront();
      var keep = $("unit-select").value, parentKeep = $("unit-parent").value;
      $("unit-select").replaceChildren(option("", "— 新建 —"));
      Object.keys(units).sort().forEach(function (c) { $("unit-select").appendChild(option(c, c + " " + units[c].properties.name)); });
      $("unit-parent").replaceChildren();
      r[1].features.slice().sort(function (a, b) { return a.properties.level - b.properties.level || (a.properties.code < b.properties.code ? -1 : 1); })
        .forEach(function (f) { $("unit-parent").appendChild(option(f.properties.code, f.properties.level + " 级 " + f.properties.code + " " + f.properties.name)); });
      $("unit-parent").value = parentKeep;
      choose(units[keep] ? keep : "");
    });
  }

  function choose(code) {
    var p = code ? units[code].properties : null, f = form();
    $("unit-select").value = code;
    $("unit-code").value = code; $("unit-code").readOnly = !!code;
    if (p) { $("unit-parent").value = p.parent_code; }
    f.querySelectorAll("[data-unit-field]").forEach(function (input) {
      var v = p ? p[input.name] : null;
      if (input.type === "checkbox") { input.checked = !!v; } else { input.value = v == null ? "" : v; }
    });
    drawn = null;
    $("unit-outline").textContent = p ? "面积约 " + p.area_m2 + " 平方米；画新轮廓可替换" : "新建：请画轮廓";
    $("unit-delete").disabled = !code;
  }

  $("unit-select").addEventListener("change", function () { choose(this.value); });

  $("unit-draw").addEventListener("click", function () {
    drawing = true;
    map.pm.enableDraw("Polygon", { snappable: true, snapDistance: 15 });
    say("在划定网格内画单元网格的轮廓（可跨越下级网格），双击结束", "muted");
  });

  map.on("pm:create", function (e) {
    if (!drawing) { return; }  // editor.js's own tools
    drawing = false;
    drawn = e.layer.toGeoJSON().geometry;
    map.removeLayer(e.layer);
    $("unit-outline").textContent = "已画新轮廓（保存后生效）";
    say("轮廓已画好，请保存单元网格", "muted");
  });

  form().addEventListener("submit", function (ev) {
    ev.preventDefault();
    var code = $("unit-code").value.trim(), current = units[code], body = { parent_code: $("unit-parent").value };
    if (!code) { say("请填写单元网格编码", "err"); return; }
    this.querySelectorAll("[data-unit-field]").forEach(function (input) {
      body[input.name] = input.type === "checkbox" ? input.checked : input.value;
    });
    if (current) { body.lock_version = current.properties.lock_version; }
    if (drawn) { body.geometry = drawn; } else if (!current) { say("请先画单元网格的轮廓", "err"); return; }
    api.put(API + "/drafts/" + draftId + "/unit-grids/" + encodeURIComponent(code), body).then(function () {
      $("unit-select").value = code;
      return load().then(function () { choose(code); say("单元网格 " + code + " 已保存", "ok"); });
    }).catch(function (e) { say(e.message, "err"); });
  });

  $("unit-delete").addEventListener("click", function () {
    var code = $("unit-select").value;
    if (!code || !window.confirm("删除单元网格 " + code + "？")) { return; }
    var url = API + "/drafts/" + draftId + "/unit-grids/" + encodeURIComponent(code) + "?lock_version=" + units[code].properties.lock_version;
    api.del(url).then(function () {
      $("unit-select").value = "";
      return load().then(function () { say("单元网格 " + code + " 已删除", "ok"); });
    }).catch(function (e) { say(e.message, "err"); });
  });

  load().catch(function (e) { say(e.message, "err"); });
}());
