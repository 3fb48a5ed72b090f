// Budget against actual: cumulative budget, actual and the straight-line projection, from the
// numbers the page put in <script id="budget-data" type="application/json"> (json_script): no
// inline script, so the strict CSP holds. The same numbers are in the tables below the chart.
(function () {
  "use strict";
  var source = document.getElementById("budget-data");
  var canvas = document.getElementById("budget-chart");
  if (!source || !canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var names = data.names || {};
  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [
        { label: names.budget || "Budget", data: data.budget, borderColor: "#1f5f8b", backgroundColor: "#1f5f8b" },
        { label: names.actual || "Actual", data: data.actual, borderColor: "#e07b39", backgroundColor: "#e07b39" },
        { label: names.projection || "Projection", data: data.projection, borderColor: "#e07b39",
          backgroundColor: "#e07b39", borderDash: [6, 4], spanGaps: true }
      ]
    },
    options: { animation: false, maintainAspectRatio: false, responsive: true,
               scales: { y: { beginAtZero: true } }, plugins: { legend: { position: "bottom" } } }
  });
})();
