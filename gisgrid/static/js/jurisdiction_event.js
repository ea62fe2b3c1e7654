// The event page: panel and map, and the forms the user may use (link a case, dispute, designate, route).
(function () {
  "use strict";
  var J = window.gisgrid.jurisdiction, api = window.gisgrid.api, esc = window.gisgrid.escapeHtml;
  var url = document.getElementById("event").dataset.url;
  var map = J.mapIn("map"), drawn = null;
  var message = document.getElementById("message");

  function show(ev) {
    J.renderPanel(document.getElementById("panel"), ev);
    drawn = J.drawMap(map, ev.map, drawn);
    var codes = ev.resolution.jurisdiction.map(function (h) { return h.code; });
    var open = ev.disputes.filter(function (d) { return d.state === "open"; })[0];
    document.getElementById("link-form").hidden = !ev.allowed.link;
    document.getElementById("dispute-form").hidden = !ev.allowed.dispute;
    document.getElementById("decide-form").hidden = !ev.allowed.decide;
    document.getElementById("route-form").hidden = !ev.allowed.route;
    document.querySelector("#dispute-form .parties").innerHTML = "<legend>争议各方（有管辖权的网格）</legend>" +
      codes.map(function (c) { return '<label><input type="checkbox" name="parties" value="' + esc(c) + '" checked> ' + esc(c) + "</label>"; }).join(" ");
    document.querySelector("#decide-form select").innerHTML = (open ? open.parties : []).map(function (c) {
      return '<option value="' + esc(c) + '">' + esc(c) + "</option>"; }).join("");
    document.getElementById("decide-form").dataset.dispute = open ? open.id : "";
  }

  function submit(id, build) {
    var form = document.getElementById(id);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var call = build(form);
      message.textContent = "提交中…";
      call.then(function (ev) { message.textContent = "已保存。" + (ev.routed !== undefined ? "移交案件 " + ev.routed + " 件。" : ""); form.reset(); show(ev); })
        .catch(function (err) { message.textContent = "未保存：" + err.message; });
    });
  }

  submit("link-form", function (f) { return api.post(url + "/cases", { incident_id: parseInt(f.incident_id.value, 10) }); });
  submit("dispute-form", function (f) {
    var parties = Array.prototype.filter.call(f.querySelectorAll("input[name=parties]"), function (i) { return i.checked; })
      .map(function (i) { return i.value; });
    return api.post(url + "/disputes", { parties: parties, reason: f.reason.value });
  });
  submit("decide-form", function (f) {
    return api.post(url + "/disputes/" + f.dataset.dispute + "/decision", { designated: f.designated.value, reason: f.reason.value });
  });
  submit("route-form", function () { return api.post(url + "/route"); });
  show(JSON.parse(document.getElementById("event-data").textContent));
})();
