// The monitor page: it polls the endpoint's JSON (loops, then the chosen
// loop's snapshot) once a second and redraws. Every path is relative, so
// the page works wherever the handler is mounted. Text from the program
// (task names, stacks) only ever goes into the page as text nodes.
"use strict";

const REFRESH_MS = 1000;
const SVG = "http://www.w3.org/2000/svg";

const $ = (id) => document.getElementById(id);

const ui = {
  loop: null,           // the id of the loop shown
  paused: false,
  timer: null,
  gen: 0,               // counts refreshes, so that only the latest one schedules the next
  openStacks: new Set(), // task ids whose stack row is open
  openStalls: new Set(), // stall keys whose stack is open
  snap: null,
};

// el makes an HTML element: el("td", {class: "num"}, "text", child, ...).
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  setAttrs(e, attrs);
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

// svg makes an SVG element.
function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  setAttrs(e, attrs);
  if (text !== undefined) e.textContent = text;
  return e;
}

function setAttrs(e, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
}

// fmtDur formats a time.Duration (nanoseconds) for people.
function fmtDur(ns) {
  ns = Number(ns) || 0;
  const abs = Math.abs(ns);
  if (abs === 0) return "0";
  if (abs < 1e3) return ns + " ns";
  if (abs < 1e6) return trim(ns / 1e3) + " µs";
  if (abs < 1e9) return trim(ns / 1e6) + " ms";
  const s = ns / 1e9;
  if (s < 60) return trim(s) + " s";
  const m = Math.floor(s / 60);
  if (m < 60) return m + "m" + String(Math.floor(s % 60)).padStart(2, "0") + "s";
  return Math.floor(m / 60) + "h" + String(m % 60).padStart(2, "0") + "m";
}

// trim gives three significant digits at most, without trailing zeros.
function trim(x) {
  return String(Number(x.toPrecision(3)));
}

async function getJSON(path) {
  const r = await fetch(path, {cache: "no-store"});
  const body = await r.json().catch(() => ({error: r.statusText}));
  if (!r.ok) throw new Error(body.error || r.status + " " + r.statusText);
  return body;
}

function showError(msg) {
  const e = $("error");
  e.hidden = !msg;
  e.replaceChildren();
  if (msg) e.append(el("strong", null, "Cannot reach the endpoint: "), msg, " (has the program exited?)");
}

async function refresh() {
  clearTimeout(ui.timer);
  const gen = ++ui.gen;
  try {
    const proc = await getJSON("loops");
    renderProcess(proc);
    if (ui.loop === null) {
      renderEmpty();
    } else {
      const path = "loops/" + ui.loop + ($("stacks").checked ? "?stacks=1" : "");
      $("json-snapshot").href = path;
      const snap = await getJSON(path);
      ui.snap = snap;
      render(snap);
    }
    showError(null);
    $("updated").textContent = "updated " + new Date().toLocaleTimeString();
  } catch (err) {
    showError(err.message);
  }
  if (!ui.paused && gen === ui.gen) ui.timer = setTimeout(refresh, REFRESH_MS);
}

function renderProcess(proc) {
  $("process").textContent = proc.program + " · pid " + proc.pid;
  document.title = "asyncio monitor · " + proc.program + " (" + proc.pid + ")";
  const sel = $("loop-select");
  const ids = proc.loops.map((l) => l.id);
  if (ui.loop === null || !ids.includes(ui.loop)) ui.loop = ids.length ? ids[0] : null;
  sel.replaceChildren(...proc.loops.map((l) => {
    let label = "#" + l.id + " · " + l.tasks + (l.tasks === 1 ? " task" : " tasks");
    if (l.blocked) label += " · BLOCKED";
    else if (l.cycles) label += " · deadlock";
    else if (!l.running) label += " · not running";
    const o = el("option", {value: l.id}, label);
    o.selected = l.id === ui.loop;
    return o;
  }));
  sel.disabled = ids.length < 2;
}

