// Objective page: a small trend chart per key result (the table stays for screen readers
// and for pages without JavaScript), dialogs that close, and focus after an htmx refresh.
(function () {
  "use strict";
  var charts = [];
  var COLORS = { line: "#2f54eb", target: "#98a2b3", axis: "#7b8794", grid: "#edf0f3" };

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function readJson(id) {
    var node = document.getElementById(id);
    if (!node) return null;
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  function formatDate(iso) {
    var day = new Date(iso);
    try { return day.toLocaleDateString(document.documentElement.lang || undefined); }
    catch (e) { return day.toISOString().slice(0, 10); }
  }

  function option(spec, labels) {
    var values = spec.values;
    var data = spec.points.map(function (p) { return [p[0], values ? p[1] : p[2]]; });
    var yAxis = { type: "value", splitNumber: 2, axisLabel: { fontSize: 10, color: COLORS.axis },
      splitLine: { lineStyle: { color: COLORS.grid } } };
    var series = { type: "line", data: data, symbol: "circle", symbolSize: 5, showSymbol: true,
      lineStyle: { width: 2, color: COLORS.line }, itemStyle: { color: COLORS.line },
      areaStyle: { color: COLORS.line, opacity: 0.06 }, animation: false };
    if (values) {
      // Keep start and target in view so the line reads against the goal.
      var seen = data.map(function (p) { return p[1]; }).filter(function (v) { return v !== null; });
      [spec.start, spec.target].forEach(function (v) { if (v !== null && v !== undefined) seen.push(v); });
      var lo = Math.min.apply(null, seen), hi = Math.max.apply(null, seen);
      var pad = (hi - lo) * 0.08 || Math.abs(hi) * 0.1 || 1;
      yAxis.min = Math.floor((lo - pad) * 100) / 100;
      yAxis.max = Math.ceil((hi + pad) * 100) / 100;
      if (spec.target !== null && spec.target !== undefined) {
        series.markLine = { silent: true, symbol: "none", animation: false,
          lineStyle: { type: "dashed", color: COLORS.target, width: 1 },
          label: { show: true, position: "insideEndTop", fontSize: 10, color: COLORS.axis,
            formatter: labels.target + " " + spec.target },
          data: [{ yAxis: spec.target }] };
      }
    } else {
      yAxis.min = 0;
      yAxis.max = 100;
      yAxis.axisLabel.formatter = "{value}%";
    }
    return {
      animation: false,
      grid: { left: 8, right: 12, top: 14, bottom: 4, containLabel: true },
      tooltip: { trigger: "axis", confine: true, textStyle: { fontSize: 12 },
        formatter: function (params) {
          var point = spec.points[params[0].dataIndex];
          var lines = [escapeHtml(formatDate(point[0]))];
          if (values && point[1] !== null) {
            lines.push(escapeHtml(labels.value + ": " + point[1] + (spec.unit ? " " + spec.unit : "")));
          }
          if (point[2] !== null) lines.push(escapeHtml(labels.progress + ": " + point[2] + "%"));
          return lines.join("<br>");
        } },
      xAxis: { type: "time", axisLabel: { fontSize: 10, color: COLORS.axis, hideOverlap: true,
        formatter: "{MM}-{dd}" }, axisLine: { lineStyle: { color: COLORS.grid } },
        axisTick: { show: false }, splitLine: { show: false } },
      yAxis: yAxis,
      series: [series]
    };
  }

  function draw() {
    charts.forEach(function (chart) { chart.dispose(); });
    charts = [];
    var specs = readJson("objective-charts");
    var labels = readJson("objective-chart-labels") || { progress: "", value: "", target: "" };
    if (!window.echarts || !specs) return;  // the tables stay
    specs.forEach(function (spec) {
      var node = document.querySelector('[data-chart="' + spec.id + '"]');
      if (!node || !spec.points.length) return;
      var table = document.getElementById("chart-table-" + spec.id);
      node.classList.add("is-drawn");
      try {
        var chart = window.echarts.init(node, null, { renderer: "svg" });
        chart.setOption(option(spec, labels));
        charts.push(chart);
        if (table) table.classList.add("sr-only");
      } catch (error) {
        node.classList.remove("is-drawn");  // a chart that fails leaves the table
      }
    });
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 120);
  });

  // <button data-close-dialog> closes the dialog around it.
  document.addEventListener("click", function (event) {
    var closer = event.target.closest("[data-close-dialog]");
    if (!closer) return;
    var dialog = closer.closest("dialog");
    if (dialog) dialog.close();
  });

  // After a check-in htmx swaps in a fresh objective body, which carries a focus marker:
  // redraw the charts and put the focus back on the key result's button.
  document.addEventListener("htmx:afterSettle", function () {
    var marker = document.querySelector("[data-focus-target]");
    if (!marker) return;
    var target = document.querySelector(marker.getAttribute("data-focus-target"));
    marker.remove();
    draw();
    if (target) target.focus();
  });

  // A check-in that never reached the server, or that it refused, says so in the dialog.
  function sendFailed(event) {
    var form = event.detail && event.detail.elt && event.detail.elt.closest("form[data-error-text]");
    var slot = form && form.querySelector(".ob-send-error");
    if (!slot) return;
    slot.textContent = form.getAttribute("data-error-text");
    slot.hidden = false;
  }
  document.addEventListener("htmx:responseError", sendFailed);
  document.addEventListener("htmx:sendError", sendFailed);

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
