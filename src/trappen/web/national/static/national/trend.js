// Trend charts on a municipality's national page: each reads the numbers the page put in a
// <script type="application/json" id="national-chart-..."> (Django's json_script; no inline
// script, so the strict CSP holds) and draws them into the canvas named in the data. The same
// numbers are in the table under each chart and in the downloads; a hidden cell is a gap.
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var palette = ["#1f5f8b", "#e07b39", "#5b6b76"];
  document.querySelectorAll("script[id^='national-chart-']").forEach(function (source) {
    var data = JSON.parse(source.textContent);
    var canvas = document.getElementById(data.canvas);
    if (!canvas) { return; }
    data.datasets.forEach(function (ds, i) {
      ds.backgroundColor = palette[i % palette.length];
      ds.borderColor = palette[i % palette.length];
      ds.spanGaps = false;
    });
    new Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: data.datasets },
      options: {
        animation: false, maintainAspectRatio: false, responsive: true,
        scales: { y: { beginAtZero: true } },
        plugins: { legend: { position: "bottom" } }
      }
    });
  });
})();