function renderEmpty() {
  for (const id of ["blocked", "stale", "cycles"]) $(id).hidden = true;
  $("summary").replaceChildren(card("Loops", "0", "no loop is open in this process"));
  $("tasks").tBodies[0].replaceChildren();
  $("task-count").textContent = "";
  $("stalls").replaceChildren();
  $("lag-chart").replaceChildren();
  $("lag-histogram").replaceChildren();
}

function render(snap) {
  const tasks = snap.tasks || [];
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const inCycle = new Set((snap.cycles || []).flat());
  const name = (id) => (byId.get(id) ? byId.get(id).name : "task") + " (#" + id + ")";

  renderBanners(snap, name);
  renderSummary(snap, tasks);
  renderTasks(snap, tasks, byId, inCycle);
  renderLagChart(snap);
  renderHistogram(snap.lag || {});
  renderStalls(snap.stalls || []);
}

function renderBanners(snap, name) {
  const b = $("blocked");
  b.replaceChildren();
  b.hidden = !snap.blocked;
  if (snap.blocked) {
    const s = snap.blocked;
    const what = s.task ? "task “" + s.task + "” (#" + s.taskId + ")" : s.callback ? "callback " + s.callback : "a callback";
    b.append(
      el("strong", null, "The loop is blocked. "),
      what + " has been running for " + fmtDur(s.duration) + " without yielding: every other task and timer of the loop waits for it.",
      s.stack ? el("details", {open: true}, el("summary", null, "where it is"), el("pre", null, s.stack)) : null,
    );
  }
  const st = $("stale");
  st.hidden = !snap.stale || !!snap.blocked;
  st.replaceChildren(el("strong", null, "The loop did not answer"), " (it is stuck in a step or not running): the tasks shown are from its last answer.");

  const c = $("cycles");
  const cycles = snap.cycles || [];
  c.hidden = cycles.length === 0;
  c.replaceChildren();
  if (cycles.length) {
    c.append(el("strong", null, cycles.length === 1 ? "Deadlock: an await cycle. " : "Deadlock: " + cycles.length + " await cycles. "),
      "These tasks wait for one another; nothing but a cancellation can end it.");
    for (const cyc of cycles) {
      const path = cyc.concat(cyc[0]).map(name).join(" → ");
      c.append(el("code", {class: "cycle-path"}, "await cycle: " + path));
    }
  }
}

function card(label, value, detail, bad) {
  return el("div", {class: "card" + (bad ? " bad" : "")},
    el("div", {class: "label"}, label), el("div", {class: "value"}, value), el("div", {class: "detail"}, detail));
}

function renderSummary(snap, tasks) {
  const counts = {};
  for (const t of tasks) counts[t.state] = (counts[t.state] || 0) + 1;
  const breakdown = Object.entries(counts).sort().map(([s, n]) => n + " " + s).join(", ") || "none";
  const lag = snap.lag || {};
  const recent = lag.recent || [];
  const last60 = recent.filter((r) => r.at > snap.time - 60e9).reduce((m, r) => Math.max(m, r.max), 0);
  const stalls = snap.stalls || [];
  $("summary").replaceChildren(
    card("Tasks", String(tasks.length), breakdown),
    card("Loop lag", fmtDur(last60), "worst in the last minute; " + fmtDur(lag.max || 0) + " ever", last60 >= 100e6),
    card("Slow steps", String(stalls.length), stalls.length ? "slowest " + fmtDur(stalls[0].duration) : "none caught", stalls.length > 0),
    card("Loop", "#" + snap.loop, "clock " + fmtDur(snap.time) + (snap.stale ? " · stale" : "")),
  );
}

