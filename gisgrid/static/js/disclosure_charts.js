// A public source's page: one uPlot chart of daily averages per station and pollutant, the limit as a line.
(function () {
  "use strict";
  var block = document.getElementById("daily-series");
  if (!block || !window.uPlot) { return; }
  JSON.parse(block.textContent).forEach(function (s) {
    var box = document.querySelector('[data-chart="' + s.station_id + "-" + s.pollutant + '"]');
    if (!box || !s.days.length) { return; }
    var times = s.days.map(function (d) { return Date.parse(d.day + "T00:00:00+08:00") / 1000; });
    var series = [{ label: "日期" }, { label: "日均值", stroke: "#1565c0", width: 2 }];
    var data = [times, s.days.map(function (d) { return d.mean; })];
    if (s.limit !== null) {
      series.push({ label: "小时限值", stroke: "#c62828", dash: [6, 4], width: 1 });
      data.push(times.map(function () { return s.limit; }));
    }
    var width = Math.min(box.clientWidth || 800, 900);
    new window.uPlot({ width: width, height: 220, series: series, scales: { x: { time: true } } }, data, box);
  });
  block.dataset.drawn = String(document.querySelectorAll(".chart .uplot").length);
})();
