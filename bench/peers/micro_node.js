// Loop micro-benchmarks on Node.js (libuv); one JSON line out. The Node
// side of bench/run.sh's spawn, switch, callsoon and timers workloads (see
// micro_asyncio.py for their definitions):
//
//   node micro_node.js spawn N                   N async functions, each awaiting one setImmediate; Promise.all
//   node micro_node.js switch TASKS TOTAL KIND   KIND immediate: await a setImmediate promise (a loop turn);
//                                                KIND microtask: await null (a microtask, no loop turn)
//   node micro_node.js callsoon CHAINS N KIND    chains of setImmediate (immediate) or queueMicrotask (microtask) callbacks
//   node micro_node.js timers N MAXMS            setTimeout, delays uniform integer ms in [0, MAXMS], seeded
'use strict';
const fs = require('fs');

function vmrssKB() {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : 0;
}
const nowNs = () => process.hrtime.bigint();
const since = (t0) => Number(nowNs() - t0);
const turn = () => new Promise((resolve) => setImmediate(resolve));
const emit = (o) => console.log(JSON.stringify({ ...o, node: process.version }));

// xorshift32: a seeded generator, so that every run schedules the same delays.
function seeded(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 4294967296;
  };
}

async function spawn(n) {
  const child = async () => { await turn(); };
  const rss0 = vmrssKB();
  const t0 = nowNs();
  const all = [];
  for (let i = 0; i < n; i++) all.push(child());
  await Promise.all(all);
  const ns = since(t0);
  emit({ n, wall_ns: ns, ns_per_task: ns / n, rss0_kb: rss0 });
}

async function switchCost(tasks, total, kind) {
  const each = Math.floor(total / tasks);
  const worker = kind === 'microtask'
    ? async () => { for (let i = 0; i < each; i++) await null; }
    : async () => { for (let i = 0; i < each; i++) await turn(); };
  const rss0 = vmrssKB();
  const t0 = nowNs();
  const all = [];
  for (let i = 0; i < tasks; i++) all.push(worker());
  await Promise.all(all);
  const ns = since(t0);
  const ops = each * tasks;
  emit({ tasks, total: ops, kind, wall_ns: ns, ns_per_switch: ns / ops, rss0_kb: rss0 });
}

function callsoon(chains, n, kind) {
  const schedule = kind === 'microtask' ? queueMicrotask : setImmediate;
  let left = n;
  const t0 = nowNs();
  const step = () => {
    left--;
    if (left > 0) schedule(step);
    else if (left === 0) {
      const ns = since(t0);
      emit({ chains, n, kind, wall_ns: ns, ns_per_callback: ns / n });
    }
  };
  for (let i = 0; i < Math.min(chains, n); i++) schedule(step);
}

function timers(n, maxms) {
  const rand = seeded(42);
  const delays = new Array(n);
  let longest = 0;
  for (let i = 0; i < n; i++) {
    delays[i] = Math.floor(rand() * (maxms + 1));
    longest = Math.max(longest, delays[i]);
  }
  const rss0 = vmrssKB();
  let fired = 0;
  let scheduled = 0;
  const t0 = nowNs();
  const fire = () => {
    if (++fired === n) {
      const ms = since(t0) / 1e6;
      emit({ n, schedule_ms: scheduled, total_ms: ms, max_delay_ms: longest, overshoot_ms: ms - longest, rss0_kb: rss0 });
    }
  };
  for (let i = 0; i < n; i++) setTimeout(fire, delays[i]);
  scheduled = since(t0) / 1e6;
}

const [, , workload, a, b, c] = process.argv;
switch (workload) {
  case 'spawn': spawn(Number(a)); break;
  case 'switch': switchCost(Number(a), Number(b), c || 'immediate'); break;
  case 'callsoon': callsoon(Number(a), Number(b), c || 'immediate'); break;
  case 'timers': timers(Number(a), Number(b)); break;
  default:
    console.error('usage: node micro_node.js spawn N | switch TASKS TOTAL immediate|microtask | callsoon CHAINS N immediate|microtask | timers N MAXMS');
    process.exit(2);
}
