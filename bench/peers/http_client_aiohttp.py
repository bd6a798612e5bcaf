"""HTTP/1.1 client load on aiohttp.ClientSession, on asyncio or uvloop: the
aiohttp side of bench/run.sh's http-client workload; one JSON line out.

    http_client_aiohttp.py [--loop asyncio|uvloop] --url URL --tasks T
        --warmup SECONDS --duration SECONDS [--server-pid PID]
    http_client_aiohttp.py [--loop asyncio|uvloop] --url URL --idle N

T tasks share one ClientSession whose connector keeps up to T keep-alive
connections, and each GETs URL again and again, reading the whole body.
The responses that arrive in the window of --duration seconds after the
warm-up are counted, with the CPU time this process and the server (PID,
from /proc) used in it.

With --idle N (bench/run.sh's http-client-idle-mem) it sends one GET,
then N at once, so that the pool holds N idle keep-alive connections, and
reports this process's VmRSS growth over the connections that opened
(counted as the growth of its open file descriptors) after a settling
time (the same steps as the other peers).
"""
import argparse
import asyncio
import json
import os
import resource
import time

import aiohttp


def self_cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def proc_ticks(pid):
    """User + system CPU of process pid in clock ticks (0 if unknown)."""
    if not pid:
        return 0
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return 0
    fields = s[s.rindex(")") + 1:].split()
    return int(fields[11]) + int(fields[12])


async def load(url, tasks, warmup, duration, pid):
    count = {"ok": 0, "failed": 0, "first_error": None}
    stop = False

    async def worker(session):
        while not stop:
            try:
                async with session.get(url) as resp:
                    await resp.read()
                    if resp.status != 200:
                        raise RuntimeError(f"status {resp.status}")
                count["ok"] += 1
            except Exception as e:  # counted, and the first one reported
                count["failed"] += 1
                count["first_error"] = count["first_error"] or repr(e)

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=tasks)) as session:
        workers = [asyncio.create_task(worker(session)) for _ in range(tasks)]
        await asyncio.sleep(warmup)
        n0, e0, t0, c0, s0 = count["ok"], count["failed"], time.perf_counter(), self_cpu(), proc_ticks(pid)
        await asyncio.sleep(duration)
        n1, e1, t1, c1, s1 = count["ok"], count["failed"], time.perf_counter(), self_cpu(), proc_ticks(pid)
        stop = True
        await asyncio.gather(*workers)
    n, secs = n1 - n0, t1 - t0
    if n == 0:
        raise SystemExit(f"no response in the window; first error: {count['first_error']}")
    out = {"tasks": tasks, "requests": n, "seconds": secs, "req_per_s": n / secs, "errors": e1 - e0,
           "cpu_pct": 100 * (c1 - c0) / secs, "cpu_us_per_req": (c1 - c0) / n * 1e6}
    if pid:
        out["server_cpu_pct"] = (s1 - s0) / secs  # ticks of 1/100 s
    if count["first_error"]:
        out["first_error"] = count["first_error"]
    return out


def vmrss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def idle(url, n, settle):
    async def get(session):
        async with session.get(url) as resp:
            await resp.read()
            if resp.status != 200:
                raise RuntimeError(f"status {resp.status}")

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=n)) as session:
        await get(session)
        await asyncio.sleep(settle)
        rss0, fds0 = vmrss_kb(), len(os.listdir("/proc/self/fd"))
        await asyncio.gather(*(get(session) for _ in range(n)))
        await asyncio.sleep(settle)
        rss1, fds1 = vmrss_kb(), len(os.listdir("/proc/self/fd"))
    opened = fds1 - fds0
    if opened <= 0:
        raise SystemExit(f"no connection opened ({n} requests at once)")
    return {"n": n, "opened": opened, "rss0_kb": rss0, "rss1_kb": rss1,
            "bytes_per_conn": (rss1 - rss0) * 1024 / opened}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    p.add_argument("--url", required=True)
    p.add_argument("--tasks", type=int, default=100)
    p.add_argument("--warmup", type=float, default=0.5)
    p.add_argument("--duration", type=float, default=2.0)
    p.add_argument("--server-pid", type=int, default=0)
    p.add_argument("--idle", type=int, default=0, metavar="N")
    p.add_argument("--settle", type=float, default=1.5)
    a = p.parse_args()
    if a.loop == "uvloop":
        import uvloop
        uvloop.install()
    if a.idle:
        out = asyncio.run(idle(a.url, a.idle, a.settle))
    else:
        out = asyncio.run(load(a.url, a.tasks, a.warmup, a.duration, a.server_pid))
    out["loop"] = a.loop
    print(json.dumps(out))


if __name__ == "__main__":
    main()
