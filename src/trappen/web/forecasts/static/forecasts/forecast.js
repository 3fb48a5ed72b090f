// Forecast charts: one small chart per step from <script id="forecast-data"
// type="application/json"> (Django's json_script). No inline script: the strict CSP holds.
// Band = P10..P90 of the simulations; solid = expected with the levers; dashed = baseline.
(function () {
  "use strict";
  var source = document.getElementById("forecast-data");
  var box = document.getElementById("forecast-charts");
  if (!source || !box || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var labels = data.months.map(function (m) { return m.slice(0, 7); });
  data.steps.forEach(function (step) {
    var card = document.createElement("div");
    card.className = "fc-chart";
    var title = document.createElement("h2");
    title.textContent = step.name;
    var wrap = document.createElement("div");
    wrap.className = "fc-canvas";
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", step.name);
    wrap.appendChild(canvas);
    card.appendChild(title);
    card.appendChild(wrap);
    box.appendChild(card);
    new Chart(canvas, {
      type: "line",
      data: {
        labels: labels,
        datasets: [
          { label: "P10", data: step.p10, borderWidth: 0, pointRadius: 0, borderColor: "rgba(31,95,139,0.25)", fill: false },
          { label: "P90", data: step.p90, borderWidth: 0, pointRadius: 0, borderColor: "rgba(31,95,139,0.25)",
            backgroundColor: "rgba(31,95,139,0.2)", fill: "-1" },
          { label: "P50", data: step.p50, borderWidth: 1, pointRadius: 0, borderColor: "rgba(31,95,139,0.6)", fill: false },
          { label: "expected", data: step.expected, borderWidth: 2, pointRadius: 0, borderColor: "#1f5f8b", fill: false },
          { label: "baseline", data: step.baseline, borderWidth: 1.5, pointRadius: 0, borderColor: "#e07b39",
            borderDash: [5, 4], fill: false }
        ]
      },
      options: {
        animation: false, maintainAspectRatio: false, responsive: true,
        scales: { y: { beginAtZero: true }, x: { ticks: { maxTicksLimit: 6 } } },
        plugins: { legend: { display: false } }
      }
    });
  });
})();
