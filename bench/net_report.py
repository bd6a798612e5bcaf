"""Render the raw results of bench/net.sh (the harness's JSON lines for
tcp-echo and idle-conns) as markdown: this library against its peers.

    python3 bench/net_report.py RAW.jsonl [META.json] [--note TEXT]

tcp-echo, per point (connections × message size):
  * round trips/s (thousands), p50 / p99 latency (µs);
  * server CPU per round trip, in µs: the server's CPU % over the measured
    window (utime+stime from /proc/PID/stat, loadgen's server_cpu_pct) / 100
    divided by the round trips per second;
  * for each of our peers (names starting with "goasyncio"): the ratio to
    uvloop-proto and to the best other peer at that point — the one with the
    highest median round trips/s (for throughput), or the lowest median CPU
    per round trip (for CPU). Ratios are computed inside each round, then
    the median is taken; > 1 is better for us (more round trips/s, fewer
    µs of CPU per round trip).
idle-conns: bytes per connection (server VmRSS delta / N), the same ratios
(reference bytes / ours, > 1 = we use less).

Cells: median over the rounds; "±" half the min–max range relative to the
median, when over 5 %; "†" the load generator was ≥ 90 % busy in some
round (the point is then bounded by the harness: a lower bound for the
server).
"""
import json
import re
import statistics
import sys
from collections import defaultdict

REF = "uvloop-proto"
OURS = "goasyncio"


def load(path):
    rows = []
    for line in open(path):
        line = line.strip()
        if line:
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                pass
    return rows


def is_ours(peer):
    return peer.startswith(OURS)


def med(xs):
    return statistics.median(xs) if xs else None


def spread(xs):
    m = med(xs)
    if len(xs) < 2 or not m:
        return ""
    s = (max(xs) - min(xs)) / 2 / abs(m) * 100
    return f" ±{s:.0f}%" if s > 5 else ""


def cpu_us_per_rt(d):
    cpu, rps = d.get("server_cpu_pct"), d.get("rps")
    if not isinstance(cpu, (int, float)) or cpu < 0 or not rps:
        return None
    return cpu / 100 / rps * 1e6


class Results:
    """values[workload][(peer, config)][rep] = data dict."""

    def __init__(self, rows):
        self.values = defaultdict(lambda: defaultdict(dict))
        self.peers = defaultdict(list)
        self.configs = defaultdict(list)
        self.errors = defaultdict(dict)
        self.elapsed = {}
        for r in rows:
            wl, peer, cfg = r["workload"], r["peer"], r["config"]
            if peer == "_harness":
                self.elapsed[wl] = r["data"].get("seconds")
                continue
            if peer not in self.peers[wl]:
                self.peers[wl].append(peer)
            d = r["data"]
            if d.get("error"):
                self.errors[wl][(peer, cfg)] = d["error"]
                continue
            if cfg != "start" and cfg not in self.configs[wl]:
                self.configs[wl].append(cfg)
            self.values[wl][(peer, cfg)][r["rep"]] = d

    def series(self, wl, peer, cfg, metric):
        out = {}
        for rep, d in self.values[wl].get((peer, cfg), {}).items():
            v = metric(d) if callable(metric) else d.get(metric)
            if isinstance(v, (int, float)) and v == v:
                out[rep] = float(v)
        return out

    def median(self, wl, peer, cfg, metric):
        return med(list(self.series(wl, peer, cfg, metric).values()))

    def ratio(self, wl, peer, ref, cfg, metric, higher_better):
        """Median over the rounds of peer/ref (or ref/peer), > 1 = peer better."""
        a, b = self.series(wl, peer, cfg, metric), self.series(wl, ref, cfg, metric)
        rs = [(a[k] / b[k] if higher_better else b[k] / a[k]) for k in a if k in b and a[k] and b[k]]
        return med(rs)

    def best(self, wl, cfg, metric, higher_better):
        """The non-ours peer with the best median at cfg."""
        cands = [(self.median(wl, p, cfg, metric), p) for p in self.peers[wl] if not is_ours(p)]
        cands = [(v, p) for v, p in cands if v is not None]
        if not cands:
            return None
        return (max if higher_better else min)(cands)[1]

    def error(self, wl, peer, cfg):
        return self.errors[wl].get((peer, cfg)) or self.errors[wl].get((peer, "start"))


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def cfg_label(c):
    m = re.match(r"c=(\d+) size=(\d+)", c)
    if not m:
        return c
    size = int(m.group(2))
    s = f"{size // 1024} KiB" if size >= 1024 and size % 1024 == 0 else f"{size} B"
    return f"C={int(m.group(1)):,} × {s}"


