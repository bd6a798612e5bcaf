"""SQLite workloads on aiosqlite, on uvloop or asyncio: the aiosqlite side
of bench/run.sh's db-sqlite; one JSON line out.

    db_aiosqlite.py [--loop uvloop|asyncio] read --file FILE --c C [--pool P]
        [--warmup SECONDS --duration SECONDS]
    db_aiosqlite.py [--loop uvloop|asyncio] insert --file FILE --n ROWS --tx T

FILE is a database bench/peers/db_sqlite_setup.py made.

read: C tasks share P connections (default min(C, 20); aiosqlite has no
pool, so task w uses connection w mod P, a Lock per connection keeping
one call on it at a time) and read one row of kv by primary key again
and again (execute_fetchall: one hop to the connection's thread and
back); the calls that return in the window of --duration seconds after
the warm-up are counted, with this process's CPU time in it. The ids walk
the table as in bench/peers/godb/sqlite.go.

insert: ROWS rows inserted one execute at a time, T per transaction,
into a table of this process's, on one connection with
synchronous=NORMAL (the database is in WAL mode); rows per second.
Python's sqlite3 caches the statement, so each execute reuses it.
"""
import argparse
import asyncio
import json
import os
import resource
import sys
import time

import aiosqlite

READ_SQL = "SELECT name, score FROM kv WHERE id = ?"


def self_cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def read_id(worker, seq, rows):
    return (worker * 7919 + seq * 104729) % rows + 1


async def read(path, c, pool_size, warmup, duration):
    if not os.path.exists(path):
        raise SystemExit(f"{path}: no such file (bench/peers/db_sqlite_setup.py makes it)")
    conns = [await aiosqlite.connect(path) for _ in range(pool_size)]
    locks = [asyncio.Lock() for _ in conns]
    try:
        rows = (await conns[0].execute_fetchall("SELECT count(*) FROM kv"))[0][0]
        done = 0
        stop = False

        async def worker(w):
            nonlocal done
            con, lock = conns[w % pool_size], locks[w % pool_size]
            seq = 0
            while not stop:
                i = read_id(w, seq, rows)
                if pool_size < c:
                    async with lock:
                        got = await con.execute_fetchall(READ_SQL, (i,))
                else:
                    got = await con.execute_fetchall(READ_SQL, (i,))
                if got[0][1] != i * 0.5:
                    raise SystemExit(f"row {i}: {got!r}")
                seq += 1
                done += 1

        tasks = [asyncio.create_task(worker(w)) for w in range(c)]
        await asyncio.sleep(warmup)
        n0, t0, c0 = done, time.perf_counter(), self_cpu()
        await asyncio.sleep(duration)
        n1, t1, c1 = done, time.perf_counter(), self_cpu()
        stop = True
        await asyncio.gather(*tasks)
    finally:
        for con in conns:
            await con.close()
    n, secs, cpu = n1 - n0, t1 - t0, c1 - c0
    if n == 0:
        raise SystemExit("no call returned in the window")
    return {"c": c, "pool": pool_size, "ops": n, "seconds": secs, "per_s": n / secs,
            "cpu_pct": 100 * cpu / secs, "cpu_us_per_op": cpu / n * 1e6}


async def insert(path, n, tx):
    if not os.path.exists(path):
        raise SystemExit(f"{path}: no such file (bench/peers/db_sqlite_setup.py makes it)")
    table = f"ins_aiosqlite_{os.getpid()}"
    # isolation_level=None: no implicit transactions, the BEGIN below is ours.
    async with aiosqlite.connect(path, isolation_level=None) as con:
        await con.execute("PRAGMA synchronous=NORMAL")
        await con.execute(f"DROP TABLE IF EXISTS {table}")
        await con.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, name TEXT, score REAL)")
        sql = f"INSERT INTO {table} (id, name, score) VALUES (?, ?, ?)"
        t0, c0 = time.perf_counter(), self_cpu()
        done = 0
        while done < n:
            await con.execute("BEGIN")
            end = min(done + tx, n)
            while done < end:
                done += 1
                await con.execute(sql, (done, f"name {done}", done * 0.5))
            await con.execute("COMMIT")
        el, cpu = time.perf_counter() - t0, self_cpu() - c0
        count = (await con.execute_fetchall(f"SELECT count(*) FROM {table}"))[0][0]
        await con.execute(f"DROP TABLE {table}")
    if count != n:
        raise SystemExit(f"{count} rows in {table}, want {n}")
    return {"ops": n, "tx": tx, "seconds": el, "per_s": n / el,
            "cpu_pct": 100 * cpu / el, "cpu_us_per_op": cpu / n * 1e6}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--loop", choices=["uvloop", "asyncio"], default="uvloop")
    p.add_argument("workload", choices=["read", "insert"])
    p.add_argument("--file", required=True)
    p.add_argument("--c", type=int, default=1)
    p.add_argument("--pool", type=int, default=0)
    p.add_argument("--warmup", type=float, default=0.5)
    p.add_argument("--duration", type=float, default=2.0)
    p.add_argument("--n", type=int, default=100000)
    p.add_argument("--tx", type=int, default=1000)
    a = p.parse_args()
    if a.loop == "uvloop":
        import uvloop
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    work = {
        "read": lambda: read(a.file, a.c, a.pool or min(a.c, 20), a.warmup, a.duration),
        "insert": lambda: insert(a.file, a.n, a.tx),
    }[a.workload]
    out = asyncio.run(work())
    out.update(loop=a.loop, python=sys.version.split()[0], aiosqlite=aiosqlite.__version__)
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
