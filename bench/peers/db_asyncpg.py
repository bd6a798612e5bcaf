"""PostgreSQL workloads on asyncpg, on uvloop or asyncio: the asyncpg side
of bench/run.sh's db-roundtrip, db-fetch and db-copy; one JSON line out.

    db_asyncpg.py [--loop uvloop|asyncio] roundtrip --url URL --c C [--pool P] [--no-reset]
        [--warmup SECONDS --duration SECONDS]
    db_asyncpg.py [--loop uvloop|asyncio] fetch --url URL --n ROWS [--mode fetch|cursor]
    db_asyncpg.py [--loop uvloop|asyncio] copy --url URL --n ROWS

roundtrip: C tasks share a pool of P connections (default min(C, 20))
and run SELECT 1 again and again (pool.fetchval); the calls that return
in the window of --duration seconds after the warm-up are counted, with
this process's CPU time in it. asyncpg's pool resets every connection it
takes back (Connection.reset: a second round trip, "SELECT
pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL;"); with
--no-reset its connections skip that, as pgx's pool does, which makes
asyncpg about twice as fast here. Either way a connection is not closed
after max_queries (50,000 by default) queries.

fetch: one query makes ROWS rows of five columns (int8, text, float8,
timestamptz, bool) with generate_series; --mode cursor (the default)
streams them through a cursor in a transaction, 10,000 rows per batch,
as the Go peers stream theirs; --mode fetch gets them all as one list of
Records (con.fetch), which was 1.4-1.7 times slower here (a million rows:
372,000-456,000 rows per second against 645,000-662,000) and peaks at
300 MB of RSS against 35. Rows per second only: tracemalloc would slow the run several
times, so no figure of bytes allocated per row.

copy: ROWS tuples made in memory first, then copied into an unlogged
table of this process's (con.copy_records_to_table, COPY FROM STDIN in
the binary format); rows per second of the copy.

The query, the rows and the table are the same as in
bench/peers/godb/pg.go and cmd/asyncio-bench/db.go.
"""
import argparse
import asyncio
import datetime
import json
import os
import resource
import sys
import time

import asyncpg

FETCH_SQL = """SELECT i::int8 AS id, 'name ' || i AS name, i * 0.25::float8 AS score,
	timestamptz '2026-01-01 00:00:00+00' + i * interval '1 second' AS at, i % 2 = 0 AS flag
FROM generate_series(1, $1::int) AS i"""

COPY_COLUMNS = ["id", "name", "score", "at", "flag"]
COPY_BASE = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)


def self_cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


async def closed_loop(c, warmup, duration, op):
    """c tasks call op(worker, seq) again and again; the calls that return
    in the window after the warm-up, and this process's CPU time in it."""
    done = 0
    stop = False

    async def worker(w):
        nonlocal done
        seq = 0
        while not stop:
            await op(w, seq)
            seq += 1
            done += 1

    tasks = [asyncio.create_task(worker(w)) for w in range(c)]
    await asyncio.sleep(warmup)
    n0, t0, c0 = done, time.perf_counter(), self_cpu()
    await asyncio.sleep(duration)
    n1, t1, c1 = done, time.perf_counter(), self_cpu()
    stop = True
    await asyncio.gather(*tasks)
    n, secs, cpu = n1 - n0, t1 - t0, c1 - c0
    if n == 0:
        raise SystemExit("no call returned in the window")
    return {"c": c, "ops": n, "seconds": secs, "per_s": n / secs,
            "cpu_pct": 100 * cpu / secs, "cpu_us_per_op": cpu / n * 1e6}


class NoResetConnection(asyncpg.Connection):
    """A connection that the pool gives back as it is, without the reset
    query (the benchmark leaves no state on it to reset)."""

    async def reset(self, *, timeout=None):
        pass


async def roundtrip(url, c, pool_size, no_reset, warmup, duration):
    cls = NoResetConnection if no_reset else asyncpg.Connection
    async with asyncpg.create_pool(url, min_size=pool_size, max_size=pool_size, max_queries=2**62,
                                   connection_class=cls) as pool:
        async def op(_w, _seq):
            v = await pool.fetchval("SELECT 1")
            if v != 1:
                raise SystemExit(f"SELECT 1 gave {v!r}")

        out = await closed_loop(c, warmup, duration, op)
    out.update(pool=pool_size, reset=not no_reset)
    return out


async def fetch(url, n, mode):
    con = await asyncpg.connect(url)
    try:
        count = total = 0
        t0 = time.perf_counter()
        if mode == "fetch":
            rows = await con.fetch(FETCH_SQL, n)
            count = len(rows)
            total = sum(r[0] for r in rows)
        else:
            async with con.transaction():
                async for r in con.cursor(FETCH_SQL, n, prefetch=10000):
                    count += 1
                    total += r[0]
        el = time.perf_counter() - t0
    finally:
        await con.close()
    if count != n or total != n * (n + 1) // 2:
        raise SystemExit(f"fetched {count} rows (sum of ids {total}), want {n}")
    return {"rows": n, "mode": mode, "seconds": el, "rows_per_s": n / el}


async def copy(url, n):
    con = await asyncpg.connect(url)
    table = f"bench_copy_asyncpg_{os.getpid()}"
    try:
        await con.execute(f"DROP TABLE IF EXISTS {table}")
        await con.execute(f"CREATE UNLOGGED TABLE {table} (id int8, name text, score float8, at timestamptz, flag bool)")
        one = datetime.timedelta(seconds=1)
        records = [(i, f"name {i}", i * 0.25, COPY_BASE + i * one, i % 2 == 0) for i in range(1, n + 1)]
        t0 = time.perf_counter()
        status = await con.copy_records_to_table(table, records=records, columns=COPY_COLUMNS)
        el = time.perf_counter() - t0
        await con.execute(f"DROP TABLE {table}")
    finally:
        await con.close()
    if status != f"COPY {n}":
        raise SystemExit(f"copy said {status!r}, want COPY {n}")
    return {"rows": n, "seconds": el, "rows_per_s": n / el}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--loop", choices=["uvloop", "asyncio"], default="uvloop")
    p.add_argument("workload", choices=["roundtrip", "fetch", "copy"])
    p.add_argument("--url", default="postgres://postgres@127.0.0.1:5432/test")
    p.add_argument("--c", type=int, default=1)
    p.add_argument("--pool", type=int, default=0)
    p.add_argument("--no-reset", action="store_true")
    p.add_argument("--warmup", type=float, default=0.5)
    p.add_argument("--duration", type=float, default=2.0)
    p.add_argument("--n", type=int, default=1000000)
    p.add_argument("--mode", choices=["cursor", "fetch"], default="cursor")
    a = p.parse_args()
    if a.loop == "uvloop":
        import uvloop
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    work = {
        "roundtrip": lambda: roundtrip(a.url, a.c, a.pool or min(a.c, 20), a.no_reset, a.warmup, a.duration),
        "fetch": lambda: fetch(a.url, a.n, a.mode),
        "copy": lambda: copy(a.url, a.n),
    }[a.workload]
    out = asyncio.run(work())
    out.update(loop=a.loop, python=sys.version.split()[0], asyncpg=asyncpg.__version__)
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
