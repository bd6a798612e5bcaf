"""Loop micro-benchmarks on trio; one JSON line out.

The trio side of bench/run.sh's spawn and switch workloads (see
micro_asyncio.py for their definitions). trio has no callbacks (no
call_soon, no call_later), so it has no callsoon or timers.

    micro_trio.py spawn --n N
    micro_trio.py switch --tasks T --total N

spawn starts N tasks in a nursery, each awaiting trio.sleep(0) once, and
leaves the nursery when all have ended; switch runs T tasks in a nursery
sharing N awaits of trio.sleep(0).
"""
import argparse
import json
import sys
import time

import trio


def vmrss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def spawn(n):
    async def child():
        await trio.sleep(0)

    rss0 = vmrss_kb()
    start = time.perf_counter_ns()
    async with trio.open_nursery() as nursery:
        for _ in range(n):
            nursery.start_soon(child)
    ns = time.perf_counter_ns() - start
    return {"n": n, "wall_ns": ns, "ns_per_task": ns / n, "rss0_kb": rss0}


async def switch(tasks, total):
    each = total // tasks

    async def worker():
        for _ in range(each):
            await trio.sleep(0)

    rss0 = vmrss_kb()
    start = time.perf_counter_ns()
    async with trio.open_nursery() as nursery:
        for _ in range(tasks):
            nursery.start_soon(worker)
    ns = time.perf_counter_ns() - start
    ops = each * tasks
    return {"tasks": tasks, "total": ops, "wall_ns": ns, "ns_per_switch": ns / ops, "rss0_kb": rss0}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("workload", choices=["spawn", "switch"])
    p.add_argument("--n", type=int, default=100000)
    p.add_argument("--tasks", type=int, default=1)
    p.add_argument("--total", type=int, default=1000000)
    a = p.parse_args()
    if a.workload == "spawn":
        out = trio.run(spawn, a.n)
    else:
        out = trio.run(switch, a.tasks, a.total)
    out.update(loop="trio", trio=trio.__version__, python=sys.version.split()[0])
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
