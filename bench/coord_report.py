"""Render the raw results of bench/coord.sh (JSON lines) as markdown tables.

    python3 bench/coord_report.py bench/results/<stamp>-coord.jsonl

Cells: the median of ns_per_op over the rounds; "±" half the min–max range
relative to the median (shown when over 5 %); "×" the ratio asyncio/peer
computed inside each round, then the median of those ratios (>1 = faster
than asyncio). A lock or semaphore cell is marked † when fewer than 95 % of
the acquisitions changed owner (the program's "handoffs" field): then the
workload did not run as hand-offs (plain Go's sync.Mutex, and goroutines
that preemption desynchronised), and ns/op is a cost per acquisition.
"""
import json
import statistics
import sys
from collections import defaultdict

REF = "asyncio"

GROUPS = [
    ("Hand-offs between two tasks",
     "ns per hand-off: one task releases / sets / puts, the other, waiting, resumes with it. "
     "lock: Lock (or the peer's lock) handed back and forth, each task looping {acquire; release}; "
     "semaphore: the same with Semaphore(1); event: two Events in ping-pong; "
     "queue 1/1 max=1: one producer, one consumer, a queue of maxsize 1 (ns per item, about one task switch per item).",
     ["lock", "semaphore", "event", "queue 1/1 max=1"], False),
    ("Queue throughput",
     "ns per item and items per second (millions): P producers put N items in total, C consumers get them. "
     "With an unbounded queue (or maxsize 100 and one producer) a put rarely waits, so few task switches happen.",
     ["queue 1/1 unbounded", "queue 1/1 max=100", "queue 10/10 max=100"], True),
    ("To-thread round trip",
     "ns per round trip: a task awaits a function that returns at once, run on another thread "
     "(asyncio.to_thread, trio.to_thread.run_sync, ToThread; Node: a message to a worker_threads Worker "
     "and its reply; Go: a new goroutine and a channel).",
     ["tothread"], False),
]


def fmt_ns(v):
    if v >= 100:
        return f"{v:,.0f}"
    return f"{v:.1f}"


def main(path):
    rows = [json.loads(l) for l in open(path) if l.strip()]
    # cell[(peer, point)] = {round: result}
    cell = defaultdict(dict)
    peers = []
    for r in rows:
        if r["peer"] not in peers:
            peers.append(r["peer"])
        cell[(r["peer"], r["point"])][r["round"]] = r["result"]
    if REF in peers:
        peers.remove(REF)
        peers.insert(0, REF)
    notes = []
    out = []
    for title, desc, points, tput in GROUPS:
        points = [p for p in points if any((peer, p) in cell for peer in peers)]
        if not points:
            continue
        out.append(f"### {title}")
        out.append("")
        out.append(desc)
        out.append("")
        head = ["peer"]
        for p in points:
            head.append(f"{p} ns/op")
            if tput:
                head.append(f"{p} M items/s")
        out.append("| " + " | ".join(head) + " |")
        out.append("|" + "---|" * len(head))
        for peer in peers:
            line = [f"**{peer}**" if peer == "goasyncio" else peer]
            for p in points:
                rs = cell.get((peer, p))
                if not rs:
                    line.append("—")
                    if tput:
                        line.append("—")
                    continue
                vals = [v["ns_per_op"] for v in rs.values()]
                med = statistics.median(vals)
                txt = fmt_ns(med)
                if len(vals) > 1:
                    spread = (max(vals) - min(vals)) / 2 / med * 100
                    if spread > 5:
                        txt += f" ±{spread:.0f}%"
                if peer != REF and (REF, p) in cell:
                    ref = cell[(REF, p)]
                    ratios = [ref[k]["ns_per_op"] / v["ns_per_op"] for k, v in rs.items() if k in ref]
                    if ratios:
                        txt += f" ×{statistics.median(ratios):.2f}"
                hs = [v["handoffs"] / v["n"] for v in rs.values() if "handoffs" in v and v.get("n")]
                if hs and min(hs) < 0.95:
                    txt += " †"
                    pct = lambda x: f"{x * 100:.2g}"
                    notes.append(f"† {peer}, {p}: {pct(min(hs))}–{pct(max(hs))} % of the acquisitions "
                                 f"changed owner over the rounds (ns/op is per acquisition, not per hand-off).")
                if peer == "goasyncio":
                    txt = f"**{txt}**"
                line.append(txt)
                if tput:
                    ips = statistics.median(v["items_per_s"] for v in rs.values()) / 1e6
                    line.append(f"{ips:.2f}")
            out.append("| " + " | ".join(line) + " |")
        out.append("")
    rounds = len({r["round"] for r in rows})
    out.append(f"Cells: median over {rounds} rounds; `±` half the min–max range relative to the median "
               f"(when over 5 %); `×` ratio {REF}/peer in the same round, median over the rounds "
               f"(>1 = faster than {REF}). `—`: the peer has no such primitive.")
    if notes:
        out.append("")
        out.extend(notes)
    print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1])
