// Dashboard chart: reads the numbers the page put in <script id="dashboard-data"
// type="application/json"> (Django's json_script): no inline script, so the strict CSP holds.
// The same numbers are in the table below the chart and in the CSV/Excel downloads.
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  var canvas = document.getElementById("dashboard-chart");
  if (!source || !canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var palette = ["#1f5f8b", "#e07b39", "#3a9d5d", "#b5446e", "#7a5cc2", "#c9a227",
                 "#2aa1b3", "#8c6d46", "#5b6b76", "#d1495b"];
  data.datasets.forEach(function (ds, i) {
    ds.backgroundColor = palette[i % palette.length];
    ds.borderColor = palette[i % palette.length];
    ds.spanGaps = false;
  });
  var scales = { y: { beginAtZero: true } };
  if (data.percent) { scales.y.max = 100; }
  new Chart(canvas, {
    type: data.type || "bar",
    data: { labels: data.labels, datasets: data.datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      responsive: true,
      scales: scales,
      plugins: { legend: { position: "bottom" } }
    }
  });
})();
