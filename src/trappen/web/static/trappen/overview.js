// Staircase overview chart: reads the data the page put in <script id="overview-data"
// type="application/json"> (Django's json_script), so no inline script is needed (CSP).
(function () {
  "use strict";
  var source = document.getElementById("overview-data");
  var canvas = document.getElementById("overview-chart");
  if (!source || !canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var palette = ["#1f5f8b", "#e07b39", "#3a9d5d", "#b5446e", "#7a5cc2", "#c9a227",
                 "#2aa1b3", "#8c6d46", "#5b6b76", "#d1495b"];
  data.datasets.forEach(function (ds, i) { ds.backgroundColor = palette[i % palette.length]; });
  new Chart(canvas, {
    type: "bar",
    data: data,
    options: {
      animation: false,
      maintainAspectRatio: false,
      responsive: true,
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } },
      plugins: { legend: { position: "bottom" } }
    }
  });
})();
