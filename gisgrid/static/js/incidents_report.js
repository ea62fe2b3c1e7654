// Report form: pin on the map (or the phone's location), photos, a request id so a retry never duplicates.
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  var where = document.getElementById("where");
  var result = document.getElementById("report-result");
  var map = gisgrid.incidentMap.baseMap("report-map");
  var pin = null;
  function newRequestId() {
    return "web-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10);
  }
  form.client_request_id.value = newRequestId();
  function place(latlng) {
    if (pin) { pin.setLatLng(latlng); } else { pin = L.marker(latlng).addTo(map); }
    form.lon.value = latlng.lng.toFixed(7);
    form.lat.value = latlng.lat.toFixed(7);
    where.textContent = "经度 " + form.lon.value + "，纬度 " + form.lat.value;
  }
  map.on("click", function (e) { place(e.latlng); });
  document.getElementById("locate").addEventListener("click", function () {
    if (!navigator.geolocation) { where.textContent = "浏览器不支持定位，请在地图上点选"; return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      var ll = L.latLng(pos.coords.latitude, pos.coords.longitude);
      place(ll); map.setView(ll, 16);
    }, function () { where.textContent = "无法获取位置，请在地图上点选"; });
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!form.lon.value) { result.innerHTML = '<p class="err">请先在地图上标出位置</p>'; return; }
    result.textContent = "正在提交…";
    gisgrid.api.post("/api/v1/incidents", new FormData(form)).then(function (data) {
      result.innerHTML = '<p>已受理，案件编号 <strong id="case-id"></strong>。请保存编号，' +
        '<a id="case-status">查询办理进度</a>。</p>';
      document.getElementById("case-id").textContent = data.id;
      document.getElementById("case-status").href = "/report/status?id=" + encodeURIComponent(data.id);
      form.reset(); form.client_request_id.value = newRequestId();
    }).catch(function (err) {
      // keep the same request id: resubmitting after a network error returns the first case
      result.innerHTML = '<p class="err"></p>';
      result.firstChild.textContent = err.message;
    });
  });
})();
