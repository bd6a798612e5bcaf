"""Render the raw results of bench/run.sh (JSON lines) as a markdown table.

    python3 bench/report.py bench/results/<stamp>-<workload>.jsonl [--ref PEER]

One row per peer, one column per point. A cell is the median over the
rounds of the workload's main figure, "±" half the min–max range relative
to the median (shown when over 5 %), and "×" the ratio to the reference
peer (the run's REF, or --ref) computed inside each round, then the median of
those ratios; × > 1 is better than the reference, whether the figure is a
time (lower is better) or a rate (higher is better). Some workloads add
columns: bytes per task or timer (peak RSS less the RSS before the
workload, over N), latency percentiles, the server's CPU per round trip,
the client's CPU per query (db-roundtrip, db-sqlite), the bytes and
objects allocated per row (db-fetch, db-copy; Go peers only) and, for
jobs, the CPU per job of the producer and workers and of the broker.
A handoff cell is marked † when fewer than 95 % of the acquisitions
changed owner (the program's "handoffs" field), an echo, ws-echo or
http-server or api-server cell when the load generator was at least 90 % busy, an
http-client cell when the server was (the figure is then a lower bound),
an http-idle-mem or ws-idle-mem cell when the server had closed some of
the connections before they were counted; a cell with failed requests is
marked ‼.
"""
import json
import statistics
import sys
from collections import defaultdict


def rss_per_op(d, rss):
    if rss is None or "rss0_kb" not in d or not d.get("n"):
        return None
    return (rss - d["rss0_kb"]) * 1024 / d["n"]


def server_us_per_rt(d, _):
    if not d.get("rt_per_s") or d.get("server_cpu_pct") is None:
        return None
    return d["server_cpu_pct"] / 100 / d["rt_per_s"] * 1e6


# workload -> (what one figure is, field or function, lower is better,
#              extra columns [(title, field or function, format)])
WORKLOADS = {
    "switch": ("ns per switch (`await sleep(0)`)", "ns_per_switch", True, []),
    "spawn": ("ns per task (spawn, one `sleep(0)`, await)", "ns_per_task", True,
              [("B/task (peak RSS)", rss_per_op, "int")]),
    "callsoon": ("ns per callback", "ns_per_callback", True, []),
    "timers": ("ms from the first `call_later` to the last callback", "total_ms", True,
               [("schedule ms", "schedule_ms", "int"), ("B/timer (peak RSS)", rss_per_op, "int")]),
    "handoff": ("ns per op (hand-off, item or round trip)", "ns_per_op", True, []),
    "echo": ("round trips per second", "rt_per_s", False,
             [("p50 / p99 µs", ("p50_us", "p99_us"), "pair"), ("server CPU µs/rt", server_us_per_rt, "float")]),
    "idle-mem": ("bytes of server RSS per idle connection", "bytes_per_conn", True, []),
    "proc": ("per second (proc-spawn: children; proc-pipe, file-read: MiB)", None, False, []),
    "http-server": ("requests per second (wrk -t1, keep-alive)", "rps", False,
                    [("server CPU µs/req", "server_us_per_req", "float"), ("p50 / p99 µs", ("p50_us", "p99_us"), "pair")]),
    "http-client": ("requests per second (concurrent tasks, keep-alive pool)", "req_per_s", False,
                    [("client CPU µs/req", "cpu_us_per_req", "float")]),
    "http-idle-mem": ("bytes of server RSS per idle keep-alive HTTP connection", "bytes_per_conn", True, []),
    "http-client-idle-mem": ("bytes of client RSS per idle pooled HTTP connection", "bytes_per_conn", True,
                             [("connections opened", "opened", "int")]),
}
WORKLOADS["http-server-2core"] = WORKLOADS["http-server"]
WORKLOADS["api-server"] = ("requests per second (wrk -t1, keep-alive; POST of a 1 KiB JSON order, checked, "
                           "answered with a 1.3 KiB JSON receipt)", "rps", False, WORKLOADS["http-server"][3])
