"""Where an idle connection's memory goes, in this library's echo servers.

    python3 bench/idle_mem.py                         # protocol + streams, poller backend, N=10000
    python3 bench/idle_mem.py --apis protocol --backends poller portable --n 10000
    python3 bench/idle_mem.py --rounds 3              # repeat the RSS run (median)

For each API × backend it runs cmd/asyncio-bench's echo server pinned to
one core (taskset -c 1, GOMAXPROCS=1, as bench/run.sh does) and its
idleclient on the other, in the sequence of bench/run.sh idle-mem: 200
warm-up connections opened and closed, 1.5 s, baseline; N connections
opened (one 64 B echo each) and held, 1.5 s, measurement. Twice:

 1. RSS run (default MemProfileRate): VmRSS before and after, as the
    idle-mem workload reads it (bytes/conn = delta / N); then a snapshot (SIGUSR1:
    GC, MemStats, runtime/metrics /memory/classes/*) at both points, and
    the kernel's slab and socket memory (/proc/slabinfo, /proc/meminfo,
    /proc/net/sockstat) at both points — system-wide, so both ends of each
    connection and anything else running on the machine are in it.
 2. Profile run (-memprofilerate 1): heap profiles at both points; the
    difference, by allocation site (go tool pprof -base, inuse_space and
    inuse_objects), is divided by N.

Output: a markdown summary on stdout and in OUT/summary.md, and the raw
material in OUT (default bench/results/<stamp>-idlemem/): runs.json (the
snapshots, VmRSS, the slab caches that changed), the profile run's two heap
profiles (go tool pprof -base A B for more views) and its pprof tables.
About 75 s for protocol + streams on both backends with --rounds 3.

Below ~4 MiB of live heap (N of a few thousand) the Go heap has not had its
first GC when VmRSS is read, so the garbage of the accepts is still
resident: bytes/conn at N=1,000-2,000 are 2-3× those at N=10,000.
"""
import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETTLE = 1.5


