// HTTP/1.1 client load on Node.js: the Node side of bench/run.sh's
// http-client workload; one JSON line out.
//
//   node http_client_node.js agent|fetch URL TASKS WARMUP_S DURATION_S [SERVER_PID]
//   node http_client_node.js agent-idle|fetch-idle URL N
//
// TASKS async loops each GET URL again and again and read the whole body,
// with http.get on an http.Agent that keeps up to TASKS keep-alive
// connections (agent), or with the global fetch, Node's bundled undici,
// whose pool opens the connections it needs (fetch). The responses that
// arrive in the window of DURATION_S seconds after the warm-up are
// counted, with the CPU time this process and the server (SERVER_PID,
// from /proc) used in it.
//
// agent-idle and fetch-idle (bench/run.sh's http-client-idle-mem) send one
// GET, then N at once, so that the pool holds N idle keep-alive
// connections, and report this process's VmRSS growth over the
// connections that opened (counted as the growth of its open file
// descriptors) after a settling time of 1.5 s.
'use strict';
const fs = require('fs');
const http = require('http');

const [mode, url, tasksArg, warmArg, durArg, pidArg] = process.argv.slice(2);
const tasks = Number(tasksArg);
const pid = Number(pidArg || 0);

function procTicks() {
  if (!pid) return 0;
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 1).trim().split(/\s+/);
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}
const selfCPU = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const sleep = (s) => new Promise((resolve) => setTimeout(resolve, s * 1000));

// maxFreeSockets: the agent keeps 256 idle sockets by default and closes the rest.
const agent = new http.Agent({ keepAlive: true, maxSockets: tasks, maxFreeSockets: tasks });
function agentGet() {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        Buffer.concat(chunks);
        if (res.statusCode === 200) resolve(); else reject(new Error(`status ${res.statusCode}`));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}
async function fetchGet() {
  const res = await fetch(url);
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`status ${res.status}`);
}

function vmrssKB() {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : 0;
}
const openFDs = () => fs.readdirSync('/proc/self/fd').length;

async function idle(get, n) {
  await get();
  await sleep(1.5);
  const [rss0, fds0] = [vmrssKB(), openFDs()];
  await Promise.all(Array.from({ length: n }, get));
  await sleep(1.5);
  const [rss1, fds1] = [vmrssKB(), openFDs()];
  const opened = fds1 - fds0;
  if (opened <= 0) throw new Error(`no connection opened (${n} requests at once)`);
  console.log(JSON.stringify({ n, opened, rss0_kb: rss0, rss1_kb: rss1, bytes_per_conn: (rss1 - rss0) * 1024 / opened, mode, node: process.version }));
  process.exit(0);
}

async function main() {
  if (mode.endsWith('-idle')) {
    const get = { 'agent-idle': agentGet, 'fetch-idle': fetchGet }[mode];
    if (!get) throw new Error(`unknown mode ${mode}`);
    return idle(get, tasks);
  }
  const get = { agent: agentGet, fetch: fetchGet }[mode];
  if (!get) throw new Error(`unknown mode ${mode} (have agent, fetch)`);
  let ok = 0, failed = 0, firstError = null, stop = false;
  const worker = async () => {
    while (!stop) {
      try {
        await get();
        ok++;
      } catch (e) {
        failed++;
        firstError = firstError || String(e);
      }
    }
  };
  const workers = Array.from({ length: tasks }, worker);
  await sleep(Number(warmArg));
  const [n0, e0, t0, c0, s0] = [ok, failed, process.hrtime.bigint(), selfCPU(), procTicks()];
  await sleep(Number(durArg));
  const [n1, e1, t1, c1, s1] = [ok, failed, process.hrtime.bigint(), selfCPU(), procTicks()];
  stop = true;
  await Promise.all(workers);
  agent.destroy();
  const n = n1 - n0, secs = Number(t1 - t0) / 1e9;
  if (n === 0) throw new Error(`no response in the window; first error: ${firstError}`);
  const out = {
    tasks, requests: n, seconds: secs, req_per_s: n / secs, errors: e1 - e0,
    cpu_pct: 100 * (c1 - c0) / secs, cpu_us_per_req: (c1 - c0) / n * 1e6, mode, node: process.version,
  };
  if (pid) out.server_cpu_pct = (s1 - s0) / secs; // ticks of 1/100 s
  if (firstError) out.first_error = firstError;
  console.log(JSON.stringify(out));
  // fetch's pool keeps its idle sockets referenced: end here, not when they time out.
  process.exit(0);
}

main().catch((e) => { console.error(String(e)); process.exit(1); });
