// Version list: rollback buttons and the history lookup (?at=YYYY-MM-DD).
(function () {
  "use strict";
  var api = window.gisgrid.api;
  var message = document.getElementById("versions-message");
  document.querySelectorAll("button.rollback").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var id = btn.getAttribute("data-version");
      if (!window.confirm("把版本 " + id + " 复制为新版本并发布？")) { return; }
      api.post("/api/v1/editor/versions/" + id + "/rollback", {}).then(function (r) {
        message.className = ""; message.textContent = "已回滚：新版本 " + r.version_id + " 已发布";
        window.location.reload();
      }).catch(function (e) { message.className = "err"; message.textContent = e.message; });
    });
  });
  var form = document.getElementById("history-lookup");
  var out = document.getElementById("history-result");
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = new URLSearchParams(new FormData(form));
    api.get("/api/v1/lookup?" + q.toString()).then(function (r) {
      out.className = "";
      out.textContent = r.chain.map(function (g) { return g.name + "（" + g.code + "）"; }).join(" → ") +
        "；版本 " + r.version.id + "（" + r.version.label + "）";
    }).catch(function (e) { out.className = "err"; out.textContent = e.message; });
  });
})();
