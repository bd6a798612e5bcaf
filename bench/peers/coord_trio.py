"""Coordination-primitive workloads on trio; one JSON line out.

The trio side of bench/run.sh handoff; the same workloads, with the same
semantics, as coord_asyncio.py (read its docstring), cmd/asyncio-bench,
coord_node.js and gostd (--warmup W as there):

    python3 coord_trio.py handoff --prim lock|semaphore|event --n N
    python3 coord_trio.py queue --producers P --consumers C --maxsize M --n N
    python3 coord_trio.py tothread --n N

trio's own forms:
  * lock|semaphore: trio.Lock / trio.Semaphore(1). Both are fair (FIFO) and
    release() hands the lock to the first waiter directly. The main task
    holds the lock until trio.testing.wait_all_tasks_blocked() says both
    tasks are blocked in acquire(). Every await in trio is a checkpoint, so
    an acquire() that does not block still yields to the scheduler once.
  * event: a trio.Event cannot be cleared, so "clear" makes a new Event
    (the other task reads the current one when it next waits or sets).
  * queue: a trio memory channel, open_memory_channel(M), or math.inf for
    M = 0 (unbounded); producers share the send side, consumers the
    receive side. A send that does not block is still a checkpoint.
  * tothread: trio.to_thread.run_sync(f) (trio's thread cache).
"""
import argparse
import json
import math
import sys
import time

import trio
import trio.testing


async def handoff(prim, n):
    per = n // 2
    if prim in ("lock", "semaphore"):
        lk = trio.Lock() if prim == "lock" else trio.Semaphore(1)
        state = {"owner": -1, "changes": 0}

        async def worker(me):
            for _ in range(per):
                await lk.acquire()
                if state["owner"] != me:
                    state["owner"] = me
                    state["changes"] += 1
                lk.release()

        await lk.acquire()
        async with trio.open_nursery() as nursery:
            nursery.start_soon(worker, 0)
            nursery.start_soon(worker, 1)
            await trio.testing.wait_all_tasks_blocked()
            t0 = time.perf_counter_ns()
            lk.release()
        el = time.perf_counter_ns() - t0
        return dict(workload="handoff", prim=prim, n=2 * per, wall_ns=el, ns_per_op=el / (2 * per),
                    handoffs=state["changes"])
    if prim == "event":
        ev = {"a": trio.Event(), "b": trio.Event()}

        async def a():
            for _ in range(per):
                ev["b"].set()
                await ev["a"].wait()
                ev["a"] = trio.Event()

        async def b():
            for _ in range(per):
                await ev["b"].wait()
                ev["b"] = trio.Event()
                ev["a"].set()

        t0 = time.perf_counter_ns()
        async with trio.open_nursery() as nursery:
            nursery.start_soon(a)
            nursery.start_soon(b)
        el = time.perf_counter_ns() - t0
        return dict(workload="handoff", prim=prim, n=2 * per, wall_ns=el, ns_per_op=el / (2 * per))
    raise SystemExit(f"unknown --prim {prim!r}")


def share(n, i, k):
    return n // k + (1 if i < n % k else 0)


async def queue(producers, consumers, maxsize, n):
    send, recv = trio.open_memory_channel(maxsize if maxsize > 0 else math.inf)

    async def producer(m):
        s = send.send
        for j in range(m):
            await s(j)

    async def consumer(m):
        r = recv.receive
        for _ in range(m):
            await r()

    t0 = time.perf_counter_ns()
    async with trio.open_nursery() as nursery:
        for i in range(producers):
            nursery.start_soon(producer, share(n, i, producers))
        for i in range(consumers):
            nursery.start_soon(consumer, share(n, i, consumers))
    el = time.perf_counter_ns() - t0
    return dict(workload="queue", producers=producers, consumers=consumers, maxsize=maxsize, n=n,
                wall_ns=el, ns_per_op=el / n, items_per_s=n / (el / 1e9))


async def tothread(n):
    def f():
        return 1

    run = trio.to_thread.run_sync
    await run(f)  # the thread cache has a thread
    t0 = time.perf_counter_ns()
    for _ in range(n):
        await run(f)
    el = time.perf_counter_ns() - t0
    return dict(workload="tothread", n=n, wall_ns=el, ns_per_op=el / n)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("workload", choices=["handoff", "queue", "tothread"])
    p.add_argument("--prim", default="lock")
    p.add_argument("--n", type=int, default=100000)
    p.add_argument("--producers", type=int, default=1)
    p.add_argument("--consumers", type=int, default=1)
    p.add_argument("--maxsize", type=int, default=0)
    p.add_argument("--warmup", type=int, default=0, help="ops run first, untimed, on the same loop")
    a = p.parse_args()
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

    r = trio.run(run)
    r["warmup"] = a.warmup
    r["trio"] = trio.__version__
    r["python"] = sys.version.split()[0]
    print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
