// The alignment map: an ECharts tree from the strategy down to every person's objectives.
// Without JavaScript the page shows the same content as a nested outline.
(function () {
  "use strict";
  var host = document.getElementById("alignment-chart");
  var source = document.getElementById("map-data");
  var frameSource = document.getElementById("map-frame");
  if (!host || !source || !frameSource || !window.echarts) return;

  // Two parts: the frame (titles, levels, units and links, stored with the structure) and
  // the live numbers (progress and status of each node, in the frame's order).
  var d = JSON.parse(source.textContent);
  var frame = JSON.parse(frameSource.textContent);
  d.nodes = {};
  frame.nodes.forEach(function (n, i) {
    d.nodes[n[0]] = [n[1], d.live[2 * i], d.live[2 * i + 1], n[2], n[3]];
  });
  d.kids = frame.kids;
  d.more = frame.more || {};
  var L = d.labels;
  var LEVEL_GAP = 260;     // px between levels of the tree, at most
  var MIN_GAP = 170;       // … and at least
  var LABEL_ROOM = 220;    // px for the labels of the last level
  var ROW = 30;            // px per visible leaf
  var NODE_LIMIT = 20000;  // an objective with many parents repeats; never build forever
  var OPEN_DEPTH = 3;      // root, themes and company objectives start open
  var made = 0;
  var openedTo = OPEN_DEPTH;
  var registry = {};  // uid → our item: ECharts hands events a copy of the data
  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function objectiveItem(id, depth, path) {
    var row = d.nodes[id];
    if (!row || made >= NODE_LIMIT) return null;
    made += 1;
    var item = {
      uid: made,
      name: row[0],
      value: row[1],
      oid: id,
      status: row[2],
      unit: row[4] == null ? "" : (d.units[row[4]] || ""),
      depth: depth,
      path: path,
      lazy: d.more[id] || 0,  // children the page left out: fetched when opened
      children: []
    };
    var kids = d.kids[id] || [];
    for (var i = 0; i < kids.length; i++) {
      var kid = String(kids[i]);
      if (path.indexOf(kid) !== -1) continue;  // never loop, whatever the data says
      var child = objectiveItem(kid, depth + 1, path.concat([kid]));
      if (child) item.children.push(child);
    }
    item.collapsed = item.lazy > 0 || (item.children.length > 0 && depth >= OPEN_DEPTH);
    registry[item.uid] = item;
    return item;
  }

  function groupItem(title, kind, ids, depth) {
    made += 1;
    var item = { uid: made, name: title, group: kind, children: [] };
    registry[item.uid] = item;
    for (var i = 0; i < ids.length; i++) {
      var child = objectiveItem(String(ids[i]), depth + 1, [String(ids[i])]);
      if (child) item.children.push(child);
    }
    item.collapsed = false;
    return item;
  }

  var root = { name: d.root, group: "root", children: [], collapsed: false };
  d.themes.forEach(function (theme) {
    var item = groupItem(theme[0], "theme", theme[2], 1);
    item.kind = theme[1];
    root.children.push(item);
  });
  if (d.loose[1].length) {
    if (d.themes.length) {
      root.children.push(groupItem(d.loose[0], "loose", d.loose[1], 1));
    } else {
      d.loose[1].forEach(function (id) {
        var child = objectiveItem(String(id), 1, [String(id)]);
        if (child) root.children.push(child);
      });
    }
  }

  // --- what is visible: drives the size of the layout box -------------------------------------
  function measure(item, depth, acc) {
    acc.depth = Math.max(acc.depth, depth);
    if (!item.collapsed && item.children.length) {
      item.children.forEach(function (c) { measure(c, depth + 1, acc); });
    } else {
      acc.leaves += 1;
    }
    return acc;
  }

  function styleOf(item) {
    if (item.group) {
      var brand = item.group === "loose" ? "#7b8794" : "#2f54eb";
      return {
        symbol: "roundRect",
        symbolSize: item.group === "root" ? 14 : 12,
        itemStyle: { color: brand, borderColor: brand },
        label: { fontWeight: 600, color: "#1f2933" }
      };
    }
    var color = L.colors[item.status] || "#98a2b3";
    var hidden = item.lazy || (item.collapsed && item.children.length);
    return {
      symbol: "circle",
      symbolSize: hidden ? 13 : 10,
      itemStyle: {
        color: hidden ? color : "#fff",
        borderColor: color,
        borderWidth: hidden ? 2 : 2.5
      }
    };
  }

  function decorate(item) {
    var s = styleOf(item);
    item.symbol = s.symbol;
    item.symbolSize = s.symbolSize;
    item.itemStyle = s.itemStyle;
    if (s.label) item.label = s.label;
    item.children.forEach(decorate);
  }

  function labelText(params) {
    var item = params.data;
    if (item.group) {
      return item.name;
    }
    var pct = item.value == null ? "—" : item.value + "%";
    var count = item.lazy || (item.collapsed ? item.children.length : 0);
    var more = count ? "{m|+" + count + "} " : "";
    return "{p|" + pct + "} " + more + item.name;
  }

  function tooltip(params) {
    var item = params.data;
    var esc = echarts.format.encodeHTML;
    if (item.group) {
      return "<strong>" + esc(item.name) + "</strong>" + (item.kind ? "<br>" + esc(item.kind) : "");
    }
    var pct = item.value == null ? "—" : item.value + "%";
    return "<strong>" + esc(item.name) + "</strong><br>" +
      esc(L.status) + ": " + esc(L.statuses[item.status] || "") + "<br>" +
      esc(L.progress) + ": " + pct +
      (item.unit ? "<br>" + esc(L.unit) + ": " + esc(item.unit) : "");
  }

  var chart = echarts.init(host, null, { renderer: "canvas" });
  var box = { width: 0, height: 0, label: LABEL_ROOM };

  function render(keepView) {
    decorate(root);
    var seen = measure(root, 0, { depth: 0, leaves: 0 });
    var width = host.clientWidth || 800;
    var height = Math.max(420, Math.min(900, seen.leaves * ROW + 60));
    if (Math.abs(host.clientHeight - height) > 2) {
      host.style.height = height + "px";
      chart.resize();
    }
    // Fit the open levels into the width when they fit with readable labels, else let the
    // map run wider than the box (drag to see the rest).
    var gap = Math.max(MIN_GAP, Math.min(LEVEL_GAP, (width - 60 - LABEL_ROOM) / Math.max(1, seen.depth)));
    box.width = Math.max(40, seen.depth * gap);
    box.height = Math.max(height - 40, seen.leaves * ROW);
    box.label = Math.max(90, Math.min(LABEL_ROOM, gap - 22));
    var series = {
      type: "tree",
      data: [root],
      left: 24,
      top: 20,
      width: box.width,
      height: box.height,
      orient: "LR",
      roam: true,
      expandAndCollapse: false,
      animationDuration: reducedMotion ? 0 : 300,
      animationDurationUpdate: reducedMotion ? 0 : 300,
      lineStyle: { color: "#cbd2d9", width: 1.2, curveness: 0.5 },
      label: {
        position: "right",
        distance: 6,
        verticalAlign: "middle",
        align: "left",
        fontSize: 12,
        color: "#1f2933",
        width: box.label,
        overflow: "truncate",
        textBorderColor: "#fcfcfd",
        textBorderWidth: 3,
        formatter: labelText,
        rich: {
          p: { fontWeight: 600, color: "#52606d", fontSize: 12, textBorderColor: "#fcfcfd", textBorderWidth: 3, padding: [0, 3, 0, 0] },
          m: { color: "#fff", backgroundColor: "#7b8794", borderRadius: 7, padding: [1, 4], fontSize: 10, textBorderWidth: 0 }
        }
      },
      emphasis: { focus: "none", label: { color: "#1d39c4" } }
    };
    if (!keepView) {
      series.zoom = 1;
      series.center = null;
    }
    chart.setOption({
      tooltip: { trigger: "item", triggerOn: "mousemove", confine: true, formatter: tooltip },
      series: [series]
    }, { replaceMerge: ["series"] });
  }

  var status = document.getElementById("map-status");
  var loading = false;

  // A large map arrives a few levels deep; deeper branches come from the server on demand.
  function load(item) {
    if (loading) return;
    loading = true;
    var url = new URL(window.location.href);
    url.searchParams.set("expand", item.oid);
    fetch(url.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (branch) {
        Object.assign(d.nodes, branch.nodes);
        Object.assign(d.kids, branch.kids);
        Object.assign(d.more, branch.more);
        delete d.more[item.oid];
        item.lazy = 0;
        item.children = [];
        (d.kids[item.oid] || []).forEach(function (kid) {
          kid = String(kid);
          if (item.path.indexOf(kid) !== -1) return;
          var child = objectiveItem(kid, item.depth + 1, item.path.concat([kid]));
          if (child) item.children.push(child);
        });
        item.collapsed = false;
        if (status) status.textContent = "";
        render(true);
      })
      .catch(function () {
        if (status) status.textContent = L.failed;
      })
      .finally(function () { loading = false; });
  }

  function isLabel(target) {
    while (target) {
      if (target.__hostTarget) return true;
      target = target.parent;
    }
    return false;
  }

  chart.on("click", function (params) {
    var item = params.data && registry[params.data.uid];
    if (!item) return;
    var onLabel = params.event && isLabel(params.event.target);
    if (onLabel && item.oid) {
      window.location.href = d.url.replace("/0/", "/" + item.oid + "/");
      return;
    }
    if (item.lazy) {
      load(item);
      return;
    }
    if (item.children && item.children.length && item.group !== "root") {
      item.collapsed = !item.collapsed;
      render(true);
    }
  });

  // "Expand all" opens everything in a small map; in a large one, two more levels at a time.
  var EXPAND_ALL_LIMIT = 1500;
  function setAll(collapsed) {
    var deepest = collapsed || made <= EXPAND_ALL_LIMIT ? Infinity : openedTo + 2;
    if (!collapsed) openedTo = deepest;
    (function walk(item, depth) {
      if (item.children.length && depth > 0) {
        item.collapsed = collapsed || depth >= deepest;
      }
      item.children.forEach(function (c) { walk(c, depth + 1); });
    })(root, 0);
    if (collapsed) {
      openedTo = OPEN_DEPTH;
      root.children.forEach(function (c) { c.collapsed = false; });
    }
    render(false);
  }

  document.querySelectorAll("[data-map]").forEach(function (button) {
    button.addEventListener("click", function () {
      var what = button.getAttribute("data-map");
      if (what === "expand") setAll(false);
      else if (what === "collapse") setAll(true);
      else render(false);
    });
  });

  // Show the chart; keep the outline one click away (and for screen readers).
  document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
  var outline = document.getElementById("map-outline");
  if (outline) outline.open = false;
  if (!root.children.length) {
    host.hidden = true;
    if (outline) outline.open = true;
    return;
  }
  render(false);
  window.addEventListener("resize", function () { chart.resize(); render(true); });
  // On paper the outline is the map: open it for printing, fold it back afterwards.
  var wasOpen = false;
  var printing = false;
  function toPaper() {
    if (outline && !printing) { printing = true; wasOpen = outline.open; outline.open = true; }
  }
  function backToScreen() {
    if (outline && printing) { printing = false; outline.open = wasOpen; }
  }
  window.addEventListener("beforeprint", toPaper);
  window.addEventListener("afterprint", backToScreen);
  if (window.matchMedia) {
    var paper = window.matchMedia("print");
    if (paper.addEventListener) {
      paper.addEventListener("change", function (e) { if (e.matches) toPaper(); else backToScreen(); });
    }
  }
})();
