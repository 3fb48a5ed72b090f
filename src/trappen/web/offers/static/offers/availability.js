// Availability chart: children in the offers of each step by day, from <script id="availability-data">.
(function () {
  "use strict";
  var source = document.getElementById("availability-data");
  var canvas = document.getElementById("availability-chart");
  if (!source || !canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var palette = ["#1f5f8b", "#e07b39", "#3a9d5d", "#b5446e", "#7a5cc2", "#c9a227"];
  data.datasets.forEach(function (ds, i) { ds.borderColor = palette[i % palette.length]; ds.pointRadius = 0; });
  new Chart(canvas, {
    type: "line", data: data,
    options: { animation: false, maintainAspectRatio: false, responsive: true,
               scales: { y: { beginAtZero: true } }, plugins: { legend: { position: "bottom" } } }
  });
})();
