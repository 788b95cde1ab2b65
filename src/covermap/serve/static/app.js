// Draws every chart of the page from its JSON (Plotly, served by the app itself) and makes
// the coverage map's heat-map cells open their drill-down.
document.querySelectorAll("script[data-chart]").forEach(function (node) {
  var fig = JSON.parse(node.textContent);
  var target = document.getElementById(node.dataset.chart);
  Plotly.newPlot(target, fig.data, fig.layout, {displaylogo: false, responsive: true});
  if (node.dataset.chart === "chart-map") {
    target.on("plotly_click", function (ev) {
      var p = ev.points[0];
      window.location = "/map?cell=" + encodeURIComponent(p.x) + "/" + encodeURIComponent(p.y);
    });
  }
});
