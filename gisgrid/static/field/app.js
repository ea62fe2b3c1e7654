// The field app (/app/): patrol, report, inspect, 待办, contacts — usable without signal.
// Everything entered is first written to IndexedDB (the queue), then sent; each item carries the id this
// phone made for it (client_id / client_request_id), so the server stores a retried item only once.
// A patrol's points are written to IndexedDB as they arrive, so a reload or a locked screen loses nothing.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var esc = window.gisgrid.escapeHtml;
  var db, bundle = null, patrol = null, points = [], watchId = null, syncing = false;
  var maps = {}, layers = {}, lastFix = null, arrival = null, inspecting = null;

  // ---- IndexedDB: points of the running patrol, key/value state, the send queue ----
  function openDb() {
    return new Promise(function (ok, fail) {
      var req = indexedDB.open("gisgrid-field", 1);
      req.onupgradeneeded = function () {
        var d = req.result;
        d.createObjectStore("points", { autoIncrement: true });
        d.createObjectStore("kv");
        d.createObjectStore("queue", { keyPath: "id" });
      };
      req.onsuccess = function () { ok(req.result); };
      req.onerror = function () { fail(req.error); };
    });
  }
  function tx(store, mode, fn) {
    return new Promise(function (ok, fail) {
      var t = db.transaction(store, mode), req = fn(t.objectStore(store));
      t.oncomplete = function () { ok(req ? req.result : undefined); };
      t.onerror = t.onabort = function () { fail(t.error); };
    });
  }
  function put(store, value, key) { return tx(store, "readwrite", function (s) { return key === undefined ? s.put(value) : s.put(value, key); }); }
  function get(store, key) { return tx(store, "readonly", function (s) { return s.get(key); }); }
  function all(store) { return tx(store, "readonly", function (s) { return s.getAll(); }); }
  function del(store, key) { return tx(store, "readwrite", function (s) { return s.delete(key); }); }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
  }
  function chinaDay() { // the inspection day as staff mean it (UTC+8), whatever the phone's zone
    return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
  }

  // ---- tabs and maps ----
  function show(tab) {
    document.querySelectorAll("main > section").forEach(function (s) { s.hidden = s.dataset.tab !== tab; });
    document.querySelectorAll(".tabs button").forEach(function (b) { b.classList.toggle("active", b.dataset.go === tab); });
    Object.keys(maps).forEach(function (k) { maps[k].invalidateSize(); });
    if (tab === "report") placeReportPin();
  }
  function makeMap(id) {
    if (!$(id)) return null;
    var map = L.map(id, { zoomControl: true, attributionControl: false });
    window.gisgrid.initialView(map);
    maps[id] = map;
    return map;
  }
  var STATUS_COLOUR = { overdue: "#b00020", due_soon: "#e67e22", never: "#6f42c1" };
  function drawBundle() {
    var map = maps["patrol-map"];
    if (!map || !bundle) return;
    if (layers.grids) { map.removeLayer(layers.grids); map.removeLayer(layers.sources); }
    layers.grids = L.geoJSON(bundle.grids, { style: { color: "#1f6f5c", weight: 2, fillOpacity: 0.05, className: "grid-outline" } })
      .bindTooltip(function (l) { return esc(l.feature.properties.name); }).addTo(map);
    layers.sources = L.layerGroup(bundle.sources.filter(waiting).map(function (s) {
      var colour = STATUS_COLOUR[s.inspections ? s.status : "never"] || STATUS_COLOUR.never;
      return L.circleMarker([s.lat, s.lon], { radius: 7, color: colour, fillOpacity: 0.8 }).bindTooltip(esc(s.name));
    })).addTo(map);
    if (bundle.grids.features.length && !patrol) map.fitBounds(layers.grids.getBounds());
  }
  function waiting(s) { return s.status !== "ok" || !s.inspections; }

  // ---- patrol: watchPosition → IndexedDB → map; 结束巡查 queues the track ----
  async function startPatrol() {
    patrol = { id: newId(), started: new Date().toISOString() };
    await put("kv", patrol, "patrol");
    points = [];
    resumeWatch();
    renderPatrol();
  }
  var wakeLock = null;
  async function keepScreenOn() { // a locked screen suspends the page: keep it on while patrolling (if allowed)
    if (!patrol || wakeLock || !("wakeLock" in navigator) || document.hidden) return;
    try {
      wakeLock = await navigator.wakeLock.request("screen");
      wakeLock.addEventListener("release", function () { wakeLock = null; });
    } catch (e) { wakeLock = null; } // refused (battery saver, no permission): the points are kept anyway
  }
  function resumeWatch() {
    keepScreenOn();
    if (watchId !== null || !patrol) return;
    watchId = navigator.geolocation.watchPosition(onFix, function (err) {
      $("patrol-status").textContent = "定位失败：" + err.message + "（继续等待定位）";
    }, { enableHighAccuracy: true, maximumAge: 0, timeout: 120000 });
  }
  async function onFix(pos) {
    lastFix = pos;
    if (!patrol) return;
    var p = { patrol: patrol.id, lon: pos.coords.longitude, lat: pos.coords.latitude,
              t: new Date(pos.timestamp).toISOString(), acc: pos.coords.accuracy };
    await put("points", p); // kept before it is drawn: a reload now loses nothing
    points.push(p);
    renderPatrol();
  }
  function renderPatrol() {
    var on = !!patrol, status = $("patrol-status");
    $("patrol-start").hidden = on;
    $("patrol-stop").hidden = !on;
    status.dataset.points = points.length;
    status.textContent = on ? "巡查中：已记录 " + points.length + " 个定位点（开始于 " +
      new Date(patrol.started).toLocaleTimeString("zh-CN") + "）" : "未在巡查。";
    var map = maps["patrol-map"];
    if (!map) return;
    if (layers.track) map.removeLayer(layers.track);
    var latlngs = points.map(function (p) { return [p.lat, p.lon]; });
    layers.track = L.polyline(latlngs, { color: "#e67e22", weight: 4 }).addTo(map);
    if (latlngs.length) map.panTo(latlngs[latlngs.length - 1]);
  }
  async function stopPatrol() {
    if (watchId !== null) navigator.geolocation.clearWatch(watchId);
    watchId = null;
    if (wakeLock) wakeLock.release();
    var stored = await tx("points", "readonly", function (s) { return s.getAll(); });
    var mine = stored.filter(function (p) { return p.patrol === patrol.id; });
    await enqueue({ id: patrol.id, kind: "track", url: "/api/v1/patrols/tracks",
      title: "巡查轨迹（" + mine.length + " 个点，" + new Date(patrol.started).toLocaleString("zh-CN") + " 开始）",
      json: { client_id: patrol.id, points: mine.map(function (p) { return { lon: p.lon, lat: p.lat, t: p.t }; }) } });
    await tx("points", "readwrite", function (s) { return s.clear(); });
    await del("kv", "patrol");
    patrol = null; points = [];
    renderPatrol();
    sync();
  }

  // ---- report on the spot ----
  function placeReportPin() {
    var map = maps["report-map"];
    if (!map) return;
    if (!layers.pin) {
      var at = lastFix ? [lastFix.coords.latitude, lastFix.coords.longitude] : map.getCenter();
      layers.pin = L.marker(at, { draggable: true }).addTo(map);
      layers.pin.on("dragend", showPin);
      map.setView(at, Math.max(map.getZoom(), 16));
    }
    showPin();
  }
  function showPin() {
    var at = layers.pin.getLatLng();
    $("report-where").textContent = "位置：" + at.lng.toFixed(6) + ", " + at.lat.toFixed(6) + "（可拖动图钉调整）";
  }
  function locate(done) {
    navigator.geolocation.getCurrentPosition(function (pos) { lastFix = pos; done(pos); },
      function (err) { alert("无法定位：" + err.message); }, { enableHighAccuracy: true, timeout: 30000, maximumAge: 10000 });
  }
  async function shrink(file) { // phone photos are larger than the server's cap: at most 1600 px, JPEG
    if (file.size < 1500000 || !window.createImageBitmap) return { name: file.name, blob: file };
    try {
      var img = await createImageBitmap(file), scale = Math.min(1, 1600 / Math.max(img.width, img.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(img.width * scale); canvas.height = Math.round(img.height * scale);
      canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
      var blob = await new Promise(function (ok) { canvas.toBlob(ok, "image/jpeg", 0.85); });
      return { name: file.name.replace(/\.\w+$/, "") + ".jpg", blob: blob };
    } catch (e) { return { name: file.name, blob: file }; }
  }
  async function submitReport(event) {
    event.preventDefault();
    var form = $("report-form"), at = layers.pin.getLatLng(), id = newId();
    var photos = await Promise.all(Array.from($("report-photo").files).map(shrink));
    var category = $("report-category");
    await enqueue({ id: id, kind: "report", url: "/api/v1/incidents",
      title: "上报：" + category.options[category.selectedIndex].text, photos: photos,
      fields: { category: category.value, description: $("report-description").value, lon: at.lng, lat: at.lat,
                channel: form.dataset.channel, client_request_id: id } });
    form.reset();
    sync();
    show("queue");
  }

  // ---- inspect a source ----
  function renderSources() {
    var list = $("source-list");
    if (!list || !bundle) return;
    list.innerHTML = bundle.sources.map(function (s, i) {
      var state = !s.inspections ? "从未检查" : s.status === "overdue" ? "逾期" : s.status === "due_soon" ? "即将到期" : "正常";
      return '<li class="' + (s.status === "overdue" ? "overdue" : "") + '"><strong>' + esc(s.name) + "</strong>（" +
        esc(s["class"]) + "类，" + state + "，应检查 " + esc(s.due_on) + '）<br><button type="button" data-source="' + i +
        '">现场检查</button></li>';
    }).join("") || "<li>我的网格内没有污染源。</li>";
  }
  function openInspection(source) {
    inspecting = source; arrival = null;
    $("inspect-summary").innerHTML = "<strong>" + esc(source.name) + "</strong>（" + esc(source.code) + "，" + esc(source["class"]) +
      "类）<br>地址：" + esc(source.address || "—") + "<br>行业：" + esc(source.industry || "—") + "<br>联系人：" +
      esc(source.contacts || "—") + "<br>许可证：" + esc(source.permits || "—") + "<br>上次检查：" + esc(source.last_inspected || "从未");
    $("inspect-checklist").innerHTML = "<legend>检查项（符合的打勾）</legend>" + source.checklist.map(function (item) {
      return '<label class="check"><input type="checkbox" data-item="' + esc(item) + '"> ' + esc(item) + "</label>";
    }).join("");
    $("inspect-arrival").textContent = "尚未记录到达";
    $("source-list").hidden = true;
    $("inspect-form").hidden = false;
  }
  function closeInspection() {
    $("inspect-form").reset(); $("inspect-form").hidden = true; $("source-list").hidden = false; inspecting = null;
  }
  async function submitInspection(event) {
    event.preventDefault();
    var id = newId(), checklist = {};
    document.querySelectorAll("#inspect-checklist input").forEach(function (box) { checklist[box.dataset.item] = box.checked; });
    var fields = { client_id: id, inspected_on: chinaDay(), violation: $("inspect-violation").checked ? "true" : "false",
                   findings: $("inspect-findings").value, category: $("inspect-category").value, checklist: JSON.stringify(checklist) };
    if (arrival) Object.assign(fields, arrival);
    await enqueue({ id: id, kind: "inspection", url: "/api/v1/sources/" + inspecting.id + "/inspections",
      title: "现场检查：" + inspecting.name, fields: fields,
      photos: await Promise.all(Array.from($("inspect-photo").files).map(shrink)) });
    closeInspection();
    sync();
    show("queue");
  }

  // ---- the queue: IndexedDB first, then the network; a retry is harmless (client ids) ----
  async function enqueue(item) {
    item.status = "waiting"; item.created = new Date().toISOString(); item.error = null;
    await put("queue", item);
    renderQueue();
  }
  async function csrfToken() {
    var resp = await fetch("/api/v1/patrols/csrf", { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!resp.ok) throw new Error(resp.status === 401 ? "登录已过期，请重新登录" : "HTTP " + resp.status);
    return (await resp.json()).csrf_token;
  }
  function request(item, token) {
    var init = { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": token, Accept: "application/json" } };
    if (item.json) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(item.json);
    } else {
      var form = new FormData();
      Object.keys(item.fields).forEach(function (k) { if (item.fields[k] != null) form.append(k, item.fields[k]); });
      (item.photos || []).forEach(function (p) { form.append("photos", p.blob, p.name); });
      init.body = form;
    }
    return fetch(item.url, init);
  }
  async function send(item, token) {
    item.status = "sending"; await put("queue", item); renderQueue();
    var resp;
    try { resp = await request(item, token); } catch (e) {
      item.status = "waiting"; item.error = "无网络，恢复后自动重发"; await put("queue", item); return false;
    }
    var body = await resp.json().catch(function () { return null; });
    if (resp.ok) { item.status = "sent"; item.error = null; item.result = body; }
    else if (resp.status === 401 || resp.status === 409 || resp.status >= 500) {
      item.status = "waiting"; item.error = (body && body.error ? body.error.message : "HTTP " + resp.status) + "（稍后重发）";
    } else { item.status = "failed"; item.error = body && body.error ? body.error.message : "HTTP " + resp.status; }
    await put("queue", item);
    return resp.ok;
  }
  async function sync() {
    if (syncing) return;
    syncing = true;
    try {
      var due = (await all("queue")).filter(function (i) { return i.status === "waiting" || i.status === "sending"; });
      if (!due.length) return;
      var token;
      try { token = await csrfToken(); } catch (e) { return; } // offline or logged out: keep waiting
      var sent = 0;
      for (var i = 0; i < due.length; i++) { if (await send(due[i], token)) sent++; }
      if (sent) loadBundle();
    } finally { syncing = false; renderQueue(); }
  }
  var KIND = { track: "轨迹", report: "上报", inspection: "检查" };
  var STATUS = { waiting: "等待发送", sending: "发送中", sent: "已送达", failed: "被拒绝" };
  async function renderQueue() {
    var items = (await all("queue")).sort(function (a, b) { return a.created < b.created ? 1 : -1; });
    $("queue-list").innerHTML = items.map(function (i) {
      var done = i.status === "sent" && i.result ? "（编号 " + esc(i.result.id) + "）" : "";
      return '<li data-status="' + i.status + '" data-kind="' + i.kind + '"><span class="status">' + STATUS[i.status] +
        "</span> " + KIND[i.kind] + " · " + esc(i.title) + done + (i.error ? '<br><span class="muted">' + esc(i.error) + "</span>" : "") + "</li>";
    }).join("") || "<li>队列为空。</li>";
    var open = items.filter(function (i) { return i.status !== "sent"; }).length;
    $("queue-count").textContent = open ? String(open) : "";
  }

  // ---- 待办, contacts: the bundle, from the network or (offline) the last copy ----
  async function loadBundle() {
    try {
      var resp = await fetch("/api/v1/field/bundle", { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (resp.status === 401) { location.href = "/login?next=/app/&keep=1"; return; }
      if (!resp.ok) throw new Error("HTTP " + resp.status);
      bundle = await resp.json();
      await put("kv", bundle, "bundle");
    } catch (e) {
      bundle = bundle || (await get("kv", "bundle")) || null;
    }
    renderBundle();
  }
  function renderBundle() {
    if (!bundle) { $("bundle-age").textContent = "尚无离线数据：请在有信号时打开一次。"; return; }
    $("bundle-age").textContent = "数据更新于 " + new Date(bundle.fetched_at).toLocaleString("zh-CN");
    $("inbox-list").innerHTML = bundle.inbox.map(function (e) {
      return '<li class="' + (e.overdue ? "overdue" : "") + '"><a href="' + esc(e.url) + '">' + esc(e.title) + "</a>" +
        (e.due ? '<br><span class="muted">期限 ' + esc(e.due) + (e.overdue ? "（已逾期）" : "") + "</span>" : "") + "</li>";
    }).join("") || "<li>暂无待办事项。</li>";
    $("inbox-count").textContent = bundle.inbox.length ? String(bundle.inbox.length) : "";
    $("contacts").innerHTML = bundle.grids.features.map(function (f) { return contactCard(f.properties); }).join("");
    var options = bundle.categories.map(function (c) { return '<option value="' + esc(c.code) + '">' + esc(c.name) + "</option>"; }).join("");
    $("report-category").innerHTML = options;
    if ($("inspect-category")) $("inspect-category").innerHTML = options;
    renderSources();
    drawBundle();
  }
  function tel(phone) { return phone ? '<a href="tel:' + esc(phone) + '">' + esc(phone) + "</a>" : "—"; }
  function contactCard(p) {
    var staff = (p.staff || []).map(function (s) { return esc(s.role) + " " + esc(s.name) + " " + tel(s.phone); }).join("<br>");
    return '<div class="card"><strong>' + esc(p.name) + "</strong>（" + esc(p.code) + "）<br>责任主体：" + esc(p.entity || "—") +
      "<br>第一责任人：" + esc(p.leader || "—") + " " + tel(p.leader_phone) + "<br>联系电话：" + tel(p.contact_phone) +
      (staff ? "<br>" + staff : "") + "</div>";
  }

  function netStatus() {
    var on = navigator.onLine, el = $("net");
    el.dataset.online = on ? "1" : "0";
    el.textContent = on ? "在线" : "离线";
    if (on) sync();
  }

  async function init() {
    db = await openDb();
    makeMap("patrol-map");
    makeMap("report-map");
    document.querySelectorAll(".tabs button").forEach(function (b) { b.onclick = function () { show(b.dataset.go); }; });
    if ($("patrol-start")) { $("patrol-start").onclick = startPatrol; $("patrol-stop").onclick = stopPatrol; }
    $("report-form").onsubmit = submitReport;
    $("report-locate").onclick = function () { locate(function (pos) { layers.pin.setLatLng([pos.coords.latitude, pos.coords.longitude]); maps["report-map"].panTo(layers.pin.getLatLng()); showPin(); }); };
    if ($("inspect-form")) {
      $("inspect-form").onsubmit = submitInspection;
      $("inspect-cancel").onclick = closeInspection;
      $("source-list").onclick = function (e) { if (e.target.dataset.source) openInspection(bundle.sources[Number(e.target.dataset.source)]); };
      $("inspect-arrive").onclick = function () {
        locate(function (pos) {
          arrival = { arrived_at: new Date(pos.timestamp).toISOString(), arrival_lon: pos.coords.longitude,
                      arrival_lat: pos.coords.latitude, arrival_accuracy_m: pos.coords.accuracy };
          $("inspect-arrival").textContent = "已到达：" + new Date(pos.timestamp).toLocaleTimeString("zh-CN") + "，精度 " + Math.round(pos.coords.accuracy) + " 米";
        });
      };
    }
    $("queue-sync").onclick = sync;
    window.addEventListener("online", netStatus);
    window.addEventListener("offline", netStatus);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) { resumeWatch(); sync(); } });
    setInterval(sync, 30000); // some phones never fire "online"
    patrol = (await get("kv", "patrol")) || null; // a reload mid-patrol: the points are all still here
    if (patrol) { points = (await all("points")).filter(function (p) { return p.patrol === patrol.id; }); resumeWatch(); }
    if ($("patrol-start")) renderPatrol();
    show(document.querySelector(".tabs button").dataset.go);
    await loadBundle();
    await renderQueue();
    netStatus();
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register("/app/sw.js", { scope: "/app/" }).catch(function () {});
    }
    document.body.dataset.ready = "1";
  }
  init();
})();
