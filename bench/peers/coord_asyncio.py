"""Coordination-primitive workloads on asyncio (or uvloop); one JSON line out.

This is the asyncio side of bench/run.sh handoff; cmd/asyncio-bench (handoff,
queue, tothread), coord_trio.py, coord_node.js and gostd run the same
workloads with the same semantics:

    python3 coord_asyncio.py [--loop asyncio|uvloop] handoff --prim lock|semaphore|event --n N
    python3 coord_asyncio.py [--loop asyncio|uvloop] queue --producers P --consumers C --maxsize M --n N
    python3 coord_asyncio.py [--loop asyncio|uvloop] tothread --n N

handoff lock|semaphore: an asyncio.Lock (or asyncio.Semaphore(1)) handed
    back and forth between two tasks. The main task holds it while both
    tasks start and block in acquire(), then releases it; each task loops
    N/2 times {acquire; release}. Both primitives are FIFO: a release wakes
    the first waiter, and the releaser's next acquire() queues behind it
    (it sees a waiter), so every acquisition changes owner. One op is one
    acquisition; "handoffs" counts those that changed owner (≈ N).
handoff event: two asyncio.Events in ping-pong: task a loops {eb.set();
    await ea.wait(); ea.clear()}, task b {await eb.wait(); eb.clear();
    ea.set()}, N/2 times each. One op is one set() that wakes the other.
queue: P producer tasks put N items in total (N/P each) into one
    asyncio.Queue(maxsize=M) (0 = unbounded), C consumer tasks get N items
    in total (N/C each). One op is one item. P=C=1, M=1 is the queue
    hand-off between two tasks.
tothread: one task awaits N calls, one after the other, of
    asyncio.to_thread(f) with an f that returns at once (the loop's default
    ThreadPoolExecutor). One op is one round trip.

Timing (perf_counter_ns) covers the workload only, not start-up. --warmup W
first runs the same workload with W ops on the same loop, untimed (every
program of bench/run.sh handoff has this flag).
"""
import argparse
import asyncio
import json
import sys
import time


async def handoff(prim, n):
    per = n // 2
    if prim in ("lock", "semaphore"):
        lk = asyncio.Lock() if prim == "lock" else asyncio.Semaphore(1)
        state = {"owner": -1, "changes": 0}

        async def worker(me):
            for _ in range(per):
                await lk.acquire()
                if state["owner"] != me:
                    state["owner"] = me
                    state["changes"] += 1
                lk.release()

        await lk.acquire()
        ts = [asyncio.create_task(worker(0)), asyncio.create_task(worker(1))]
        await asyncio.sleep(0)  # both tasks are blocked in acquire()
        t0 = time.perf_counter_ns()
        lk.release()
        await asyncio.gather(*ts)
        el = time.perf_counter_ns() - t0
        return dict(workload="handoff", prim=prim, n=2 * per, wall_ns=el, ns_per_op=el / (2 * per),
                    handoffs=state["changes"])
    if prim == "event":
        ea, eb = asyncio.Event(), asyncio.Event()

        async def a():
            for _ in range(per):
                eb.set()
                await ea.wait()
                ea.clear()

        async def b():
            for _ in range(per):
                await eb.wait()
                eb.clear()
                ea.set()

        ts = [asyncio.create_task(a()), asyncio.create_task(b())]
        t0 = time.perf_counter_ns()
        await asyncio.gather(*ts)
        el = time.perf_counter_ns() - t0
        return dict(workload="handoff", prim=prim, n=2 * per, wall_ns=el, ns_per_op=el / (2 * per))
    raise SystemExit(f"unknown --prim {prim!r}")


def share(n, i, k):
    return n // k + (1 if i < n % k else 0)


async def queue(producers, consumers, maxsize, n):
    q = asyncio.Queue(maxsize=maxsize)

    async def producer(m):
        put = q.put
        for j in range(m):
            await put(j)

    async def consumer(m):
        get = q.get
        for _ in range(m):
            await get()

    t0 = time.perf_counter_ns()
    ts = [asyncio.create_task(producer(share(n, i, producers))) for i in range(producers)]
    ts += [asyncio.create_task(consumer(share(n, i, consumers))) for i in range(consumers)]
    await asyncio.gather(*ts)
    el = time.perf_counter_ns() - t0
    return dict(workload="queue", producers=producers, consumers=consumers, maxsize=maxsize, n=n,
                wall_ns=el, ns_per_op=el / n, items_per_s=n / (el / 1e9))


async def tothread(n):
    def f():
        return 1

    await asyncio.to_thread(f)  # the executor and its first thread exist
    t0 = time.perf_counter_ns()
    for _ in range(n):
        await asyncio.to_thread(f)
    el = time.perf_counter_ns() - t0
    return dict(workload="tothread", n=n, wall_ns=el, ns_per_op=el / n)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--loop", default="asyncio", choices=["asyncio", "uvloop"])
    p.add_argument("workload", choices=["handoff", "queue", "tothread"])
    p.add_argument("--prim", default="lock")
    p.add_argument("--n", type=int, default=100000)
    p.add_argument("--producers", type=int, default=1)
    p.add_argument("--consumers", type=int, default=1)
    p.add_argument("--maxsize", type=int, default=0)
    p.add_argument("--warmup", type=int, default=0, help="ops run first, untimed, on the same loop")
    a = p.parse_args()
    if a.loop == "uvloop":
        import uvloop
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    if a.workload == "handoff":
        work = lambda n: handoff(a.prim, n)
    elif a.workload == "queue":
        work = lambda n: queue(a.producers, a.consumers, a.maxsize, n)
    else:
        work = tothread

    async def run():
        if a.warmup > 0:
            await work(a.warmup)
        return await work(a.n)

    r = asyncio.run(run())
    r["warmup"] = a.warmup
    r["loop"] = a.loop
    r["python"] = sys.version.split()[0]
    print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
