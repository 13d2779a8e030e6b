// Dashboards: the twelve-month trend charts (Chart.js, vendored) and the progress of monthly reports.
(function () {
  "use strict";
  var data = document.getElementById("trend-data");
  if (data && window.Chart) {
    var trend = JSON.parse(data.textContent);
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var chart = trend.charts[Number(canvas.dataset.chart)];
      var percent = chart.unit === "%";
      new window.Chart(canvas, {
        type: percent ? "line" : "bar",
        data: {
          labels: trend.labels,
          datasets: [{
            label: chart.label,
            data: chart.values,
            borderColor: "#b3000c",
            backgroundColor: percent ? "rgba(179, 0, 12, 0.1)" : "rgba(179, 0, 12, 0.6)",
            fill: percent,
            spanGaps: true,
            tension: 0.2,
          }],
        },
        options: {
          animation: false,
          plugins: { legend: { display: false } },
          scales: {
            y: percent ? { min: 0, max: 100, ticks: { callback: function (v) { return v + " %"; } } }
                       : { beginAtZero: true, ticks: { precision: 0 } },
          },
        },
      });
    });
  }

  // A report being built: ask the server every two seconds how far it is, until it is ready or failed.
  document.querySelectorAll("[data-report]").forEach(function (box) {
    if (box.dataset.status !== "pending" && box.dataset.status !== "running") return;
    var bar = box.querySelector(".progress-bar");
    var progress = box.querySelector(".progress");
    var timer = setInterval(function () {
      fetch(box.dataset.statusUrl, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (state) {
          box.querySelector("[data-role=label]").textContent = state.label;
          if (bar) {
            bar.style.width = state.progress + "%";
            bar.textContent = state.progress + " %";
            progress.setAttribute("aria-valuenow", state.progress);
          }
          if (state.status === "ready" || state.status === "failed") {
            clearInterval(timer);
            if (progress) progress.hidden = true;
            if (state.url) {
              var link = box.querySelector("[data-role=link]");
              link.href = state.url;
              link.hidden = false;
            }
          }
        });
    }, 2000);
  });
})();
