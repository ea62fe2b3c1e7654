// Shared fetch helper: JSON in/out, CSRF header from <meta name="csrf-token">, errors as Error(message);
// and escapeHtml for text put into popups and tooltips.
(function (global) {
  "use strict";
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }
  function request(method, url, body) {
    var opts = { method: method, headers: { "Accept": "application/json" }, credentials: "same-origin" };
    if (method !== "GET") { opts.headers["X-CSRFToken"] = csrfToken(); }
    if (body instanceof FormData) { opts.body = body; }
    else if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
    return fetch(url, opts).then(function (resp) {
      return resp.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        if (!resp.ok) {
          var msg = data && data.error ? data.error.message : ("请求失败（HTTP " + resp.status + "）");
          var err = new Error(msg); err.status = resp.status; err.body = data; throw err;
        }
        return data;
      });
    });
  }
  // the map pages' initial view: the published version's extent, rendered by base.html into one data
  // block (a national view when nothing is published); no coordinates live in the scripts
  function initialView(map, options) {
    var el = document.getElementById("gisgrid-map-view");
    var view = el ? JSON.parse(el.textContent) : null;
    if (view && view.bounds) { map.fitBounds(view.bounds, options || {}); }
    else if (view && view.center) { map.setView(view.center, view.zoom); }
    else { map.fitWorld(); }
    return map;
  }
  // the deployment profile's levels: stored level = depth here; the plan's number and name come from the profile
  function levels() {
    var el = document.getElementById("gisgrid-levels");
    return el ? JSON.parse(el.textContent) : [];
  }
  function level(depth) {
    var all = levels(), found = all.filter(function (l) { return l.depth === Number(depth); })[0];
    if (found) { return found; }
    var last = all[all.length - 1], n = last ? last.number + Number(depth) - all.length : Number(depth);
    return { depth: Number(depth), number: n, name: "第" + depth + "层", title: n + "级网格", label: n + "级网格" };
  }
  function escapeHtml(s) { var d = document.createElement("div"); d.textContent = s == null ? "" : String(s); return d.innerHTML; }
  global.gisgrid = global.gisgrid || {};
  global.gisgrid.escapeHtml = escapeHtml;
  global.gisgrid.initialView = initialView;
  global.gisgrid.levels = levels;
  global.gisgrid.level = level;
  global.gisgrid.api = {
    csrfToken: csrfToken,
    get: function (url) { return request("GET", url); },
    post: function (url, body) { return request("POST", url, body); },
    put: function (url, body) { return request("PUT", url, body); },
    patch: function (url, body) { return request("PATCH", url, body); },
    del: function (url) { return request("DELETE", url); }
  };
})(window);

// The CSP (style-src 'self', script-src 'self') applies no style="" attribute and runs no onclick="":
// a computed style (a bar's height, a legend swatch's colour) is written as data-style="…" and set
// here through the CSSOM, which the CSP allows; this also covers markup that scripts insert later
// (map legends built with innerHTML). Forms submit on change with data-autosubmit; data-print prints.
(function () {
  "use strict";
  function paint(root) {
    if (root.nodeType !== 1) { return; }
    if (root.hasAttribute("data-style")) { root.style.cssText += ";" + root.getAttribute("data-style"); }
    var all = root.querySelectorAll("[data-style]");
    for (var i = 0; i < all.length; i++) { all[i].style.cssText += ";" + all[i].getAttribute("data-style"); }
  }
  function watch() {
    paint(document.documentElement);
    new MutationObserver(function (records) {
      records.forEach(function (r) { r.addedNodes.forEach(paint); });
    }).observe(document.documentElement, { childList: true, subtree: true });
  }
  document.addEventListener("change", function (e) {
    if (e.target.hasAttribute && e.target.hasAttribute("data-autosubmit") && e.target.form) { e.target.form.submit(); }
  });
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("[data-print]");
    if (button) { window.print(); }
  });
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", watch); } else { watch(); }
  window.gisgrid.paintStyles = paint;
})();