// treeOrder lists the tasks depth first by parent, with what to draw in
// front of each name.
function treeOrder(tasks, byId) {
  const kids = new Map();
  const roots = [];
  for (const t of tasks) {
    if (t.parent && byId.has(t.parent)) {
      if (!kids.has(t.parent)) kids.set(t.parent, []);
      kids.get(t.parent).push(t);
    } else {
      roots.push(t);
    }
  }
  const out = [];
  const walk = (t, prefix, last, depth) => {
    out.push({t, guide: depth === 0 ? "" : prefix + (last ? "└─ " : "├─ ")});
    const cs = kids.get(t.id) || [];
    cs.forEach((c, i) => walk(c, depth === 0 ? "" : prefix + (last ? "   " : "│  "), i === cs.length - 1, depth + 1));
  };
  roots.forEach((t) => walk(t, "", true, 0));
  return out;
}

function renderTasks(snap, tasks, byId, inCycle) {
  const body = $("tasks").tBodies[0];
  const rows = [];
  const blocking = snap.blocked && snap.blocked.taskId;
  for (const {t, guide} of treeOrder(tasks, byId)) {
    const cls = [inCycle.has(t.id) ? "in-cycle" : "", t.id === blocking ? "is-blocking" : ""].join(" ").trim();
    const hasStack = !!t.stack;
    const open = hasStack && ui.openStacks.has(t.id);
    const since = t.state === "waiting" ? fmtDur(Math.max(0, snap.time - t.since)) : "—";
    const waitsFor = el("td", {class: "waits-for"});
    for (const id of t.waitsFor || []) {
      const w = byId.get(id);
      waitsFor.append(el("a", {href: "#task-" + id, onclick: (ev) => { ev.preventDefault(); flash(id); }}, (w ? w.name : "task") + " #" + id));
    }
    rows.push(el("tr", {id: "task-" + t.id, class: cls || null, "data-task": t.name},
      el("td", {class: "num mono"}, t.id),
      el("td", null,
        el("span", {class: "tree"}, guide),
        el("span", {class: "task-name"}, t.name),
        inCycle.has(t.id) ? el("span", {class: "tag"}, "cycle") : null,
        t.id === blocking ? el("span", {class: "tag blocking"}, "blocking") : null,
        hasStack ? el("button", {class: "toggle", type: "button", onclick: () => toggleStack(t.id)}, open ? "hide stack" : "stack") : null),
      el("td", null, el("span", {class: "state state-" + t.state}, t.state)),
      el("td", {class: "wait"}, t.wait || ""),
      waitsFor,
      el("td", {class: "num"}, since)));
    if (open) rows.push(el("tr", {class: "stack-row"}, el("td"), el("td", {colspan: 5}, el("pre", null, t.stack))));
  }
  if (!rows.length) rows.push(el("tr", null, el("td", {colspan: 6, class: "none"}, "no tasks")));
  body.replaceChildren(...rows);
  $("task-count").textContent = "(" + tasks.length + ")";
}

function toggleStack(id) {
  if (ui.openStacks.has(id)) ui.openStacks.delete(id);
  else ui.openStacks.add(id);
  if (ui.snap) render(ui.snap);
}

function flash(id) {
  const row = $("task-" + id);
  if (!row) return;
  row.scrollIntoView({block: "center", behavior: "smooth"});
  row.classList.add("flash");
  setTimeout(() => row.classList.remove("flash"), 1200);
}

// niceCeil rounds a positive value up to 1, 2 or 5 times a power of ten,
// and says in how many steps to grid it: steps of 1, 2, 5 times a power
// of ten read best.
function niceCeil(x) {
  const p = Math.pow(10, Math.floor(Math.log10(x)));
  for (const [m, steps] of [[1, 5], [2, 4], [5, 5]]) if (m * p >= x) return [m * p, steps];
  return [10 * p, 5];
}