def cfg_key(c):
    m = re.match(r"c=(\d+) size=(\d+)", c)
    return (int(m.group(2)), int(m.group(1))) if m else (0, 0)


def fx(v):
    return "–" if v is None else f"×{v:.2f}"


def bold(peer, txt):
    return f"**{txt}**" if is_ours(peer) else txt


def echo_sections(res):
    wl = "tcp-echo"
    peers, configs = res.peers[wl], sorted(res.configs[wl], key=cfg_key)
    if not peers:
        return []
    ours = [p for p in peers if is_ours(p)]
    hot = lambda d: (d.get("loadgen_cpu_pct") or 0) >= 90  # noqa: E731
    o = ["## tcp-echo", ""]

    # Summary: one table per API of ours, one row per point.
    for p in ours:
        o += [f"### {p} against {REF} and the best peer", ""]
        body = []
        for c in configs:
            rps = res.series(wl, p, c, "rps")
            if not rps:
                e = res.error(wl, p, c)
                body.append([cfg_label(c), f"FAILED ({e})" if e else "–"] + [""] * 8)
                continue
            flag = " †" if any(hot(d) for d in res.values[wl][(p, c)].values()) else ""
            b_rps = res.best(wl, c, "rps", True)
            b_cpu = res.best(wl, c, cpu_us_per_rt, False)
            cpu = res.median(wl, p, c, cpu_us_per_rt)
            p50, p99 = res.median(wl, p, c, "p50_us"), res.median(wl, p, c, "p99_us")
            body.append([
                cfg_label(c),
                f"{med(list(rps.values())) / 1000:,.1f}k{spread(list(rps.values()))}{flag}",
                fx(res.ratio(wl, p, REF, c, "rps", True)),
                f"{fx(res.ratio(wl, p, b_rps, c, 'rps', True))} ({b_rps})" if b_rps else "–",
                "–" if p50 is None else f"{p50:,.0f} / {p99:,.0f}",
                "–" if cpu is None else f"{cpu:.2f}",
                fx(res.ratio(wl, p, REF, c, cpu_us_per_rt, False)),
                f"{fx(res.ratio(wl, p, b_cpu, c, cpu_us_per_rt, False))} ({b_cpu})" if b_cpu else "–",
            ])
        o += [table(["point", "round trips/s", f"× {REF}", "× best peer (which)", "p50 / p99 µs",
                     "server CPU µs/rt", f"CPU × {REF}", "CPU × best peer (which)"], body), ""]
    o += [f"× > 1: ours is better (more round trips/s; fewer µs of server CPU per round trip). "
          f"Best peer: the other peer with the highest median round trips/s, or the lowest median "
          f"CPU per round trip, at that point.", ""]

    # Every peer, per point.
    o += ["### Every peer, per point", "",
          "Round trips/s (thousands), p50 / p99 latency (µs), server and load-generator CPU % "
          "(100 = one core), server CPU µs per round trip; × vs " + REF + " in the same round.", ""]
    for c in configs:
        o += [f"**{cfg_label(c)}**", ""]
        body = []
        for p in peers:
            rps = list(res.series(wl, p, c, "rps").values())
            if not rps:
                e = res.error(wl, p, c)
                body.append([p, f"FAILED ({e})" if e else "–", "", "", "", ""])
                continue
            flag = " †" if any(hot(d) for d in res.values[wl][(p, c)].values()) else ""
            r = res.ratio(wl, p, REF, c, "rps", True) if p != REF else None
            p50, p99 = res.median(wl, p, c, "p50_us"), res.median(wl, p, c, "p99_us")
            sc, lc = res.median(wl, p, c, "server_cpu_pct"), res.median(wl, p, c, "loadgen_cpu_pct")
            cpus = list(res.series(wl, p, c, cpu_us_per_rt).values())
            cr = res.ratio(wl, p, REF, c, cpu_us_per_rt, False) if p != REF else None
            body.append([
                bold(p, p),
                bold(p, f"{med(rps) / 1000:,.1f}k{spread(rps)}{flag}" + ("" if r is None else f" ×{r:.2f}")),
                f"{p50:,.0f} / {p99:,.0f}",
                f"{sc:.0f} / {lc:.0f}" if sc is not None and lc is not None else "–",
                bold(p, "–" if not cpus else f"{med(cpus):.2f}{spread(cpus)}" + ("" if cr is None else f" ×{cr:.2f}")),
            ])
        o += [table(["peer", "round trips/s", "p50 / p99 µs", "CPU % srv / loadgen", "srv CPU µs/rt"], body), ""]
    return o


