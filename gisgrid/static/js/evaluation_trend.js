// 考评趋势: one line per grid across the rounds, scores on one chart and ranks (1 at the top) on the other.
(function () {
  "use strict";
  var block = document.getElementById("trend-data");
  if (!block || !window.uPlot) { return; }
  var t = JSON.parse(block.textContent);
  if (!t.rounds.length || !t.grids.length) { block.dataset.drawn = "0"; return; }
  var PALETTE = ["#1565c0", "#c62828", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#ad1457", "#558b2f",
    "#4e342e", "#37474f", "#f9a825", "#283593"];
  var xs = t.rounds.map(function (_r, i) { return i; });
  var labels = t.rounds.map(function (r) { return r.label.replace("网格化环境监管考评", ""); });
  var xAxis = { values: function (_u, splits) { return splits.map(function (v) { return labels[v] || ""; }); } };

  function draw(boxId, key, yScale, yAxis) {
    var box = document.getElementById(boxId);
    var series = [{ label: "考评" }];
    var data = [xs];
    t.grids.forEach(function (g, i) {
      series.push({ label: g.grid_name, stroke: PALETTE[i % PALETTE.length], width: 2, spanGaps: false,
        points: { show: true, size: 6 } });
      data.push(g[key]);
    });
    var opts = { width: Math.min(box.clientWidth || 800, 900), height: 260, series: series,
      scales: { x: { time: false, range: [-0.3, xs.length - 0.7] }, y: yScale },
      axes: [Object.assign({ splits: function () { return xs; } }, xAxis), yAxis || {}] };
    return new window.uPlot(opts, data, box);
  }
  var maxRank = t.grids.length;
  draw("trend-scores", "scores", { range: [0, Math.max.apply(null, t.rounds.map(function (r) { return r.max_total; }))] });
  // ranks are whole numbers: ticks at 1, 2, 5, 10 … places, never 2.5
draw("trend-ranks", "ranks", { dir: -1, range: [0.5, maxRank + 0.5] }, { incrs: [1, 2, 5, 10, 20, 50, 100] });
  block.dataset.drawn = String(document.querySelectorAll(".trend-chart .uplot").length);
})();
