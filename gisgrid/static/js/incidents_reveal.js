// 显示: the case's handler or dispatcher asks for the reporter's real name and contact; the server
// writes an audit row for every answer (gisgrid/privacy), so the values are fetched only on this click.
(function () {
  "use strict";
  var button = document.getElementById("reveal-reporter");
  if (!button) { return; }
  button.addEventListener("click", function () {
    var reason = document.getElementById("reveal-reason");
    button.disabled = true;
    gisgrid.api.post(button.getAttribute("data-url"), { reason: reason ? reason.value : "" }).then(function (who) {
      document.getElementById("reporter-name").textContent = who.name || "—";
      document.getElementById("reporter-contact").textContent = who.contact || "—";
      document.getElementById("reveal-box").textContent = "（已显示，已记入审计日志）";
    }).catch(function (err) {
      button.disabled = false;
      window.alert(err.message);
    });
  });
})();
