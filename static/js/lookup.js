// Landing-page lookup form: calls /api/v1/lookup and lists the grid chain with its public contacts.
(function () {
  "use strict";
  var form = document.getElementById("lookup");
  var out = document.getElementById("result");

  function text(tag, value, cls) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (cls) { el.className = cls; }
    return el;
  }

  function describe(grid) {
    var parts = [grid.level + " 级 " + grid.name + "（" + grid.code + "）", "责任主体：" + (grid.entity || "—")];
    if (grid.leader && grid.leader.name) {
      parts.push("第一责任人：" + grid.leader.name + (grid.leader.title ? "（" + grid.leader.title + "）" : ""));
    }
    if (grid.contact_phone) { parts.push("联系电话：" + grid.contact_phone); }
    (grid.staff || []).forEach(function (s) {
      parts.push(s.role + "：" + s.name + (s.phone ? " " + s.phone : ""));
    });
    if (grid.sample_data) { parts.push("（示例数据）"); }
    return parts.join("；");
  }

  function render(body, ok) {
    out.replaceChildren();
    if (!ok) { out.appendChild(text("p", body.error.message, "err")); return; }
    var list = document.createElement("ol");
    list.className = "chain";
    body.chain.forEach(function (g) { list.appendChild(text("li", describe(g))); });
    out.appendChild(list);
    if (body.near_boundary.length) {
      var names = body.near_boundary.map(function (g) { return g.name + " " + g.distance_m + " 米"; });
      out.appendChild(text("p", "注意：距以下网格不足 " + body.near_boundary_m + " 米，管辖可能存疑：" + names.join("、"), "warn"));
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var params = new URLSearchParams(new FormData(form));
    fetch("/api/v1/lookup?" + params.toString())
      .then(function (resp) { return resp.json().then(function (body) { render(body, resp.ok); }); })
      .catch(function () { out.replaceChildren(text("p", "查询失败，请稍后重试", "err")); });
  });
}());
