"""Subprocess workloads of bench/run.sh proc for Python asyncio (and uvloop).

    python3 proc_asyncio.py spawn N [uvloop]   # N x create_subprocess_exec('true') + communicate
    python3 proc_asyncio.py pipe MIB [uvloop]  # read MIB from `head -c` in 64 KiB reads
Prints one JSON line, as cmd/asyncio-bench does.
"""
import asyncio
import json
import sys
import time


async def spawn(n):
    start = time.perf_counter()
    for _ in range(n):
        p = await asyncio.create_subprocess_exec("true", stdout=asyncio.subprocess.PIPE)
        await p.communicate()
    d = time.perf_counter() - start
    return {"workload": "proc-spawn", "n": n, "seconds": d, "per_s": n / d}


async def pipe(mib):
    start = time.perf_counter()
    p = await asyncio.create_subprocess_exec("head", "-c", str(mib << 20), "/dev/zero", stdout=asyncio.subprocess.PIPE)
    total = 0
    while True:
        b = await p.stdout.read(64 << 10)
        if not b:
            break
        total += len(b)
    await p.wait()
    d = time.perf_counter() - start
    return {"workload": "proc-pipe", "mib": total >> 20, "seconds": d, "mib_per_s": (total >> 20) / d}


def main():
    kind, n = sys.argv[1], int(sys.argv[2])
    if len(sys.argv) > 3 and sys.argv[3] == "uvloop":
        import uvloop
        uvloop.install()
    out = asyncio.run(spawn(n) if kind == "spawn" else pipe(n))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