WORKLOADS["ws-echo"] = ("messages per second (WebSocket echo, one binary message in flight per connection)",
                        "rt_per_s", False,
                        [("p50 / p99 µs", ("p50_us", "p99_us"), "pair"),
                         ("server CPU µs/msg", server_us_per_rt, "float")])
WORKLOADS["ws-idle-mem"] = ("bytes of server RSS per idle WebSocket connection", "bytes_per_conn", True, [])
WORKLOADS["db-roundtrip"] = ("queries per second (`SELECT 1`, c tasks on a pool of min(c, 20) connections)",
                             "per_s", False, [("client CPU µs/query", "cpu_us_per_op", "float")])
WORKLOADS["db-fetch"] = ("rows per second (one query streaming the rows, 5 columns)", "rows_per_s", False,
                         [("B/row allocated", "alloc_b_per_row", "float"),
                          ("allocs/row", "allocs_per_row", "float")])
WORKLOADS["db-copy"] = ("rows per second (COPY FROM STDIN, 5 columns, rows made in memory first)",
                        "rows_per_s", False,
                        [("B/row allocated", "alloc_b_per_row", "float"),
                         ("allocs/row", "allocs_per_row", "float")])
WORKLOADS["db-sqlite"] = ("per second (read: rows read by primary key; insert: rows inserted one "
                          "statement at a time, in transactions)", "per_s", False,
                          [("client CPU µs/op", "cpu_us_per_op", "float")])
WORKLOADS["jobs"] = ("jobs per second, from the first enqueue to the last job done (one producer, "
                    "W worker processes, no-op jobs)", "jobs_per_s", False,
                    [("CPU µs/job, producer + workers", "cpu_us_per_job", "float"),
                     ("broker CPU µs/job", "broker_cpu_us_per_job", "float"),
                     ("enqueue s", "enqueue_s", "float")])

# workload -> (mark, whether a round's record earns it, what it says)
MARKS = {
    "echo": [("†", lambda d: d.get("load_cpu_pct", 0) >= 90,
              "the load generator was at least 90 % busy in a round: the figure is a lower bound for the server.")],
    "http-server": [("†", lambda d: d.get("wrk_cpu_pct", 0) >= 90,
                     "wrk was at least 90 % busy in a round: the figure is a lower bound for the server."),
                    ("‼", lambda d: d.get("errors", 0) > 0, "wrk counted socket errors or non-2xx responses.")],
    "http-client": [("†", lambda d: d.get("server_cpu_pct", 0) >= 90,
                     "the server was at least 90 % busy in a round: the figure is a lower bound for the client."),
                    ("‼", lambda d: d.get("errors", 0) > 0, "some requests failed in the window.")],
    "http-idle-mem": [("†", lambda d: 0 <= d.get("still_open", d.get("n", 0)) < d.get("n", 0),
                       "the server had closed some connections when the RSS was read.")],
}
MARKS["jobs"] = [("‼", lambda d: d.get("processed", d.get("n", 0)) != d.get("n", 0),
                  "the workers ran more jobs than were enqueued in a round (redeliveries).")]
MARKS["http-server-2core"] = MARKS["http-server"]
MARKS["api-server"] = MARKS["http-server"]
MARKS["ws-echo"] = MARKS["echo"]
MARKS["ws-idle-mem"] = MARKS["http-idle-mem"]

# proc's points each have their own figure.
PROC_FIELDS = {"proc-spawn": "per_s", "proc-pipe": "mib_per_s", "file-read": "files_mib_per_s"}


def value(spec, d, rss):
    if callable(spec):
        return spec(d, rss)
    if isinstance(spec, tuple):
        vals = [d.get(k) for k in spec]
        return None if None in vals else vals
    return d.get(spec)


def fmt(v):
    if v is None:
        return "—"
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def fmt_ratio(r):
    return f"×{r:.2f}" if r < 10 else f"×{r:.1f}"