function renderLagChart(snap) {
  const chart = $("lag-chart");
  const W = 640, H = 260, L = 58, R = 14, T = 12, B = 30;
  const recent = (snap.lag && snap.lag.recent) || [];
  chart.replaceChildren();
  if (!recent.length) {
    chart.append(svg("text", {x: W / 2, y: H / 2, "text-anchor": "middle", class: "empty"}, "no timer has fired yet"));
    return;
  }
  // The x axis is the loop's clock, in seconds before the snapshot.
  const now = snap.time;
  const span = Math.max(60, Math.ceil((now - recent[0].at) / 1e9));
  const [top, steps] = niceCeil(Math.max(1e6, ...recent.map((r) => r.max)));
  const x = (at) => L + (W - L - R) * (1 - (now - at) / 1e9 / span);
  const y = (v) => T + (H - T - B) * (1 - v / top);
  for (let i = 0; i <= steps; i++) {
    const v = (top * i) / steps;
    chart.append(svg("line", {x1: L, x2: W - R, y1: y(v), y2: y(v), class: "grid"}),
      svg("text", {x: L - 6, y: y(v) + 4, "text-anchor": "end"}, fmtDur(v)));
  }
  const step = span <= 60 ? 10 : span <= 120 ? 20 : 60;
  for (let s = 0; s <= span; s += step) {
    const xs = x(now - s * 1e9);
    chart.append(svg("line", {x1: xs, x2: xs, y1: H - B, y2: H - B + 4, class: "axis"}),
      svg("text", {x: xs, y: H - B + 17, "text-anchor": "middle"}, s === 0 ? "now" : "−" + s + "s"));
  }
  chart.append(svg("line", {x1: L, x2: W - R, y1: H - B, y2: H - B, class: "axis"}));
  // A second with no timer fired has no sample: the line breaks there.
  const runs = [];
  let run = [];
  for (const r of recent) {
    if (run.length && r.at - run[run.length - 1].at > 1e9) {
      runs.push(run);
      run = [];
    }
    run.push(r);
  }
  runs.push(run);
  for (const rs of runs) {
    const pts = rs.map((r) => [x(r.at + 5e8), y(r.max)]);
    const line = pts.map((p, i) => (i ? "L" : "M") + p[0].toFixed(1) + " " + p[1].toFixed(1)).join(" ");
    const base = y(0).toFixed(1);
    chart.append(svg("path", {class: "lag-area", d: line + " L" + pts[pts.length - 1][0].toFixed(1) + " " + base + " L" + pts[0][0].toFixed(1) + " " + base + " Z"}),
      svg("path", {class: "lag-line", d: line}));
  }
  for (const r of recent) {
    const dot = svg("circle", {cx: x(r.at + 5e8), cy: y(r.max), r: recent.length > 90 ? 1.6 : 2.6, class: "lag-dot" + (r.max >= 100e6 ? " bad" : "")});
    dot.append(svg("title", null, "at " + fmtDur(r.at) + ": worst " + fmtDur(r.max) + " of " + r.count + " timers"));
    chart.append(dot);
  }
}

function renderHistogram(lag) {
  const chart = $("lag-histogram");
  const W = 440, H = 260, L = 6, R = 6, T = 18, B = 62;
  const buckets = lag.buckets || [];
  chart.replaceChildren();
  $("lag-count").textContent = lag.count ? "(" + lag.count.toLocaleString() + " timers)" : "";
  if (!buckets.length) return;
  const most = Math.max(1, ...buckets.map((b) => b.count));
  const slot = (W - L - R) / buckets.length;
  const h = (n) => (n ? ((H - T - B) * Math.log10(1 + n)) / Math.log10(1 + most) : 0);
  buckets.forEach((b, i) => {
    const bx = L + i * slot;
    const bh = Math.max(h(b.count), b.count ? 2 : 0);
    const upTo = b.upTo || (i ? buckets[i - 1].upTo : 0);
    const late = upTo >= 10e6 ? (upTo >= 100e6 ? " bad" : " late") : "";
    const label = b.upTo ? "≤" + fmtDur(b.upTo).replace(" ", "") : ">" + fmtDur(upTo).replace(" ", "");
    const rect = svg("rect", {x: bx + 3, y: H - B - bh, width: slot - 6, height: bh, rx: 2, class: "bar-rect" + late});
    rect.append(svg("title", null, label + ": " + b.count + " timers"));
    chart.append(rect);
    if (b.count) chart.append(svg("text", {x: bx + slot / 2, y: H - B - bh - 4, "text-anchor": "middle", class: "bar-count"}, compact(b.count)));
    const lx = bx + slot / 2 + 4, ly = H - B + 12;
    chart.append(svg("text", {x: lx, y: ly, "text-anchor": "end", class: "bar-label", transform: "rotate(-50 " + lx + " " + ly + ")"}, label));
  });
  chart.append(svg("line", {x1: L, x2: W - R, y1: H - B, y2: H - B, class: "axis"}));
}

