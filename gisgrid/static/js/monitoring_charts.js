// A source's monitoring page: one uPlot chart per station, pollutant and command, with the limit as a line.
(function () {
  "use strict";
  var block = document.getElementById("monitoring-series");
  if (!block || !window.uPlot) { return; }
  JSON.parse(block.textContent).forEach(function (station) {
    station.series.forEach(function (s) {
      var box = document.querySelector('[data-chart="' + station.station_id + "-" + s.pollutant + "-" + s.cn + '"]');
      if (!box || !s.times.length) { return; }
      var series = [{ label: "时间" }, { label: s.name || s.pollutant, stroke: "#1565c0", width: 2 }];
      var data = [s.times, s.values];
      if (s.limit !== null) {
        series.push({ label: "限值", stroke: "#c62828", dash: [6, 4], width: 1 });
        data.push(s.times.map(function () { return s.limit; }));
      }
      var width = Math.min(box.clientWidth || 800, 900);
      new window.uPlot({ width: width, height: 220, series: series, scales: { x: { time: true } } }, data, box);
    });
  });
  block.dataset.drawn = String(document.querySelectorAll(".chart .uplot").length);
})();
