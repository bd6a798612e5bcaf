// Coordination-primitive workloads on Node.js; one JSON line out.
//
// The Node side of bench/run.sh handoff; the same workloads, with the same
// semantics, as coord_asyncio.py (read its docstring), cmd/asyncio-bench,
// coord_trio.py and gostd:
//
//   node coord_node.js handoff --prim lock|semaphore|event --n N
//   node coord_node.js queue --producers P --consumers C --maxsize M --n N
//   node coord_node.js tothread --n N
//
// --warmup W first runs the same workload with W ops, untimed, so that V8
// has compiled the hot code (it changes Node's figures by 2-3x at 50k ops).
//
// Node has no lock, semaphore, event or queue for async functions, so this
// file has minimal promise-based ones, written the way such libraries are
// (a FIFO of pending promise resolvers, as asyncio keeps a FIFO of
// futures): Mutex and Semaphore hand the lock to the first waiter directly
// on release; Event wakes every waiter on set; AsyncQueue hands an item to
// the first waiting getter directly and wakes the first waiting putter
// when a slot frees (it then re-checks, as asyncio's put does). Waking a
// waiter resolves its promise, so the wake-up runs as a microtask, not as
// a loop iteration: that is Node's cheapest resume.
//
// tothread: Node cannot run a JS function on another thread of the same
// isolate; the closest thing to asyncio.to_thread is a worker_threads
// Worker, started once (asyncio reuses its executor's threads too), that
// answers each message: one op is one postMessage → reply round trip.

'use strict';
const { Worker } = require('worker_threads');

// Deque: an array with a moving head, compacted now and then (Array.shift
// is O(n) on long arrays).
class Deque {
  constructor() { this.a = []; this.h = 0; }
  get length() { return this.a.length - this.h; }
  push(v) { this.a.push(v); }
  shift() {
    const v = this.a[this.h];
    this.a[this.h++] = undefined;
    if (this.h > 1024 && this.h * 2 > this.a.length) { this.a = this.a.slice(this.h); this.h = 0; }
    return v;
  }
}

class Semaphore {
  constructor(value) { this.value = value; this.waiters = new Deque(); }
  acquire() {
    if (this.value > 0 && this.waiters.length === 0) { this.value--; return Promise.resolve(); }
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  release() {
    if (this.waiters.length > 0) this.waiters.shift()(); // the permit goes to the first waiter
    else this.value++;
  }
}

class Mutex extends Semaphore {
  constructor() { super(1); }
}

class Event {
  constructor() { this.flag = false; this.waiters = []; }
  wait() {
    if (this.flag) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  set() {
    if (this.flag) return;
    this.flag = true;
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }
  clear() { this.flag = false; }
}

class AsyncQueue {
  constructor(maxsize) { this.maxsize = maxsize; this.items = new Deque(); this.getters = new Deque(); this.putters = new Deque(); }
  full() { return this.maxsize > 0 && this.items.length >= this.maxsize; }
  async put(v) {
    while (this.full()) await new Promise((resolve) => this.putters.push(resolve));
    if (this.getters.length > 0) this.getters.shift()(v); // straight to the first waiting getter
    else this.items.push(v);
  }
  get() {
    if (this.items.length > 0) {
      const v = this.items.shift();
      if (this.putters.length > 0) this.putters.shift()();
      return Promise.resolve(v);
    }
    return new Promise((resolve) => this.getters.push(resolve));
  }
}

function tick() { return new Promise((resolve) => setImmediate(resolve)); }

async function handoff(prim, n) {
  const per = Math.floor(n / 2);
  if (prim === 'lock' || prim === 'semaphore') {
    const lk = prim === 'lock' ? new Mutex() : new Semaphore(1);
    let owner = -1, changes = 0;
    const worker = async (me) => {
      for (let i = 0; i < per; i++) {
        await lk.acquire();
        if (owner !== me) { owner = me; changes++; }
        lk.release();
      }
    };
    await lk.acquire();
    const ps = [worker(0), worker(1)];
    await tick(); // both are blocked in acquire()
    const t0 = process.hrtime.bigint();
    lk.release();
    await Promise.all(ps);
    const el = Number(process.hrtime.bigint() - t0);
    return { workload: 'handoff', prim, n: 2 * per, wall_ns: el, ns_per_op: el / (2 * per), handoffs: changes };
  }
  if (prim === 'event') {
    const ea = new Event(), eb = new Event();
    const a = async () => {
      for (let i = 0; i < per; i++) { eb.set(); await ea.wait(); ea.clear(); }
    };
    const b = async () => {
      for (let i = 0; i < per; i++) { await eb.wait(); eb.clear(); ea.set(); }
    };
    const t0 = process.hrtime.bigint();
    await Promise.all([a(), b()]);
    const el = Number(process.hrtime.bigint() - t0);
    return { workload: 'handoff', prim, n: 2 * per, wall_ns: el, ns_per_op: el / (2 * per) };
  }
  throw new Error(`unknown --prim ${prim}`);
}

const share = (n, i, k) => Math.floor(n / k) + (i < n % k ? 1 : 0);

async function queue(producers, consumers, maxsize, n) {
  const q = new AsyncQueue(maxsize);
  const producer = async (m) => { for (let j = 0; j < m; j++) await q.put(j); };
  const consumer = async (m) => { for (let j = 0; j < m; j++) await q.get(); };
  const t0 = process.hrtime.bigint();
  const ps = [];
  for (let i = 0; i < producers; i++) ps.push(producer(share(n, i, producers)));
  for (let i = 0; i < consumers; i++) ps.push(consumer(share(n, i, consumers)));
  await Promise.all(ps);
  const el = Number(process.hrtime.bigint() - t0);
  return { workload: 'queue', producers, consumers, maxsize, n, wall_ns: el, ns_per_op: el / n, items_per_s: n / (el / 1e9) };
}

async function tothread(n) {
  const w = new Worker('const { parentPort } = require("worker_threads"); parentPort.on("message", (m) => parentPort.postMessage(m));', { eval: true });
  let pending = null;
  w.on('message', (m) => { const r = pending; pending = null; r(m); });
  const call = (v) => new Promise((resolve) => { pending = resolve; w.postMessage(v); });
  await call(0); // the worker is up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await call(1);
  const el = Number(process.hrtime.bigint() - t0);
  await w.terminate();
  return { workload: 'tothread', n, wall_ns: el, ns_per_op: el / n };
}

async function main() {
  const argv = process.argv.slice(2);
  const workload = argv[0];
  const opt = { prim: 'lock', n: 100000, producers: 1, consumers: 1, maxsize: 0, warmup: 0 };
  for (let i = 1; i + 1 < argv.length; i += 2) {
    const k = argv[i].replace(/^--?/, '');
    opt[k] = k === 'prim' ? argv[i + 1] : Number(argv[i + 1]);
  }
  let work;
  if (workload === 'handoff') work = (n) => handoff(opt.prim, n);
  else if (workload === 'queue') work = (n) => queue(opt.producers, opt.consumers, opt.maxsize, n);
  else if (workload === 'tothread') work = tothread;
  else throw new Error('usage: coord_node.js handoff|queue|tothread [--prim P] [--n N] [--producers P] [--consumers C] [--maxsize M] [--warmup W]');
  if (opt.warmup > 0) await work(opt.warmup);
  const r = await work(opt.n);
  r.warmup = opt.warmup;
  r.node = process.version;
  console.log(JSON.stringify(r));
}

main().catch((e) => { console.error(e); process.exit(1); });
