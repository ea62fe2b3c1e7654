// Map of the listed cases, coloured by state, with a legend; overdue cases get a red ring.
(function () {
  "use strict";
  var el = document.getElementById("cases-map");
  var cases = JSON.parse(el.getAttribute("data-cases") || "[]");
  var colours = { reported: "#6c757d", registered: "#0d6efd", dispatched: "#6f42c1", in_progress: "#fd7e14",
                  handled: "#20c997", verified: "#198754", closed: "#343a40", evaluated: "#343a40", rejected: "#adb5bd" };
  var names = { reported: "已上报", registered: "已立案", dispatched: "已派遣", in_progress: "处置中", handled: "已反馈",
                verified: "已核实", closed: "已结案/已评价", rejected: "不予立案" };
  var map = gisgrid.incidentMap.baseMap("cases-map");
  var points = [];
  cases.forEach(function (c) {
    var m = L.circleMarker([c.lat, c.lon], { radius: 7, color: c.overdue ? "#b00020" : "#fff", weight: c.overdue ? 3 : 1,
                                            fillColor: colours[c.state], fillOpacity: 0.9 }).addTo(map);
    m.bindPopup('<a href="/incidents/' + c.id + '">案件 ' + c.id + "</a> · " + gisgrid.escapeHtml(c.state_label));
    points.push([c.lat, c.lon]);
  });
  if (points.length) { map.fitBounds(points, { maxZoom: 15, padding: [20, 20] }); }
  var legend = L.control({ position: "bottomright" });
  legend.onAdd = function () {
    var div = L.DomUtil.create("div", "legend");
    Object.keys(names).forEach(function (k) {
      div.innerHTML += '<div><i data-style="background:' + colours[k] + '"></i>' + names[k] + "</div>";
    });
    div.innerHTML += '<div><i data-style="border:3px solid #b00020;background:#fff"></i>超期</div>';
    return div;
  };
  legend.addTo(map);
})();
