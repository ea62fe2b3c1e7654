// Items that fall in another grid in a version: list them and reassign the ticked ones.
(function () {
  "use strict";
  var api = window.gisgrid.api, table = document.getElementById("moved"), msg = document.getElementById("moved-message");
  var version = table.getAttribute("data-version");
  function cell(tr, v) { var td = document.createElement("td"); td.textContent = v === null || v === undefined ? "（无）" : String(v); tr.appendChild(td); }
  api.get("/api/v1/editor/versions/" + version + "/moved").then(function (r) {
    msg.textContent = r.items.length ? "共 " + r.items.length + " 项" : "没有落入其他网格的对象";
    r.items.forEach(function (m) {
      var tr = document.createElement("tr"), td = document.createElement("td"), box = document.createElement("input");
      box.type = "checkbox"; box.checked = true; box.setAttribute("data-kind", m.kind); box.value = m.item_id;
      td.appendChild(box); tr.appendChild(td);
      [m.kind_label, m.label, m.old_code, m.new_code, m.lon.toFixed(6) + ", " + m.lat.toFixed(6)].forEach(function (v) { cell(tr, v); });
      table.appendChild(tr);
    });
  }).catch(function (e) { msg.textContent = e.message; msg.className = "err"; });
  document.getElementById("reassign").addEventListener("click", function () {
    var choices = {};
    table.querySelectorAll("input[type=checkbox]:checked").forEach(function (b) {
      var k = b.getAttribute("data-kind"); (choices[k] = choices[k] || []).push(Number(b.value));
    });
    api.post("/api/v1/editor/versions/" + version + "/reassign", choices).then(function (r) {
      msg.className = ""; msg.textContent = "已改派：" + Object.keys(r.reassigned).map(function (k) { return k + " " + r.reassigned[k] + " 项"; }).join("，");
    }).catch(function (e) { msg.className = "err"; msg.textContent = e.message; });
  });
})();