def main(path, ref_override=None):
    meta, rows = {}, []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            rec = json.loads(line)
            if "meta" in rec:
                meta = rec["meta"]
                workload = rec["workload"]
            elif "end" in rec:
                meta["end"] = rec["end"]
            else:
                rows.append(rec)
                workload = rec["workload"]
    title, field, lower, extras = WORKLOADS[workload]
    ref = ref_override or meta.get("ref", "asyncio")

    points, peers = [], []
    # (point, peer) -> round -> (figure, record)
    cells = defaultdict(dict)
    for rec in rows:
        d = rec["data"]
        if "error" in d:
            continue
        f = PROC_FIELDS.get(rec["point"]) if workload == "proc" else field
        v = value(f, d, rec.get("maxrss_kb"))
        if v is None:
            continue
        if rec["point"] not in points:
            points.append(rec["point"])
        if rec["peer"] not in peers:
            peers.append(rec["peer"])
        cells[rec["point"], rec["peer"]][rec["round"]] = (v, rec)

    def cell(point, peer):
        by_round = cells.get((point, peer))
        if not by_round:
            return "—"
        vals = [v for v, _ in by_round.values()]
        med = statistics.median(vals)
        s = fmt(med)
        if len(vals) > 1 and med:
            spread = (max(vals) - min(vals)) / 2 / med
            if spread > 0.05:
                s += f" ±{spread * 100:.0f}%"
        refs = cells.get((point, ref), {})
        ratios = []
        for r, (v, _) in by_round.items():
            if r in refs and v and refs[r][0]:
                ratios.append(refs[r][0] / v if lower else v / refs[r][0])
        if ratios and peer != ref:
            s += " " + fmt_ratio(statistics.median(ratios))
        if workload == "handoff" and any(
                rec["data"].get("handoffs", rec["data"].get("n", 0)) < 0.95 * rec["data"].get("n", 0)
                for _, rec in by_round.values()):
            s += " †"
        for mark, earned, _ in MARKS.get(workload, []):
            if any(earned(rec["data"]) for _, rec in by_round.values()):
                s += " " + mark
        return s

    def extra(point, peer, spec, kind):
        by_round = cells.get((point, peer))
        if not by_round:
            return "—"
        vals = [value(spec, rec["data"], rec.get("maxrss_kb")) for _, rec in by_round.values()]
        vals = [v for v in vals if v is not None]
        if not vals:
            return "—"
        if kind == "pair":
            return " / ".join(fmt(statistics.median(v[i] for v in vals)) for i in range(2))
        med = statistics.median(vals)
        return f"{med:,.0f}" if kind == "int" else f"{med:.2f}"

    print(f"## {workload} — {meta.get('date', '')}, commit {meta.get('commit', '?')}")
    print()
    print(f"{title}; median of {meta.get('rounds', '?')} rounds, × against {ref} in the same round (> 1: better).  ")
    end = meta.get("end")
    took = f"; took {end['seconds']} s, load average {end['loadavg']} at the end" if end else ""
    print(f"Machine: {meta.get('machine', '?')}{took}.  ")
    print(f"Versions: {meta.get('versions', '?')}.  ")
    print(f"Knobs: `{meta.get('knobs', '')}`.")
    if workload == "handoff":
        print("† fewer than 95 % of the acquisitions changed owner: not a hand-off, ns per acquisition "
              "(sync.Mutex does not hand over; goroutines that preemption desynchronised).  ")
    for mark, earned, says in MARKS.get(workload, []):
        if any(earned(rec["data"]) for rec in rows if "error" not in rec["data"]):
            print(f"{mark} {says}  ")
    if workload == "http-server-2core":
        print("The two-core servers run on both cores, wrk on one of them: compare them with each other "
              "and with gonethttp (one core) of this table only.  ")
    print()
    head = ["peer"]
    for p in points:
        head.append(p)
        head += [f"{p}: {t}" for t, _, _ in extras]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for peer in peers:
        row = [f"**{peer}**" if peer.startswith("goasyncio") else peer]
        for p in points:
            row.append(cell(p, peer))
            row += [extra(p, peer, spec, kind) for _, spec, kind in extras]
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    args = sys.argv[1:]
    ref = None
    if len(args) == 3 and args[1] == "--ref":
        args, ref = args[:1], args[2]
    if len(args) != 1:
        sys.exit(__doc__)
    main(args[0], ref)