def rss_kb(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def rss_all(pid):
    return {k: rss_kb(pid, k) for k in ("VmRSS", "RssAnon", "RssFile")}


def slab():
    """{cache: bytes in use (active objs × size)} from /proc/slabinfo."""
    out = {}
    try:
        with open("/proc/slabinfo") as f:
            for line in f:
                if line.startswith(("slabinfo", "#")):
                    continue
                p = line.split()
                out[p[0]] = int(p[1]) * int(p[3])
    except OSError:
        pass
    return out


def meminfo():
    out = {}
    with open("/proc/meminfo") as f:
        for line in f:
            k, v = line.split(":")
            out[k] = int(v.split()[0]) * 1024
    return out


def sockstat():
    with open("/proc/net/sockstat") as f:
        for line in f:
            if line.startswith("TCP:"):
                p = line.split()
                return dict(zip(p[1::2], map(int, p[2::2])))
    return {}


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    def __init__(self, binary, api, backend, memprofile, rate, cpu):
        self.port = free_port()
        self.errf = tempfile.TemporaryFile(mode="w+")
        cmd = ["taskset", "-c", str(cpu), binary, "echo", "-api", api, "-backend", backend,
               "-addr", f"127.0.0.1:{self.port}", "-memprofile", memprofile]
        if rate:
            cmd += ["-memprofilerate", str(rate)]
        self.p = subprocess.Popen(cmd, stderr=self.errf)
        self.lines = 0
        deadline = time.time() + 20
        import socket
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                time.sleep(0.2)
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit(f"server {api}/{backend} did not come up")

    def snapshot(self):
        """SIGUSR1, then the JSON line the server prints."""
        self.p.send_signal(signal.SIGUSR1)
        deadline = time.time() + 30
        while time.time() < deadline:
            self.errf.seek(0)
            lines = [l for l in self.errf.read().splitlines() if l.startswith("{")]
            if len(lines) > self.lines:
                self.lines = len(lines)
                return json.loads(lines[-1])
            time.sleep(0.05)
        raise SystemExit("no snapshot from the server")

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        try:
            self.p.wait(10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


def client(binary, port, n, hold, cpu):
    cmd = ["taskset", "-c", str(cpu), binary, "idleclient", "-addr", f"127.0.0.1:{port}", "-n", str(n)]
    if not hold:
        subprocess.run(cmd, check=True)
        return None
    p = subprocess.Popen(cmd + ["-hold"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    if not line.startswith("{"):
        p.kill()
        raise SystemExit(f"idleclient failed: {line}")
    return p, json.loads(line)


def one_run(binary, api, backend, n, rate, outdir, tag, a):
    # Heap profiles are kept from the profile run only.
    prof = os.path.join(outdir if rate else a.tmp, f"{api}-{backend}-{tag}.heap")
    srv = Server(binary, api, backend, prof, rate, a.server_cpu)
    srv.snapshot()  # prof.1: so that the snapshot's own code and data are resident before the baseline
    try:
        client(binary, srv.port, 200, False, a.client_cpu)
        time.sleep(SETTLE)
        r0 = rss_kb(srv.p.pid)
        ra0 = rss_all(srv.p.pid)
        k0 = (slab(), meminfo(), sockstat())
        s0 = srv.snapshot()
        cp, info = client(binary, srv.port, n, True, a.client_cpu)
        time.sleep(SETTLE)
        r1 = rss_kb(srv.p.pid)
        ra1 = rss_all(srv.p.pid)
        k1 = (slab(), meminfo(), sockstat())
        s1 = srv.snapshot()
        cp.stdin.close()
        cp.wait(30)
    finally:
        srv.stop()
    # Keep the slab caches that changed (by 4 KiB or more).
    changed = {c for c in set(k0[0]) | set(k1[0]) if abs(k1[0].get(c, 0) - k0[0].get(c, 0)) >= 4096}
    k0 = ({c: v for c, v in k0[0].items() if c in changed}, k0[1], k0[2])
    k1 = ({c: v for c, v in k1[0].items() if c in changed}, k1[1], k1[2])
    return {"api": api, "backend": backend, "n": n, "rate": rate, "rss0_kb": r0, "rss1_kb": r1,
            "open_s": info["open_s"], "snap0": s0, "snap1": s1, "rss_detail0": ra0, "rss_detail1": ra1,
            "kernel0": {"slab": k0[0], "meminfo": {k: k0[1][k] for k in ("Slab", "SUnreclaim", "SReclaimable")}, "sockstat": k0[2]},
            "kernel1": {"slab": k1[0], "meminfo": {k: k1[1][k] for k in ("Slab", "SUnreclaim", "SReclaimable")}, "sockstat": k1[2]},
            "profiles": [s0["profile"], s1["profile"]]}


def pprof(base, prof, index, extra=()):
    # Go heap profiles carry their symbols: no binary needed.
    cmd = ["go", "tool", "pprof", f"-sample_index={index}", "-base", base, *extra, prof]
    return subprocess.run(cmd, capture_output=True, text=True).stdout


def parse_top(txt, n):
    """Rows of `pprof -top`: (flat bytes or count, name)."""
    rows = []
    for line in txt.splitlines():
        m = re.match(r"\s*([-\d.]+)([kMG]?B?)\s+[-\d.]+%\s+[-\d.]+%\s+[-\d.]+[kMG]?B?\s+[-\d.]+%\s+(.*)$", line)
        if not m:
            continue
        v, unit, name = float(m.group(1)), m.group(2), m.group(3)
        v *= {"": 1, "B": 1, "kB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3, "k": 1e3, "M": 1e6, "G": 1e9}.get(unit, 1)
        if v:
            rows.append((v / n, name))
    return rows


def per(d1, d0, k, n):
    a, b = d1.get(k), d0.get(k)
    return None if a is None or b is None else (a - b) / n


def fmt(v, nd=0):
    return "–" if v is None else f"{v:,.{nd}f}"


def summarize(runs, profs, outdir):
    o = []
    for key in sorted({(r["api"], r["backend"]) for r in runs}, key=lambda k: (k[1], k[0] != "protocol")):
        rs = [r for r in runs if (r["api"], r["backend"]) == key]
        n = rs[0]["n"]
        o += [f"## {key[0]} API, {key[1]} backend, {n:,} idle connections", ""]
        # RSS and Go memory, per connection, median over the rounds.
        def m(f):
            vals = [f(r) for r in rs]
            vals = [v for v in vals if v is not None]
            return statistics.median(vals) if vals else None
        rss = m(lambda r: (r["rss1_kb"] - r["rss0_kb"]) * 1024 / n)
        rss_gc = m(lambda r: (r["snap1"]["rss_kb"] - r["snap0"]["rss_kb"]) * 1024 / n)
        g = lambda k: m(lambda r: per(r["snap1"], r["snap0"], k, n))  # noqa: E731
        gor = m(lambda r: r["snap1"]["goroutines"] - r["snap0"]["goroutines"])
        stack = g("stack_inuse")
        ranon = m(lambda r: (r["rss_detail1"]["RssAnon"] - r["rss_detail0"]["RssAnon"]) * 1024 / n)
        rfile = m(lambda r: (r["rss_detail1"]["RssFile"] - r["rss_detail0"]["RssFile"]) * 1024 / n)
        rows = [
            ["VmRSS delta, as bench/run.sh idle-mem reads it (before any GC)", fmt(rss)],
            ["… of which anonymous memory (RssAnon) / file pages (RssFile: code)", f"{fmt(ranon)} / {fmt(rfile)}"],
            ["VmRSS delta after a forced GC (snapshot)", fmt(rss_gc)],
            ["Go: live heap objects (/memory/classes/heap/objects, after GC)", fmt(g("heap/objects"))],
            ["Go: heap spans' unused tails (heap/unused: size-class rounding)", fmt(g("heap/unused"))],
            ["Go: free heap not yet returned to the OS (heap/free)", fmt(g("heap/free"))],
            ["Go: heap returned to the OS (heap/released)", fmt(g("heap/released"))],
            ["Go: goroutine stacks (heap/stacks = StackInuse)", fmt(stack)],
            ["Go: runtime metadata (metadata/mspan/inuse + mcache + other)",
             fmt(m(lambda r: sum(per(r["snap1"], r["snap0"], k, n) or 0 for k in
                                 ("metadata/mspan/inuse", "metadata/mcache/inuse", "metadata/other"))))],
            ["Go: profiling buckets", fmt(g("profiling/buckets"))],
            ["Go: other (os-stacks, other)", fmt(m(lambda r: sum(per(r["snap1"], r["snap0"], k, n) or 0 for k in ("os-stacks", "other"))))],
            ["Go: heap objects allocated (count)", fmt(g("heap_objects"), 2)],
            ["goroutines (count)", fmt(None if gor is None else gor / n, 2)],
            ["stack bytes per new goroutine", fmt(None if not gor else m(lambda r: (r["snap1"]["stack_inuse"] - r["snap0"]["stack_inuse"]) / max(1, r["snap1"]["goroutines"] - r["snap0"]["goroutines"])))],
        ]
        o += ["Per connection (bytes, median over %d round(s); Go figures after a forced GC):" % len(rs), "",
              "| | bytes/conn |", "|---|---|"] + [f"| {a} | {b} |" for a, b in rows] + [""]
        # Kernel, system-wide.
        def kd(r, cache):
            return (r["kernel1"]["slab"].get(cache, 0) - r["kernel0"]["slab"].get(cache, 0)) / n
        caches = {}
        for r in rs:
            for c in set(r["kernel1"]["slab"]) | set(r["kernel0"]["slab"]):
                caches.setdefault(c, []).append(kd(r, c))
        big = sorted(((statistics.median(v), c) for c, v in caches.items()), reverse=True)
        big = [(v, c) for v, c in big if abs(v) >= 16]
        slab_total = m(lambda r: (r["kernel1"]["meminfo"]["Slab"] - r["kernel0"]["meminfo"]["Slab"]) / n)
        sock_mem = m(lambda r: (r["kernel1"]["sockstat"].get("mem", 0) - r["kernel0"]["sockstat"].get("mem", 0)) * 4096 / n)
        o += ["Kernel (not in VmRSS), system-wide, per connection — both ends (server and client socket) "
              "and whatever else ran on the machine meanwhile:", "",
              "| | bytes/conn (both ends) |", "|---|---|",
              f"| Slab total (/proc/meminfo) | {fmt(slab_total)} |",
              f"| TCP socket buffers (/proc/net/sockstat mem × 4 KiB) | {fmt(sock_mem)} |"]
        o += [f"| slab {c} | {fmt(v)} |" for v, c in big[:10]]
        o += [""]
        # Allocation sites.
        p = profs.get(key)
        if p:
            o += ["Heap objects still live, by allocation site (MemProfileRate=1, after GC, difference of the two "
                  "profiles / N; flat = allocated in that function):", "",
                  "| bytes/conn | objects/conn | function |", "|---|---|---|"]
            space = parse_top(p["space"], n)
            objs = {name: v for v, name in parse_top(p["objects"], n)}
            for v, name in space[:25]:
                if abs(v) < 0.5:
                    continue
                o.append(f"| {v:,.1f} | {objs.get(name, 0):.2f} | `{name.replace('github.com/asyncio-go/asyncio.', '')}` |")
            o += ["", f"(full tables: {p['files']})", ""]
    return "\n".join(o)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--apis", nargs="+", default=["protocol", "streams"])
    ap.add_argument("--backends", nargs="+", default=["poller"])
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=1, help="RSS runs per case (the profile run is once)")
    ap.add_argument("--server-cpu", type=int, default=1)
    ap.add_argument("--client-cpu", type=int, default=0)
    ap.add_argument("--out", default=None)
    ap.add_argument("--no-profile", action="store_true")
    a = ap.parse_args()
    stamp = time.strftime("%Y-%m-%d_%H%M%S", time.gmtime())
    outdir = a.out or os.path.join(ROOT, "bench", "results", f"{stamp}-idlemem")
    os.makedirs(outdir, exist_ok=True)
    a.tmp = tempfile.mkdtemp(prefix="idle_mem.")
    binary = os.path.join(a.tmp, "asyncio-bench")
    subprocess.run(["go", "build", "-o", binary, "./cmd/asyncio-bench"], cwd=ROOT, check=True)
    runs, profs = [], {}
    for backend in a.backends:
        for api in a.apis:
            for i in range(a.rounds):
                r = one_run(binary, api, backend, a.n, 0, outdir, f"rss{i + 1}", a)
                runs.append(r)
                print(f"idle_mem: {api}/{backend} round {i + 1}: {(r['rss1_kb'] - r['rss0_kb']) * 1024 / a.n:,.0f} B/conn RSS",
                      file=sys.stderr)
            if not a.no_profile:
                r = one_run(binary, api, backend, a.n, 1, outdir, "prof", a)
                base, prof = r["profiles"]
                files = {}
                for idx in ("inuse_space", "inuse_objects"):
                    txt = pprof(base, prof, idx, ["-top", "-nodecount=60"])
                    fn = os.path.join(outdir, f"{api}-{backend}-{idx}.top.txt")
                    open(fn, "w").write(txt)
                    files[idx] = fn
                lines = pprof(base, prof, "inuse_space", ["-top", "-lines", "-nodecount=60"])
                open(os.path.join(outdir, f"{api}-{backend}-inuse_space.lines.txt"), "w").write(lines)
                profs[(api, backend)] = {"space": open(files["inuse_space"]).read(),
                                         "objects": open(files["inuse_objects"]).read(),
                                         "files": os.path.relpath(outdir, ROOT) + f"/{api}-{backend}-*.txt"}
                json.dump(r, open(os.path.join(outdir, f"{api}-{backend}-prof.json"), "w"), indent=1)
                warm = base[:-2] + ".1"
                if os.path.exists(warm):
                    os.remove(warm)
    json.dump(runs, open(os.path.join(outdir, "runs.json"), "w"), indent=1)
    subprocess.run(["rm", "-rf", a.tmp])
    md = summarize(runs, profs, outdir)
    open(os.path.join(outdir, "summary.md"), "w").write(md + "\n")
    print(md)


if __name__ == "__main__":
    main()
