// Draws the trends page's charts with ECharts from the numbers the server put in data-charts
// (the same numbers as each chart's CSV). No inline script: the page's CSP allows only files.
"use strict";
(function () {
  const holder = document.getElementById("charts");
  if (!holder || typeof echarts === "undefined") return;
  const charts = JSON.parse(holder.dataset.charts || "[]");
  const palette = ["#a61b1b", "#1f5f99", "#d98b1e", "#2e7d4f", "#7b4fa3", "#5b6b7a", "#c2185b", "#00838f"];

  function option(chart) {
    const base = {
      color: palette,
      tooltip: { trigger: "axis" },
      grid: { left: 48, right: 24, top: 36, bottom: chart.kind === "bar" ? 80 : 48 },
      xAxis: { type: "category", data: chart.x, axisLabel: { rotate: chart.kind === "bar" ? 35 : 0, interval: chart.kind === "bar" ? 0 : "auto" } },
      yAxis: { type: "value", minInterval: 1 }, // counts of articles: no 2.5 篇
      animation: false,
    };
    if (chart.kind === "stacked") {
      const [total, ...topics] = chart.series;
      base.legend = { type: "scroll", top: 0 };
      base.series = topics.map((s) => ({ name: s.name, type: "bar", stack: "topics", data: s.values }))
        .concat([{ name: total.name, type: "line", data: total.values, symbol: "circle", z: 10 }]);
    } else if (chart.kind === "line" && chart.series.length > 1) {
      // A share (%) as a line on the left axis over its counts as bars on the right. Each axis
      // reaches a quarter above its highest value, so a period whose count is the highest does
      // not fill the whole height (with one critical article the bar read as "all of them"), and
      // each bar carries its count so the two scales are never confused.
      const [share, count] = chart.series;
      base.legend = { top: 0 };
      base.yAxis = [
        { type: "value", name: share.name, min: 0, boundaryGap: [0, "25%"], axisLabel: { formatter: "{value}%" } },
        { type: "value", name: count.name, min: 0, boundaryGap: [0, "25%"], minInterval: 1, splitLine: { show: false } },
      ];
      base.series = [
        { name: count.name, type: "bar", yAxisIndex: 1, data: count.values, barMaxWidth: 48,
          itemStyle: { opacity: 0.45 }, label: { show: true, position: "top", formatter: (p) => (p.value ? `${p.value} 篇` : "") } },
        { name: share.name, type: "line", yAxisIndex: 0, data: share.values, symbol: "circle", z: 10,
          tooltip: { valueFormatter: (v) => `${v}%` } },
      ];
    } else if (chart.kind === "line") {
      base.legend = { top: 0 };
      base.yAxis = { type: "value" };
      base.series = chart.series.map((s) => ({ name: s.name, type: "line", data: s.values }));
    } else {
      base.tooltip = { trigger: "item" };
      base.series = chart.series.map((s) => ({ name: s.name, type: "bar", data: s.values }));
    }
    return base;
  }

  for (const chart of charts) {
    const node = document.querySelector(`[data-chart="${chart.id}"]`);
    if (!node) continue;
    const drawn = echarts.init(node, null, { renderer: "canvas" });
    // data-drawn says the chart has rendered (what a test or a screenshot tool waits for).
    drawn.on("finished", () => { node.dataset.drawn = "1"; });
    drawn.setOption(option(chart));
    if (chart.id === "shanxi") {
      drawn.on("click", (event) => {
        const url = new URL(window.location.href);
        if (url.searchParams.get("city")) return; // already at county level
        url.searchParams.set("city", event.name);
        window.location.href = url.toString();
      });
    }
    window.addEventListener("resize", () => drawn.resize());
  }
})();