function compact(n) {
  if (n < 1e3) return String(n);
  if (n < 1e6) return trim(n / 1e3) + "k";
  return trim(n / 1e6) + "M";
}

function renderStalls(stalls) {
  const list = $("stalls");
  $("stall-count").textContent = stalls.length ? "(" + stalls.length + ")" : "";
  if (!stalls.length) {
    list.replaceChildren(el("li", {class: "none"}, "No step has kept the loop busy past the watchdog's threshold."));
    return;
  }
  list.replaceChildren(...stalls.map((s) => {
    const key = s.started + "/" + (s.taskId || s.callback || "");
    const what = s.task ? el("span", {class: "stall-what"}, "task ", s.task, el("span", {class: "muted"}, " #" + s.taskId))
      : el("span", {class: "stall-what mono"}, s.callback || "a callback");
    const details = s.stack ? el("details", {open: ui.openStalls.has(key), ontoggle: (ev) => {
      if (ev.target.open) ui.openStalls.add(key);
      else ui.openStalls.delete(key);
    }}, el("summary", null, "stack"), el("pre", null, s.stack)) : null;
    return el("li", {class: "stall"},
      el("div", {class: "stall-head"},
        el("span", {class: "stall-duration"}, fmtDur(s.duration)),
        what,
        s.ongoing ? el("span", {class: "ongoing"}, "still running") : null,
        el("span", {class: "muted"}, "began " + new Date(s.started).toLocaleTimeString())),
      details);
  }));
}

async function recordTrace(ev) {
  ev.preventDefault();
  if (ui.loop === null) return;
  const secs = $("trace-seconds").value || "5";
  const button = $("trace-button");
  const status = $("trace-status");
  button.disabled = true;
  status.textContent = "recording " + secs + " s of loop #" + ui.loop + "…";
  try {
    const r = await fetch("loops/" + ui.loop + "/trace?seconds=" + encodeURIComponent(secs));
    if (!r.ok) {
      const body = await r.json().catch(() => ({}));
      throw new Error(body.error || r.statusText);
    }
    const blob = await r.blob();
    const a = el("a", {href: URL.createObjectURL(blob), download: "asyncio-loop" + ui.loop + "-trace.json"});
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    status.textContent = "saved asyncio-loop" + ui.loop + "-trace.json (" + compact(blob.size) + "B)";
  } catch (err) {
    status.textContent = "trace failed: " + err.message;
  } finally {
    button.disabled = false;
  }
}

$("loop-select").addEventListener("change", (ev) => {
  ui.loop = Number(ev.target.value);
  ui.openStacks.clear();
  refresh();
});
$("stacks").addEventListener("change", refresh);
$("pause").addEventListener("click", () => {
  ui.paused = !ui.paused;
  $("pause").textContent = ui.paused ? "Resume" : "Pause";
  if (!ui.paused) refresh();
  else clearTimeout(ui.timer);
});
$("trace-form").addEventListener("submit", recordTrace);
refresh();