def idle_sections(res):
    wl = "idle-conns"
    peers, configs = res.peers[wl], res.configs[wl]
    if not peers:
        return []
    o = ["## idle-conns", "",
         "Each server: 200 warm-up connections opened and closed, baseline VmRSS, then N connections "
         "opened (each does one 64 B echo) and held idle; VmRSS read 1.5 s later. Bytes per connection = "
         "RSS delta / N (lower is better). Kernel socket memory is not in VmRSS. "
         f"× = reference bytes / ours (> 1: we use less); best peer = the other peer with the fewest "
         f"bytes per connection.", ""]
    for c in configs:
        b = res.best(wl, c, "bytes_per_conn", False)
        body = []
        for p in peers:
            v = list(res.series(wl, p, c, "bytes_per_conn").values())
            if not v:
                e = res.error(wl, p, c)
                body.append([p, f"FAILED ({e})" if e else "–", "", "", "", ""])
                continue
            a, z = res.median(wl, p, c, "rss0_kb"), res.median(wl, p, c, "rss1_kb")
            t = res.median(wl, p, c, "open_s")
            body.append([
                bold(p, p), bold(p, f"{med(v):,.0f}{spread(v)}"),
                "" if p == REF else fx(res.ratio(wl, p, REF, c, "bytes_per_conn", False)),
                (f"{fx(res.ratio(wl, p, b, c, 'bytes_per_conn', False))} ({b})" if is_ours(p) and b else ""),
                f"{a / 1024:.1f} → {z / 1024:.1f}", f"{t:.2f}",
            ])
        o += [f"**{c}**", "",
              table(["peer", "bytes/conn", f"× {REF}", "× best peer (which)", "RSS MiB before → after",
                     "open+echo s"], body), ""]
    return o


def main(argv):
    note = ""
    if "--note" in argv:
        i = argv.index("--note")
        note = argv[i + 1]
        argv = argv[:i] + argv[i + 2:]
    if not argv:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    res = Results(load(argv[0]))
    meta = json.load(open(argv[1])) if len(argv) > 1 else {}
    o = [f"# TCP echo and idle connections, side by side — {meta.get('date', '')}", ""]
    if meta:
        o += [f"**Machine:** {meta.get('machine')}.  ",
              "**Pinning:** load generator on one core, every server on the other (Go: GOMAXPROCS=1).  ",
              f"**Knobs:** `{meta.get('knobs')}`, ulimit -n {meta.get('ulimit_n')}.  "]
    if note:
        o += [note + "  "]
    if res.elapsed:
        o += ["**Elapsed:** " + ", ".join(f"{w} {s} s" for w, s in res.elapsed.items())
              + f" (total {sum(res.elapsed.values())} s).  "]
    if meta.get("versions"):
        o += ["**Versions:** " + "; ".join(f"{k} {v.replace('go version ', '')}" for k, v in meta["versions"].items()
                                           if k not in ("aiohttp (Debian python3-aiohttp)", "wrk")) + "."]
    o += [""]
    o += echo_sections(res)
    o += idle_sections(res)
    rounds = max((len(v) for v in res.values["tcp-echo"].values()), default=0)
    o += [f"Cells: median over {rounds} round(s) (idle-conns: over its rounds); `±` half the min–max range "
          f"relative to the median (when over 5 %); `×` computed inside each round, then the median; "
          f"`†` load generator ≥ 90 % CPU in some round (a lower bound for the server). Server CPU per "
          f"round trip = server CPU % / 100 / round trips per second (whole process, all threads; "
          f"/proc/PID/stat has 10 ms ticks, and loadgen rounds the % to an integer)."]
    print("\n".join(o))


if __name__ == "__main__":
    main(sys.argv[1:])
