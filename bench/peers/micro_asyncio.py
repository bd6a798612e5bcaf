"""Loop micro-benchmarks on asyncio or uvloop; one JSON line out.

The asyncio side of bench/run.sh's spawn, switch, callsoon and timers
workloads; cmd/asyncio-bench, micro_trio.py, micro_node.js and gostd run
the same workloads:

    micro_asyncio.py [--loop asyncio|uvloop] spawn --n N
    micro_asyncio.py [--loop asyncio|uvloop] switch --tasks T --total N
    micro_asyncio.py [--loop asyncio|uvloop] callsoon --chains K --n N
    micro_asyncio.py [--loop asyncio|uvloop] timers --n N --maxms M

spawn: create N tasks that each await asyncio.sleep(0) once, then gather
    them. One op is one task.
switch: T tasks share N awaits of asyncio.sleep(0) (N/T each). One op is
    one switch.
callsoon: K chains of callbacks, each callback scheduling the next of its
    chain with loop.call_soon, until N callbacks have run. K=1 is one
    callback per loop iteration; K=1000 runs a thousand per iteration.
timers: N loop.call_later callbacks, delays uniform integer milliseconds
    in [0, M] from a seeded generator; the time from the first call_later
    to the last callback.

Timing covers the workload, not the interpreter's start-up; rss0_kb is
VmRSS just before the workload (bench/run.sh takes the peak RSS from
/usr/bin/time, for bytes per task or timer).
"""
import argparse
import asyncio
import json
import random
import sys
import time


def vmrss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def spawn(n):
    async def child():
        await asyncio.sleep(0)

    rss0 = vmrss_kb()
    start = time.perf_counter_ns()
    await asyncio.gather(*[asyncio.create_task(child()) for _ in range(n)])
    ns = time.perf_counter_ns() - start
    return {"n": n, "wall_ns": ns, "ns_per_task": ns / n, "rss0_kb": rss0}


async def switch(tasks, total):
    each = total // tasks

    async def worker():
        for _ in range(each):
            await asyncio.sleep(0)

    rss0 = vmrss_kb()
    start = time.perf_counter_ns()
    await asyncio.gather(*[asyncio.create_task(worker()) for _ in range(tasks)])
    ns = time.perf_counter_ns() - start
    ops = each * tasks
    return {"tasks": tasks, "total": ops, "wall_ns": ns, "ns_per_switch": ns / ops, "rss0_kb": rss0}


async def callsoon(chains, n):
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    left = n

    def step():
        nonlocal left
        left -= 1
        if left > 0:
            loop.call_soon(step)
        elif left == 0:
            done.set_result(None)

    start = time.perf_counter_ns()
    for _ in range(min(chains, n)):
        loop.call_soon(step)
    await done
    ns = time.perf_counter_ns() - start
    return {"chains": chains, "n": n, "wall_ns": ns, "ns_per_callback": ns / n}


async def timers(n, maxms):
    loop = asyncio.get_running_loop()
    rng = random.Random(42)
    delays = [rng.randint(0, maxms) / 1000 for _ in range(n)]
    longest = max(delays)
    done = loop.create_future()
    fired = 0

    def fire():
        nonlocal fired
        fired += 1
        if fired == n:
            done.set_result(time.perf_counter())

    rss0 = vmrss_kb()
    start = time.perf_counter()
    for d in delays:
        loop.call_later(d, fire)
    scheduled = time.perf_counter() - start
    end = await done
    total = end - start
    return {"n": n, "schedule_ms": scheduled * 1e3, "total_ms": total * 1e3,
            "max_delay_ms": longest * 1e3, "overshoot_ms": (total - longest) * 1e3, "rss0_kb": rss0}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    p.add_argument("workload", choices=["spawn", "switch", "callsoon", "timers"])
    p.add_argument("--n", type=int, default=100000)
    p.add_argument("--tasks", type=int, default=1)
    p.add_argument("--total", type=int, default=1000000)
    p.add_argument("--chains", type=int, default=1)
    p.add_argument("--maxms", type=int, default=1000)
    a = p.parse_args()
    if a.loop == "uvloop":
        import uvloop
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    work = {
        "spawn": lambda: spawn(a.n),
        "switch": lambda: switch(a.tasks, a.total),
        "callsoon": lambda: callsoon(a.chains, a.n),
        "timers": lambda: timers(a.n, a.maxms),
    }[a.workload]
    out = asyncio.run(work())
    out.update(loop=a.loop, python=sys.version.split()[0])
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
