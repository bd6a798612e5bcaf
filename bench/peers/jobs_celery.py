"""Celery's side of bench/run.sh's jobs workload: N no-op jobs through W
worker processes, on Redis or RabbitMQ (Debian's python3-celery).

    python3 jobs_celery.py run --broker redis|amqp --n N --workers W [--broker-pid PID]
        [--redis-url URL] [--amqp-url URL] [--prefetch P]
    python3 jobs_celery.py versions

run starts W workers, `python3 -m celery -A jobs_celery worker -P solo
--concurrency=1` (each one process that runs one task at a time, like the
hand-written nats.go worker's one handler goroutine), on a fresh queue,
with acks_late (a job is acknowledged after it ran, at-least-once, as the
other peers), results ignored, and worker_prefetch_multiplier 64 (--prefetch):
with Celery's default, 4, a solo worker on RabbitMQ ran 25 jobs/s here, about
40 ms per job, a TCP delayed-acknowledgement stall whenever its 4 unacknowledged
messages are in; nats.go's Consume keeps up to 500 messages buffered. It waits until each worker's
worker_ready signal has counted it on a Redis key. Then the clock starts:
this process (the producer) calls noop.delay(i) N times, one message per
job. The clock stops when the workers have run N jobs.

Completion: the task body adds one to a counter in the worker's memory
(no I/O per job); a thread in each worker adds what its counter gained to
one Redis key every 10 ms (INCRBY), and the producer polls that key every
5 ms once it has enqueued everything. So the stop is at most ~15 ms late,
and the detection costs two small Redis commands per 10 ms per worker,
not one per job. With the RabbitMQ broker the counter still goes to Redis
(at --redis-url): a side channel, not the broker under test.

It prints one JSON line with the fields of bench/peers/gojobs's run: jobs/s
end to end, the enqueue time, and the CPU time over the window of the
producer (os.times), of the workers (/proc/PID/stat) and, with
--broker-pid, of the broker. The queue is deleted at the end.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time

from celery import Celery, signals

HERE = os.path.dirname(os.path.abspath(__file__))

# The workers read their configuration from the environment that run gives
# them; the producer sets the same variables before it imports nothing more.
BROKER = os.environ.get("JOBSBENCH_BROKER", "redis://127.0.0.1:6379/0")
QUEUE = os.environ.get("JOBSBENCH_QUEUE", "jobsbench")
COUNTER_URL = os.environ.get("JOBSBENCH_COUNTER", "redis://127.0.0.1:6379/0")
KEY = os.environ.get("JOBSBENCH_KEY", "jobsbench")
PREFETCH = int(os.environ.get("JOBSBENCH_PREFETCH", "4"))

app = Celery("jobs_celery", broker=BROKER)
app.conf.update(
    task_default_queue=QUEUE,
    task_default_exchange=QUEUE,
    task_default_routing_key=QUEUE,
    task_ignore_result=True,
    task_acks_late=True,
    worker_prefetch_multiplier=PREFETCH,
    worker_enable_remote_control=False,
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
)

DONE = 0


@app.task(name="noop", ignore_result=True)
def noop(i):
    global DONE
    DONE += 1


def _reporter(r):
    # Runs for the worker's life (a daemon thread): it ends with the process.
    sent = 0
    while True:
        time.sleep(0.01)
        d = DONE
        if d != sent:
            r.incrby(KEY + ":done", d - sent)
            sent = d


@signals.worker_ready.connect
def _ready(**_):
    import redis
    r = redis.Redis.from_url(COUNTER_URL)
    threading.Thread(target=_reporter, args=(r,), daemon=True).start()
    r.incr(KEY + ":ready")


def proc_ticks(pids):
    t = 0
    for pid in pids:
        if not pid:
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                s = f.read()
        except OSError:
            continue
        f = s[s.rindex(")") + 1:].split()
        t += int(f[11]) + int(f[12])
    return t / os.sysconf("SC_CLK_TCK")


def self_cpu():
    t = os.times()
    return t.user + t.system


def run(a):
    import redis
    r = redis.Redis.from_url(COUNTER_URL)
    r.delete(KEY + ":done", KEY + ":ready")
    env = dict(os.environ)
    workers = []
    try:
        for _ in range(a.workers):
            workers.append(subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "jobs_celery", "worker", "-P", "solo", "--concurrency=1",
                 "-Q", QUEUE, "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING"],
                cwd=HERE, env=env, stdout=subprocess.DEVNULL))
        deadline = time.monotonic() + 60
        while int(r.get(KEY + ":ready") or 0) < a.workers:
            if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
                sys.exit("jobs_celery: the workers did not start")
            time.sleep(0.05)
        pids = [w.pid for w in workers]

        self0, w0, b0 = self_cpu(), proc_ticks(pids), proc_ticks([a.broker_pid])
        t0 = time.perf_counter()
        for i in range(a.n):
            noop.delay(i)
        enqueued = time.perf_counter() - t0
        deadline = time.monotonic() + 600
        while int(r.get(KEY + ":done") or 0) < a.n:
            if time.monotonic() > deadline:
                sys.exit(f"jobs_celery: {int(r.get(KEY + ':done') or 0)} of {a.n} jobs done after 600 s")
            time.sleep(0.005)
        secs = time.perf_counter() - t0
        self1, w1, b1 = self_cpu(), proc_ticks(pids), proc_ticks([a.broker_pid])
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            try:
                w.wait(15)
            except subprocess.TimeoutExpired:
                w.kill()
                w.wait()
        # The last reports are in once the workers are gone.
        done = int(r.get(KEY + ":done") or 0)
        r.delete(KEY + ":done", KEY + ":ready")
        cleanup()
    prod, wcpu = self1 - self0, w1 - w0
    out = {
        "n": a.n, "workers": a.workers, "seconds": secs, "jobs_per_s": a.n / secs,
        "enqueue_s": enqueued, "processed": done, "prefetch": PREFETCH,
        "producer_cpu_s": prod, "workers_cpu_s": wcpu, "cpu_us_per_job": (prod + wcpu) / a.n * 1e6,
    }
    if a.broker_pid:
        out["broker_cpu_s"] = b1 - b0
        out["broker_cpu_us_per_job"] = (b1 - b0) / a.n * 1e6
    print(json.dumps(out))


def cleanup():
    """Deletes the run's queue (and, on Redis, kombu's binding set)."""
    with app.connection_for_write() as conn:
        ch = conn.default_channel
        try:
            ch.queue_delete(QUEUE)
        except Exception as e:  # a queue already gone is fine
            print(f"jobs_celery: queue_delete: {e}", file=sys.stderr)
        if BROKER.startswith("redis"):
            client = ch.client
            client.delete(QUEUE, "_kombu.binding." + QUEUE, "unacked", "unacked_index")
        else:
            try:
                ch.exchange_delete(QUEUE)
            except Exception as e:
                print(f"jobs_celery: exchange_delete: {e}", file=sys.stderr)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("cmd", choices=["run", "versions"])
    p.add_argument("--broker", choices=["redis", "amqp"], default="redis")
    p.add_argument("--n", type=int, default=100000)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--broker-pid", type=int, default=0)
    p.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    p.add_argument("--amqp-url", default="amqp://guest:guest@127.0.0.1:5672//")
    p.add_argument("--prefetch", type=int, default=64,
                   help="worker_prefetch_multiplier (Celery's default, 4, runs 25 jobs/s on RabbitMQ here: see the top)")
    a = p.parse_args()
    if a.cmd == "versions":
        import kombu, amqp, redis, celery
        print(f"celery {celery.__version__}; kombu {kombu.__version__}; py-amqp {amqp.__version__}; redis-py {redis.__version__}")
        return
    # The workers and this process's app take their configuration from the
    # environment: set it, then start again with it.
    run_id = f"jobsbench-{os.getpid()}-{time.time_ns()}"
    want = {
        "JOBSBENCH_BROKER": a.redis_url if a.broker == "redis" else a.amqp_url,
        "JOBSBENCH_QUEUE": run_id,
        "JOBSBENCH_COUNTER": a.redis_url,
        "JOBSBENCH_KEY": run_id,
        "JOBSBENCH_PREFETCH": str(a.prefetch),
    }
    if os.environ.get("JOBSBENCH_QUEUE", "").startswith("jobsbench-") and os.environ.get("JOBSBENCH_BROKER") == want["JOBSBENCH_BROKER"]:
        run(a)
        return
    os.execve(sys.executable, [sys.executable, os.path.abspath(__file__)] + sys.argv[1:], {**os.environ, **want})


if __name__ == "__main__":
    main()
