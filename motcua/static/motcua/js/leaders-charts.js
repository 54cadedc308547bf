// Draws the dashboard's trend charts with the vendored Chart.js. Each canvas names, in
// data-chart, the json_script element holding its labels and datasets; the table next to it
// shows the same figures (with links to the dossiers) for screen readers and without scripts.
document.addEventListener("DOMContentLoaded", () => {
  if (typeof window.Chart === "undefined") return;
  const colours = ["#0b3d91", "#00703c", "#f47738", "#d4351c", "#5694ca"];
  for (const canvas of document.querySelectorAll("canvas[data-chart]")) {
    const source = document.getElementById(canvas.dataset.chart);
    if (!source) continue;
    const data = JSON.parse(source.textContent);
    data.datasets.forEach((dataset, index) => {
      dataset.backgroundColor = colours[index % colours.length];
    });
    new window.Chart(canvas, {
      type: "bar",
      data,
      options: {
        responsive: true,
        animation: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }
});
