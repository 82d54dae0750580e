// Dashboard charts: progress against the expected line, and key results by status.
// The numbers are on the page without JavaScript; the charts add the picture.
(function () {
  "use strict";
  var source = document.getElementById("dash-data");
  var printButton = document.querySelector("[data-print]");
  if (printButton) printButton.addEventListener("click", function () { window.print(); });
  if (!source || !window.echarts) return;
  var d = JSON.parse(source.textContent);
  var L = d.labels;
  var charts = [];
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var font = getComputedStyle(document.body).fontFamily;

  function make(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    // SVG keeps the lines sharp when the page is printed to PDF.
    var chart = echarts.init(el, null, { renderer: "svg" });
    charts.push(chart);
    return chart;
  }

  function percent(v) { return v == null ? "—" : v + "%"; }

  var trend = make("dash-trend");
  if (trend) {
    trend.setOption({
      animation: !still,
      textStyle: { fontFamily: font },
      color: ["#2f54eb", "#7b8794"],
      grid: { left: 44, right: 16, top: 36, bottom: 28 },
      legend: { top: 0, left: 0, itemWidth: 18, data: [L.progress, L.expected] },
      tooltip: {
        trigger: "axis",
        valueFormatter: percent
      },
      xAxis: {
        type: "category",
        boundaryGap: false,
        data: d.trend.dates,
        axisLine: { lineStyle: { color: "#cbd2d9" } },
        axisLabel: { color: "#7b8794" }
      },
      yAxis: {
        type: "value",
        min: 0,
        max: 100,
        axisLabel: { formatter: "{value}%", color: "#7b8794" },
        splitLine: { lineStyle: { color: "#edf0f3" } }
      },
      series: [
        {
          name: L.progress,
          type: "line",
          data: d.trend.progress,
          symbolSize: 6,
          lineStyle: { width: 2.5 },
          areaStyle: { opacity: 0.08 }
        },
        {
          name: L.expected,
          type: "line",
          data: d.trend.expected,
          symbol: "none",
          lineStyle: { type: "dashed", width: 1.5 }
        }
      ]
    });
  }

  var pie = make("dash-status");
  if (pie) {
    var total = d.statuses.reduce(function (sum, s) { return sum + s.value; }, 0);
    pie.setOption({
      animation: !still,
      textStyle: { fontFamily: font },
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      title: {
        text: String(total),
        subtext: total ? L.keyResults : L.noData,
        left: "center",
        top: "36%",
        textStyle: { fontSize: 22, fontWeight: 650, color: "#1f2933" },
        subtextStyle: { color: "#7b8794" }
      },
      series: [{
        type: "pie",
        radius: ["58%", "84%"],
        avoidLabelOverlap: true,
        label: { show: false },
        itemStyle: { borderColor: "#fff", borderWidth: 2 },
        data: d.statuses.filter(function (s) { return s.value > 0; }).map(function (s) {
          return { name: s.label, value: s.value, itemStyle: { color: s.color } };
        })
      }]
    });
  }

  function resizeAll() { charts.forEach(function (c) { c.resize({ animation: { duration: 0 } }); }); }
  window.addEventListener("resize", resizeAll);
  // Redraw at the paper's width before printing, and back afterwards.
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
  if (window.matchMedia) {
    var media = window.matchMedia("print");
    if (media.addEventListener) media.addEventListener("change", resizeAll);
  }
})();
