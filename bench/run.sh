#!/usr/bin/env bash
# The benchmarks of BENCHMARKS.md, from this repository alone: this
# library (cmd/asyncio-bench) against the runtimes a user would otherwise
# pick — Python's asyncio, uvloop and trio, Node.js, plain Go, and the Go
# event-loop libraries gnet and nbio; for WebSocket, Node's ws,
# gorilla/websocket, coder/websocket, nbio's websocket and gws; for
# databases, asyncpg and aiosqlite on uvloop, pgx and database/sql with
# modernc.org/sqlite — on the same workloads, in the same run, on the same
# machine. The peer programs are in bench/peers.
#
#   bench/run.sh install                  # once per machine (root): Debian packages, Go modules of the peers
#   bench/run.sh list                     # workloads, their points, the peers and whether each is runnable
#   bench/run.sh WORKLOAD [PEER...]       # run one workload against the named peers (default: all)
#   bench/run.sh switch asyncio uvloop goasyncio
#   ROUNDS=3 ECHO_CONNS=100 ECHO_SIZES=64 bench/run.sh echo
#   DURATION=1s ROUNDS=1 bench/run.sh http-server gonethttp node-http
#   ROUNDS=3 bench/run.sh db-roundtrip
#   ROUNDS=3 JOBS_N=100000 bench/run.sh jobs
#
# Workloads:
#   switch    tasks sharing SWITCH_TOTAL switches (await sleep(0)); points tasks=1, tasks=1000
#   spawn     SPAWN_NS tasks that each await sleep(0) once, then awaited all
#   callsoon  CALLSOON_N callbacks in 1 and 1,000 chains (call_soon scheduling the next)
#   timers    TIMERS_N call_later callbacks, delays uniform integer ms in [0, TIMERS_MAXMS]
#   handoff   Lock / Semaphore / Event hand-offs between two tasks, queues, to-thread round trips
#   echo      TCP echo, closed loop: ECHO_CONNS connections x ECHO_SIZES bytes, one message in flight each
#   idle-mem  server memory per idle connection (IDLE_N connections, one 64 B echo each)
#   proc      spawn `true` + communicate; read a child's stdout; read a file (ours only)
#   http-server       HTTP/1.1 keep-alive server under wrk: GET / ("Hello, World!") and GET /json
#                     (1,142 bytes, encoded per request) at HTTP_CONNS connections; requests/s and
#                     the server's CPU per request
#   http-server-2core the same with the server on both cores: net/http (GOMAXPROCS=2) and ours
#                     (aiohttp.Workers(2)), with net/http on one core as the baseline
#   api-server        a typed JSON endpoint under wrk (bench/peers/api_post.lua): POST
#                     /items/42?limit=10 with a 1,045-byte JSON order, checked (path, query
#                     and body fields in range), answered with a 1,288-byte JSON receipt, at
#                     HTTP_CONNS connections; ours as an aiohttp/api operation and as a plain
#                     handler, FastAPI on uvicorn (uvloop, httptools), aiohttp.web with the
#                     checks by hand, net/http; requests/s and the server's CPU per request
#   http-client       HTTP_TASKS concurrent tasks (goroutines, promises) GET the net/http server
#                     over a keep-alive pool; requests/s and the client's CPU per request
#   http-idle-mem     server memory per idle keep-alive HTTP connection (IDLE_N of them, one GET each)
#   http-client-idle-mem  client memory per idle pooled connection (HTTP_IDLE_N GETs at once)
#   ws-echo   WebSocket echo, closed loop: WS_CONNS connections x WS_SIZES bytes, one binary
#             message in flight each; messages/s and the server's CPU per message
#   ws-idle-mem  server memory per idle WebSocket connection (WS_IDLE_N connections, each
#             upgraded and one 64 B message echoed)
#   db-roundtrip  PostgreSQL (DB_URL): DB_CONNS concurrent tasks run `SELECT 1` again and again
#             on a pool of min(c, DB_POOL) connections; queries/s and the client's CPU per query
#   db-fetch  one query streams DB_FETCH_ROWS rows of 5 columns (int8, text, float8,
#             timestamptz, bool; generate_series); rows/s and, for Go, bytes allocated per row
#   db-copy   DB_COPY_ROWS rows of those 5 columns, made in memory first, copied with COPY FROM
#             STDIN into an unlogged table; rows/s and, for Go, bytes allocated per row
#   db-sqlite SQLite file (DB_SQLITE_ROWS rows, WAL mode) in a temporary directory: reads by
#             primary key with DB_SQLITE_CONNS concurrent tasks (pool of min(c, DB_POOL)), and
#             DB_SQLITE_INSERTS single-row inserts, DB_SQLITE_TX per transaction; per second
#   jobs      a distributed job queue: one producer enqueues JOBS_N no-op jobs (one message
#             each) while JOBS_WORKERS worker processes run them; jobs/s from the first
#             enqueue to the last job done, CPU per job of the producer and workers, and
#             of the broker: Celery on Redis and on RabbitMQ, a hand-written nats.go
#             JetStream consumer (bench/peers/gojobs), and ours (package jobs, asyncio-bench
#             jobs): its workers keeping no results (goasyncio), the same with the jobs
#             enqueued by one EnqueueMany (goasyncio-many), keeping results
#             (goasyncio-results), and with package jobs' default prefetch (goasyncio-prefetch10);
#             arq is listed, not run
#
# Knobs (environment), with their defaults:
#   ROUNDS=5            rounds; every peer runs once per point per round
#   SWITCH_TOTAL=1000000 SPAWN_NS=100000 CALLSOON_N=1000000 TIMERS_N=1000000 TIMERS_MAXMS=1000
#   HANDOFF_N_PY=50000 HANDOFF_N=500000  ops per handoff measurement (Python peers / the others)
#   TOTHREAD_N_PY=5000 TOTHREAD_N=20000  the same for the to-thread round trips
#   ECHO_CONNS='1 100 1000' ECHO_SIZES='64 4096' DURATION=2s WARMTIME=500ms
#   IDLE_N=10000  PROC_SPAWN_N=500 PROC_PIPE_MIB=1024 FILE_MIB=512
#   HTTP_CONNS='10 200' HTTP_PATHS='hello json' HTTP_TASKS=100 HTTP_WARMTIME=2s HTTP_IDLE_N=1000  (and DURATION;
#                 wrk takes whole seconds: its runs are rounded up to the next second)
#   WS_CONNS='100 1000' WS_SIZES='64 4096' WS_IDLE_N=10000  (and DURATION, WARMTIME)
#   DB_URL=postgres://postgres@127.0.0.1:5432/test  (no spaces in it)
#   DB_CONNS='1 10 100' DB_POOL=20 DB_FETCH_ROWS=1000000 DB_COPY_ROWS=1000000
#   DB_SQLITE_ROWS=10000 DB_SQLITE_CONNS='1 10' DB_SQLITE_INSERTS=100000 DB_SQLITE_TX=1000
#                 (and DURATION, WARMTIME for db-roundtrip and the SQLite reads)
#   JOBS_N=100000 JOBS_WORKERS='1 4' JOBS_CELERY_PREFETCH=64  NATS_URL=nats://127.0.0.1:4222
#   REDIS_URL=redis://127.0.0.1:6379/0 AMQP_URL=amqp://guest:guest@127.0.0.1:5672//
#   MICRO_CPU=1   core every micro-benchmark and every server runs on (and the http-client clients)
#   LOAD_CPU=0    core of the load generator (echo, idle-mem, wrk, ws-*) and of http-client's server
#   PEERS=REGEX   only the peers whose name matches (and, if peers are named, among them)
#   POINTS=REGEX  only the points whose name matches (bench/run.sh list shows them)
#   REF=NAME      the peer the ratios are taken against (default: asyncio;
#                 uvloop-proto for echo and idle-mem; gonethttp for the http workloads;
#                 goasyncio-hand for api-server;
#                 gorilla for the ws workloads; asyncpg-uvloop for db-roundtrip, db-fetch
#                 and db-copy; aiosqlite-uvloop for db-sqlite; natsgo-hand for jobs)
#
# Method: each measurement is its own process, pinned with taskset to one
# core (Go then runs with GOMAXPROCS=1, like the single-threaded loops) and
# timed by the program itself, which prints one JSON line; /usr/bin/time
# gives its peak RSS. Rounds loop round -> point -> peer (echo: point ->
# round -> peer, with every server started at once and idle but the one
# under load), so the peers of one point are measured seconds apart. The
# report gives per cell the median over the rounds, "±" half the min-max
# range over the median when above 5 %, and "×" the ratio to REF computed
# inside each round, then the median (> 1: better than REF).
#
# HTTP: every server answers the same bytes (the log shows each one's
# response size per path: the headers differ a little). http-server runs
# `wrk -t1 -cC --latency` pinned to LOAD_CPU against servers pinned to
# MICRO_CPU (all started at once, idle but the one under load; point ->
# round -> peer), after a warm-up run of HTTP_WARMTIME (longer than
# WARMTIME: Node's JIT needs seconds over an HTTP stack; its fetch client
# still got faster between 2 and 4 s of warm-up). api-server runs the
# same way, wrk posting the body with bench/peers/api_post.lua; the log
# shows each server's answer size and whether its body, newlines aside,
# is the first server's (ours ends it with one, the Python peers do not).
# It reads the server's
# utime+stime from /proc/PID/stat before and after the measured run and
# divides by the requests wrk counted (server CPU µs per request; ticks
# of 10 ms, about ±1 % at 2 s), and /usr/bin/time gives wrk's own CPU (a
# cell is marked † where wrk was at least 90 % busy: the figure is then a
# lower bound for the server). In http-server-2core the two-core servers
# are pinned to both cores, so wrk shares LOAD_CPU with one of the
# server's threads: compare them with each other and with the one-core
# net/http of the same run, not with http-server's table. http-client
# runs one net/http server (gostd http, GOMAXPROCS=1) pinned to LOAD_CPU
# and each client, one process per measurement, pinned to MICRO_CPU; the
# client warms up for HTTP_WARMTIME, then counts the responses in a
# window of DURATION and reads its own CPU time and the server's (a cell
# is marked † where the server was at least 90 % busy). http-idle-mem is
# idle-mem with one GET / per connection; the client checks that the
# server still holds every connection open when it reads the RSS (marked
# † otherwise). http-client-idle-mem runs http-client's server; each
# client sends one GET, waits 1.5 s, reads its VmRSS and open file
# descriptors, sends HTTP_IDLE_N GETs at once (so its pool opens about as
# many connections and keeps them idle), waits 1.5 s and reads them again:
# RSS growth over the connections that opened. No GC is forced, as in
# idle-mem: for Go and Node the garbage of the burst of requests is in
# the figure. Cells with failed requests are marked ‼. A peer whose
# program is not runnable here (ours, on another system than Linux) is
# left out with the reason, like a runtime that is not installed.
#
# WebSocket: ws-echo is echo over WebSocket, run the same way (servers
# pinned to MICRO_CPU, all started at once; point -> round -> peer) with
# `asyncio-bench ws-load` pinned to LOAD_CPU: on the echo load
# generator's raw sockets and single epoll, each connection upgrades with
# GET / (checking the 101 and Sec-WebSocket-Accept), then sends one masked
# binary message of the point's size and waits for the whole message back
# before the next. It asks for no compression. As a benchmark shortcut,
# each connection masks with one random key and sends the same frame
# every time (RFC 6455 wants a fresh key per frame, which protects
# browsers, not a load generator). Cells give messages per second, p50 /
# p99 latency, the server's CPU µs per message (/proc/PID/stat, as in
# echo) and are marked † where the generator was at least 90 % busy.
# ws-idle-mem is idle-mem with `idleclient -proto ws`: each connection
# upgrades and has one 64 B binary message echoed; † marks a server that
# had closed some connections when the RSS was read. Every WebSocket
# server echoes on GET / without compression: Node's ws (Debian's
# node-ws), gorilla/websocket and coder/websocket on net/http (gostd),
# nbio's websocket package on one nbio poller and gws's own server, a
# goroutine per connection (goevloop). Ours, `asyncio-bench ws-server`
# on package aiohttp's WebSocket server, is left out while this
# asyncio-bench has no such mode.
#
# Databases: the db-* workloads run like the micro workloads (round ->
# point -> peer, one process per measurement pinned to MICRO_CPU, timed by
# itself), as clients of a database server that is not pinned and is
# shared by every peer: PostgreSQL at DB_URL (its backends run on either
# core, so they take some of MICRO_CPU's time too) and, for db-sqlite, a
# file that bench/peers/db_sqlite_setup.py makes in a temporary directory
# before the first round (SQLite runs inside the client process).
# db-roundtrip and the SQLite reads count the calls that return in a
# window of DURATION after WARMTIME (which also opens the pool's
# connections); db-fetch, db-copy and the inserts time one run of the
# fixed amount. The peers: asyncpg on uvloop (Debian's python3-asyncpg),
# with a pool that gives connections back as they are, like pgx's, and
# the same with asyncpg's default pool, which sends a reset query (a
# second round trip) every time it takes one back (asyncpg-uvloop-
# poolreset); pgx v5's pgxpool called directly from goroutines (godb);
# aiosqlite on uvloop (a thread per connection); database/sql with
# modernc.org/sqlite called directly from goroutines, through prepared
# statements (gosql-modernc); and ours, package db from asyncio tasks
# (asyncio-bench db-*). asyncpg streams db-fetch's rows through a cursor
# (10,000 per batch), faster here than con.fetch's one list; its bytes
# per row are not measured (tracemalloc would slow it several times). Go's
# bytes and objects allocated per row are runtime.MemStats' TotalAlloc and
# Mallocs over the timed part, divided by the rows.
#
# Jobs: each measurement is one driver process, not pinned (the producer,
# the workers and the broker share both cores), that starts its W worker
# processes, waits until each is consuming, then starts the clock,
# enqueues JOBS_N jobs from itself (the one producer) and stops the clock
# when the last job is done; it reads the CPU time over that window of
# itself, of each worker and of the broker (/proc/PID/stat; the broker's
# pid is the one listening on its port, and other users of the broker
# count in it). Every run uses a fresh stream or queue and deletes it.
# Done means: for nats.go and ours (package jobs, whose queues are
# work-queue streams too), the work-queue stream is empty (a message
# leaves it when acknowledged) after all N publishes were acknowledged,
# polled every 2 ms; for Celery, the workers' in-memory counts, added to
# one Redis key every 10 ms by a thread in each worker, reach N (polled
# every 5 ms). Celery's workers are `celery worker -P solo
# --concurrency=1` with acks_late, ignored results and a prefetch
# multiplier of JOBS_CELERY_PREFETCH (bench/peers/jobs_celery.py says
# why not Celery's 4). Each driver checks that the workers' counts add up
# to at least N (more is redelivery; the report marks it).
#
# The commit in the report gets "+changes" when the work tree differs from
# it (documentation aside).
#
# Output: the table on stdout and in bench/results/<stamp>-<workload>.md,
# the raw JSON lines in bench/results/<stamp>-<workload>.jsonl (not
# committed); python3 bench/report.py FILE.jsonl renders a table again.
# Everything stays on 127.0.0.1.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

# Debian's python3-uvloop and python3-trio are installed for Debian's
# python3, which may not be the python3 first on PATH.
SYSPY=/usr/bin/python3
APT_PACKAGES=(python3 python3-uvloop python3-trio python3-aiohttp python3-asyncpg python3-aiosqlite
  python3-fastapi python3-uvicorn python3-httptools python3-celery python3-redis python3-kombu python3-amqp
  nodejs node-ws time util-linux wrk curl iproute2)

: "${ROUNDS:=5}"
: "${SWITCH_TOTAL:=1000000}" "${SPAWN_NS:=100000}" "${CALLSOON_N:=1000000}"
: "${TIMERS_N:=1000000}" "${TIMERS_MAXMS:=1000}"
: "${HANDOFF_N_PY:=50000}" "${HANDOFF_N:=500000}"
: "${TOTHREAD_N_PY:=5000}" "${TOTHREAD_N:=20000}"
: "${ECHO_CONNS:=1 100 1000}" "${ECHO_SIZES:=64 4096}" "${DURATION:=2s}" "${WARMTIME:=500ms}"
: "${IDLE_N:=10000}" "${PROC_SPAWN_N:=500}" "${PROC_PIPE_MIB:=1024}" "${FILE_MIB:=512}"
: "${HTTP_CONNS:=10 200}" "${HTTP_PATHS:=hello json}" "${HTTP_TASKS:=100}" "${HTTP_WARMTIME:=2s}" "${HTTP_IDLE_N:=1000}"
: "${WS_CONNS:=100 1000}" "${WS_SIZES:=64 4096}" "${WS_IDLE_N:=10000}"
: "${DB_URL:=postgres://postgres@127.0.0.1:5432/test}" "${DB_CONNS:=1 10 100}" "${DB_POOL:=20}"
: "${DB_FETCH_ROWS:=1000000}" "${DB_COPY_ROWS:=1000000}"
: "${DB_SQLITE_ROWS:=10000}" "${DB_SQLITE_CONNS:=1 10}" "${DB_SQLITE_INSERTS:=100000}" "${DB_SQLITE_TX:=1000}"
: "${JOBS_N:=100000}" "${JOBS_WORKERS:=1 4}" "${JOBS_CELERY_PREFETCH:=64}" "${NATS_URL:=nats://127.0.0.1:4222}"
: "${REDIS_URL:=redis://127.0.0.1:6379/0}" "${AMQP_URL:=amqp://guest:guest@127.0.0.1:5672//}"
: "${MICRO_CPU:=1}" "${LOAD_CPU:=0}" "${PEERS:=}" "${POINTS:=}" "${REF:=}" "${TIMEOUT:=300}"

WORKLOADS=(switch spawn callsoon timers handoff echo idle-mem proc http-server http-server-2core api-server http-client http-idle-mem http-client-idle-mem ws-echo ws-idle-mem
  db-roundtrip db-fetch db-copy db-sqlite jobs)

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "$*"; exit 1; }

# ------------------------------------------------------------------ install

install() {
  local missing=() p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  if ((${#missing[@]})); then
    log "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}" || die "apt-get failed"
  else
    log "Debian packages: all installed (${APT_PACKAGES[*]})"
  fi
  node bench/peers/ws_echo_node.js --check >/dev/null || die "node cannot load ws (Debian's node-ws)"
  command -v go >/dev/null || die "needs Go (go.mod says which version)"
  log "Go modules of the peers"
  (cd bench/peers/gostd && go mod download) || die "go mod download failed in bench/peers/gostd"
  (cd bench/peers/goevloop && go mod download) || die "go mod download failed in bench/peers/goevloop"
  (cd bench/peers/godb && go mod download) || die "go mod download failed in bench/peers/godb"
  (cd bench/peers/gojobs && go mod download) || die "go mod download failed in bench/peers/gojobs"
  # arq is not in Debian, and PyPI is not reachable from this machine: the
  # jobs workload lists it as not installable.
  build && log "installed; bench/run.sh list shows what can run"
}

# ------------------------------------------------------------------ build

BIN=""
build() {
  BIN=$(mktemp -d /tmp/asyncio-bench.XXXXXX)
  go build -o "$BIN/asyncio-bench" ./cmd/asyncio-bench || die "build of cmd/asyncio-bench failed"
  (cd bench/peers/gostd && go build -o "$BIN/gostd" .) || die "build of bench/peers/gostd failed"
  (cd bench/peers/goevloop && go build -o "$BIN/goevloop" .) ||
    log "build of bench/peers/goevloop failed (bench/run.sh install?): gnet, nbio, nbio-ws and gws are left out"
  (cd bench/peers/godb && go build -o "$BIN/godb" .) ||
    log "build of bench/peers/godb failed (bench/run.sh install?): pgx and gosql-modernc are left out"
  (cd bench/peers/gojobs && go build -o "$BIN/gojobs" .) ||
    log "build of bench/peers/gojobs failed (bench/run.sh install?): natsgo-hand is left out"
}

# ------------------------------------------------------------------ peers
# A peer is "name|kind|command". kind says what the peer needs (py, uvloop,
# trio, node, go, asyncpg, ...) and, for handoff, which sizes it gets (py: the Python
# sizes). {placeholders} in the command are filled in from the point and
# the knobs; commands are split on spaces.

peers_of() {
  local a="$SYSPY bench/peers/micro_asyncio.py" t="$SYSPY bench/peers/micro_trio.py" \
    nd="node bench/peers/micro_node.js" ours="\$BIN/asyncio-bench" gs="\$BIN/gostd"
  case $1 in
  switch) printf '%s\n' \
    "asyncio|py|$a --loop asyncio switch --tasks {tasks} --total {total}" \
    "uvloop|uvloop|$a --loop uvloop switch --tasks {tasks} --total {total}" \
    "trio|trio|$t switch --tasks {tasks} --total {total}" \
    "node-immediate|node|$nd switch {tasks} {total} immediate" \
    "node-microtask|node|$nd switch {tasks} {total} microtask" \
    "go-gosched|go|$gs switch -mode gosched -tasks {tasks} -total {total}" \
    "go-chan|go|$gs switch -mode chan -tasks {tasks} -total {total}" \
    "goasyncio|go|$ours switch -tasks {tasks} -total {total}" ;;
  spawn) printf '%s\n' \
    "asyncio|py|$a --loop asyncio spawn --n {n}" \
    "uvloop|uvloop|$a --loop uvloop spawn --n {n}" \
    "trio|trio|$t spawn --n {n}" \
    "node|node|$nd spawn {n}" \
    "go|go|$gs spawn -n {n}" \
    "goasyncio|go|$ours spawn -n {n}" ;;
  callsoon) printf '%s\n' \
    "asyncio|py|$a --loop asyncio callsoon --chains {chains} --n {n}" \
    "uvloop|uvloop|$a --loop uvloop callsoon --chains {chains} --n {n}" \
    "node-immediate|node|$nd callsoon {chains} {n} immediate" \
    "node-microtask|node|$nd callsoon {chains} {n} microtask" \
    "goasyncio|go|$ours callsoon -chains {chains} -n {n}" ;;
  timers) printf '%s\n' \
    "asyncio|py|$a --loop asyncio timers --n {n} --maxms {maxms}" \
    "uvloop|uvloop|$a --loop uvloop timers --n {n} --maxms {maxms}" \
    "node|node|$nd timers {n} {maxms}" \
    "go-AfterFunc|go|$gs timers -n {n} -maxms {maxms}" \
    "goasyncio|go|$ours timers -n {n} -maxms {maxms}" ;;
  handoff) printf '%s\n' \
    "asyncio|py|$SYSPY bench/peers/coord_asyncio.py --loop asyncio {op} --n {n} --warmup {warmup}" \
    "uvloop|uvloop|$SYSPY bench/peers/coord_asyncio.py --loop uvloop {op} --n {n} --warmup {warmup}" \
    "trio|trio|$SYSPY bench/peers/coord_trio.py {op} --n {n} --warmup {warmup}" \
    "node|node|node bench/peers/coord_node.js {op} --n {n} --warmup {warmup}" \
    "go-chan|go|$gs -impl chan {op} --n {n} --warmup {warmup}" \
    "go-sync|go|$gs -impl sync {op} --n {n} --warmup {warmup}" \
    "goasyncio|go|$ours {op} --n {n} --warmup {warmup}" ;;
  echo | idle-mem) printf '%s\n' \
    "asyncio-streams|py|$SYSPY bench/peers/echo_asyncio.py --loop asyncio --api streams --port {port}" \
    "asyncio-proto|py|$SYSPY bench/peers/echo_asyncio.py --loop asyncio --api protocol --port {port}" \
    "uvloop-streams|uvloop|$SYSPY bench/peers/echo_asyncio.py --loop uvloop --api streams --port {port}" \
    "uvloop-proto|uvloop|$SYSPY bench/peers/echo_asyncio.py --loop uvloop --api protocol --port {port}" \
    "trio|trio|$SYSPY bench/peers/echo_trio.py --port {port}" \
    "node|node|node bench/peers/echo_node.js {port}" \
    "go-net|go|$gs echo -addr 127.0.0.1:{port}" \
    "gnet|goevloop|\$BIN/goevloop -impl gnet -addr 127.0.0.1:{port}" \
    "nbio|goevloop|\$BIN/goevloop -impl nbio -addr 127.0.0.1:{port}" \
    "goasyncio-streams|go|$ours echo -api streams -backend poller -addr 127.0.0.1:{port}" \
    "goasyncio-proto|go|$ours echo -api protocol -backend poller -addr 127.0.0.1:{port}" ;;
  proc) printf '%s\n' \
    "asyncio|py|$SYSPY bench/peers/proc_asyncio.py {pyop} {n}" \
    "uvloop|uvloop|$SYSPY bench/peers/proc_asyncio.py {pyop} {n} uvloop" \
    "goasyncio|go|$ours {goop} -n {n}" ;;
  http-server | http-idle-mem) printf '%s\n' \
    "aiohttp-asyncio|aiohttp|$SYSPY bench/peers/http_server_aiohttp.py --loop asyncio --port {port}" \
    "aiohttp-uvloop|aiohttp-uvloop|$SYSPY bench/peers/http_server_aiohttp.py --loop uvloop --port {port}" \
    "node-http|node|node bench/peers/http_server_node.js {port}" \
    "gonethttp|go|$gs http -addr 127.0.0.1:{port}" \
    "goasyncio|goaiohttp|$ours http-server -addr 127.0.0.1:{port}" ;;
  # A server started with "taskset -c {cpus2}" runs on both cores.
  http-server-2core) printf '%s\n' \
    "gonethttp|go|$gs http -addr 127.0.0.1:{port}" \
    "gonethttp-2core|go|taskset -c {cpus2} env GOMAXPROCS=2 $gs http -addr 127.0.0.1:{port}" \
    "goasyncio-workers2|goaiohttp|taskset -c {cpus2} env GOMAXPROCS=2 $ours http-server -workers 2 -addr 127.0.0.1:{port}" ;;
  # api-server: the same endpoint everywhere (internal/apibench, served by cmd/asyncio-bench).
  api-server) printf '%s\n' \
    "fastapi-uvicorn|fastapi|$SYSPY bench/peers/api_fastapi.py --port {port}" \
    "aiohttp-uvloop-hand|aiohttp-uvloop|$SYSPY bench/peers/api_aiohttp.py --loop uvloop --port {port}" \
    "gonethttp-hand|goaiohttp|$ours api-server -impl hand -nethttp -addr 127.0.0.1:{port}" \
    "gonethttp-typed|goaiohttp|$ours api-server -impl typed -nethttp -addr 127.0.0.1:{port}" \
    "goasyncio-hand|goaiohttp|$ours api-server -impl hand -addr 127.0.0.1:{port}" \
    "goasyncio-typed|goaiohttp|$ours api-server -impl typed -addr 127.0.0.1:{port}" ;;
  http-client) printf '%s\n' \
    "aiohttp-asyncio|aiohttp|$SYSPY bench/peers/http_client_aiohttp.py --loop asyncio --url {url} --tasks {tasks} --warmup {warm_s} --duration {dur_s} --server-pid {srvpid}" \
    "aiohttp-uvloop|aiohttp-uvloop|$SYSPY bench/peers/http_client_aiohttp.py --loop uvloop --url {url} --tasks {tasks} --warmup {warm_s} --duration {dur_s} --server-pid {srvpid}" \
    "node-http|node|node bench/peers/http_client_node.js agent {url} {tasks} {warm_s} {dur_s} {srvpid}" \
    "node-fetch|node|node bench/peers/http_client_node.js fetch {url} {tasks} {warm_s} {dur_s} {srvpid}" \
    "gonethttp|go|$gs http-client -url {url} -tasks {tasks} -warmtime {warm} -duration {dur} -pid {srvpid}" \
    "goasyncio|goaiohttp|$ours http-client -url {url} -c {tasks} -warmtime {warm} -duration {dur} -pid {srvpid}" ;;
  http-client-idle-mem) printf '%s\n' \
    "aiohttp-asyncio|aiohttp|$SYSPY bench/peers/http_client_aiohttp.py --loop asyncio --url {url} --idle {n}" \
    "aiohttp-uvloop|aiohttp-uvloop|$SYSPY bench/peers/http_client_aiohttp.py --loop uvloop --url {url} --idle {n}" \
    "node-http|node|node bench/peers/http_client_node.js agent-idle {url} {n}" \
    "node-fetch|node|node bench/peers/http_client_node.js fetch-idle {url} {n}" \
    "gonethttp|go|$gs http-client-idle -url {url} -n {n}" \
    "goasyncio|goaiohttp|$ours http-client -url {url} -idle {n}" ;;
  # goasyncio: our server on package aiohttp's WebSocket API
  # (cmd/asyncio-bench ws-server): a task per connection looping on
  # Receive; goasyncio-onmsg: WebSocket.OnMessage, no task while idle.
  ws-echo | ws-idle-mem) printf '%s\n' \
    "node-ws|node-ws|node bench/peers/ws_echo_node.js {port}" \
    "gorilla|go|$gs ws-gorilla -addr 127.0.0.1:{port}" \
    "coder|go|$gs ws-coder -addr 127.0.0.1:{port}" \
    "nbio-ws|goevloop|\$BIN/goevloop -impl nbio-ws -addr 127.0.0.1:{port}" \
    "gws|goevloop|\$BIN/goevloop -impl gws -addr 127.0.0.1:{port}" \
    "goasyncio|goaiohttp-ws|$ours ws-server -addr 127.0.0.1:{port}" \
    "goasyncio-onmsg|goaiohttp-ws|$ours ws-server -onmessage -addr 127.0.0.1:{port}" ;;
  # godb's and asyncio-bench's db modes take the same flags.
  db-roundtrip) printf '%s\n' \
    "asyncpg-uvloop|asyncpg|$SYSPY bench/peers/db_asyncpg.py --loop uvloop roundtrip --no-reset --url $DB_URL --c {c} --pool {pool} --warmup {warm_s} --duration {dur_s}" \
    "asyncpg-uvloop-poolreset|asyncpg|$SYSPY bench/peers/db_asyncpg.py --loop uvloop roundtrip --url $DB_URL --c {c} --pool {pool} --warmup {warm_s} --duration {dur_s}" \
    "pgx|godb|\$BIN/godb db-roundtrip -url $DB_URL -c {c} -pool {pool} -warmtime {warm} -duration {dur}" \
    "goasyncio|goasyncio-db|$ours db-roundtrip -url $DB_URL -c {c} -pool {pool} -warmtime {warm} -duration {dur}" ;;
  db-fetch | db-copy) printf '%s\n' \
    "asyncpg-uvloop|asyncpg|$SYSPY bench/peers/db_asyncpg.py --loop uvloop ${1#db-} --url $DB_URL --n {n}" \
    "pgx|godb|\$BIN/godb $1 -url $DB_URL -n {n}" \
    "goasyncio|goasyncio-db|$ours $1 -url $DB_URL -n {n}" ;;
  db-sqlite) printf '%s\n' \
    "aiosqlite-uvloop|aiosqlite|$SYSPY bench/peers/db_aiosqlite.py --loop uvloop {pyop} --file {file}" \
    "gosql-modernc|godb|\$BIN/godb {goop} -file {file}" \
    "goasyncio|goasyncio-db|$ours {goop} -file {file}" ;;
  # gojobs' run and asyncio-bench's jobs mode take the same flags; ours
  # adds its workers' settings (cmd/asyncio-bench/jobsconfig.go). arq is
  # listed to say why it is not run.
  jobs) printf '%s\n' \
    "celery-redis|celery-redis|$SYSPY bench/peers/jobs_celery.py run --broker redis --redis-url $REDIS_URL --n {n} --workers {workers} --prefetch $JOBS_CELERY_PREFETCH --broker-pid {redispid}" \
    "celery-rabbitmq|celery-amqp|$SYSPY bench/peers/jobs_celery.py run --broker amqp --amqp-url $AMQP_URL --redis-url $REDIS_URL --n {n} --workers {workers} --prefetch $JOBS_CELERY_PREFETCH --broker-pid {amqppid}" \
    "arq-redis|arq|-" \
    "natsgo-hand|gojobs|\$BIN/gojobs run -url $NATS_URL -n {n} -workers {workers} -broker-pid {natspid}" \
    "goasyncio|goasyncio-jobs|$ours jobs -url $NATS_URL -n {n} -workers {workers} -broker-pid {natspid}" \
    "goasyncio-many|goasyncio-jobs|$ours jobs -url $NATS_URL -n {n} -workers {workers} -broker-pid {natspid} -many" \
    "goasyncio-results|goasyncio-jobs|$ours jobs -url $NATS_URL -n {n} -workers {workers} -broker-pid {natspid} -keep-results" \
    "goasyncio-prefetch10|goasyncio-jobs|$ours jobs -url $NATS_URL -n {n} -workers {workers} -broker-pid {natspid} -prefetch -1" ;;
  esac
}

# points_of WORKLOAD: "name|key=value;key=value" lines; the values fill the
# placeholders. A "peers=REGEX" value limits the point to those peers.
points_of() {
  local x c s
  case $1 in
  switch) for x in 1 1000; do echo "tasks=$x|tasks=$x;total=$SWITCH_TOTAL"; done ;;
  spawn) for x in $SPAWN_NS; do echo "n=$x|n=$x"; done ;;
  callsoon) for x in 1 1000; do echo "chains=$x|chains=$x;n=$CALLSOON_N"; done ;;
  timers) echo "n=$TIMERS_N|n=$TIMERS_N;maxms=$TIMERS_MAXMS" ;;
  handoff) printf '%s\n' \
    "lock|op=handoff --prim lock" \
    "semaphore|op=handoff --prim semaphore;peers=^(asyncio|uvloop|trio|node|go-chan|goasyncio)$" \
    "event|op=handoff --prim event" \
    "queue 1/1 max=1|op=queue --producers 1 --consumers 1 --maxsize 1;peers=^(asyncio|uvloop|trio|node|go-chan|goasyncio)$" \
    "queue 1/1 unbounded|op=queue --producers 1 --consumers 1 --maxsize 0;peers=^(asyncio|uvloop|trio|node|go-chan|goasyncio)$" \
    "queue 10/10 max=100|op=queue --producers 10 --consumers 10 --maxsize 100;peers=^(asyncio|uvloop|trio|node|go-chan|goasyncio)$" \
    "tothread|op=tothread;peers=^(asyncio|uvloop|trio|node|go-chan|goasyncio)$" ;;
  echo) for s in $ECHO_SIZES; do for c in $ECHO_CONNS; do echo "c=$c size=$s|c=$c;size=$s"; done; done ;;
  idle-mem) echo "n=$IDLE_N|n=$IDLE_N" ;;
  proc) printf '%s\n' "proc-spawn|pyop=spawn;goop=proc-spawn;n=$PROC_SPAWN_N" \
    "proc-pipe|pyop=pipe;goop=proc-pipe;n=$PROC_PIPE_MIB" "file-read|goop=file-read;n=$FILE_MIB;peers=^goasyncio$" ;;
  http-server | http-server-2core)
    for x in $HTTP_PATHS; do
      case $x in hello) p=/ ;; json) p=/json ;; *) die "HTTP_PATHS: unknown path $x (have hello, json)" ;; esac
      for c in $HTTP_CONNS; do echo "$x c=$c|path=$p;c=$c"; done
    done ;;
  api-server) for c in $HTTP_CONNS; do echo "c=$c|path=/items/42?limit=10;c=$c"; done ;;
  http-client) for x in $HTTP_TASKS; do echo "tasks=$x|tasks=$x"; done ;;
  http-idle-mem) echo "n=$IDLE_N|n=$IDLE_N" ;;
  http-client-idle-mem) echo "n=$HTTP_IDLE_N|n=$HTTP_IDLE_N" ;;
  ws-echo) for s in $WS_SIZES; do for c in $WS_CONNS; do echo "c=$c size=$s|c=$c;size=$s"; done; done ;;
  ws-idle-mem) echo "n=$WS_IDLE_N|n=$WS_IDLE_N" ;;
  db-roundtrip)
    for c in $DB_CONNS; do
      echo "c=$c|c=$c;pool=$((c < DB_POOL ? c : DB_POOL));warm=$WARMTIME;dur=$DURATION;warm_s=$(seconds "$WARMTIME");dur_s=$(seconds "$DURATION")"
    done ;;
  db-fetch) echo "rows=$DB_FETCH_ROWS|n=$DB_FETCH_ROWS" ;;
  db-copy) echo "rows=$DB_COPY_ROWS|n=$DB_COPY_ROWS" ;;
  db-sqlite)
    for c in $DB_SQLITE_CONNS; do
      x=$((c < DB_POOL ? c : DB_POOL))
      echo "read c=$c|pyop=read --c $c --pool $x --warmup $(seconds "$WARMTIME") --duration $(seconds "$DURATION");goop=db-sqlite-read -c $c -pool $x -warmtime $WARMTIME -duration $DURATION"
    done
    echo "insert tx=$DB_SQLITE_TX|pyop=insert --n $DB_SQLITE_INSERTS --tx $DB_SQLITE_TX;goop=db-sqlite-insert -n $DB_SQLITE_INSERTS -tx $DB_SQLITE_TX" ;;
  jobs) for x in $JOBS_WORKERS; do echo "workers=$x|workers=$x;n=$JOBS_N"; done ;;
  esac
}

# runnable KIND: whether this machine has what a peer of that kind needs;
# if not, WHY_NOT[KIND] says what is missing.
declare -A RUNNABLE WHY_NOT
runnable() {
  if [[ -z ${RUNNABLE[$1]:-} ]]; then
    local ok=0
    WHY_NOT[$1]="not installed (bench/run.sh install)"
    case $1 in
    py) $SYSPY -c 'import asyncio' 2>/dev/null && ok=1 ;;
    uvloop) $SYSPY -c 'import uvloop' 2>/dev/null && ok=1 ;;
    trio) $SYSPY -c 'import trio' 2>/dev/null && ok=1 ;;
    aiohttp) $SYSPY -c 'import aiohttp' 2>/dev/null && ok=1 ;;
    aiohttp-uvloop) $SYSPY -c 'import aiohttp, uvloop' 2>/dev/null && ok=1 ;;
    fastapi) $SYSPY -c 'import fastapi, uvicorn, uvloop, httptools' 2>/dev/null && ok=1 ;;
    node) command -v node >/dev/null && ok=1 ;;
    node-ws) node bench/peers/ws_echo_node.js --check >/dev/null 2>&1 && ok=1 ;;
    go) ok=1 ;;
    goevloop) [[ -x $BIN/goevloop ]] && ok=1 ;;
    # A build for another system than Linux has stubs that exit with status 3.
    goaiohttp)
      if "$BIN/asyncio-bench" http-server -check 2>"$BIN/check.err"; then ok=1; else
        WHY_NOT[$1]="$(tail -n 1 "$BIN/check.err")"
      fi ;;
    # Status 3: a build without the mode (another system than Linux);
    # any other failure: this asyncio-bench has no ws-server mode yet.
    goaiohttp-ws)
      "$BIN/asyncio-bench" ws-server -check >/dev/null 2>"$BIN/check.err"
      case $? in
      0) ok=1 ;;
      3) WHY_NOT[$1]="$(tail -n 1 "$BIN/check.err")" ;;
      *) WHY_NOT[$1]="asyncio-bench has no ws-server mode yet (cmd/asyncio-bench)" ;;
      esac ;;
    asyncpg) $SYSPY -c 'import asyncpg, uvloop' 2>/dev/null && ok=1 ;;
    aiosqlite) $SYSPY -c 'import aiosqlite, uvloop' 2>/dev/null && ok=1 ;;
    godb) [[ -x $BIN/godb ]] && ok=1 ;;
    # As goaiohttp: status 3 is a build without the db modes (not Linux).
    goasyncio-db)
      "$BIN/asyncio-bench" db-roundtrip -check >/dev/null 2>"$BIN/check.err"
      case $? in
      0) ok=1 ;;
      3) WHY_NOT[$1]="$(tail -n 1 "$BIN/check.err")" ;;
      *) WHY_NOT[$1]="asyncio-bench has no db modes yet (cmd/asyncio-bench)" ;;
      esac ;;
    # The jobs peers need their broker listening (and Celery's, Redis for
    # the completion count).
    celery-redis)
      WHY_NOT[$1]="needs python3-celery and python3-redis (bench/run.sh install) and Redis at $REDIS_URL"
      $SYSPY -c 'import celery, redis' 2>/dev/null && [[ -n $(url_pid "$REDIS_URL" 6379) ]] && ok=1 ;;
    celery-amqp)
      WHY_NOT[$1]="needs python3-celery, python3-amqp, python3-redis (bench/run.sh install), RabbitMQ at $AMQP_URL and Redis at $REDIS_URL"
      $SYSPY -c 'import celery, amqp, redis' 2>/dev/null && [[ -n $(url_pid "$AMQP_URL" 5672) && -n $(url_pid "$REDIS_URL" 6379) ]] && ok=1 ;;
    arq)
      WHY_NOT[$1]="not installable: not in Debian (no python3-arq), and PyPI is not reachable"
      $SYSPY -c 'import arq' 2>/dev/null && WHY_NOT[$1]="arq is importable, but there is no arq peer yet (bench/peers)" ;;
    gojobs)
      WHY_NOT[$1]="needs bench/peers/gojobs built (bench/run.sh install) and NATS with JetStream at $NATS_URL"
      [[ -x $BIN/gojobs && -n $(url_pid "$NATS_URL" 4222) ]] && ok=1 ;;
    # As goasyncio-db: status 3 is a build without the mode (not Linux).
    goasyncio-jobs)
      "$BIN/asyncio-bench" jobs -check -url "$NATS_URL" >/dev/null 2>"$BIN/check.err"
      case $? in
      0) [[ -n $(url_pid "$NATS_URL" 4222) ]] && ok=1 || WHY_NOT[$1]="needs NATS with JetStream at $NATS_URL" ;;
      3) WHY_NOT[$1]="$(tail -n 1 "$BIN/check.err")" ;;
      *) WHY_NOT[$1]="needs NATS with JetStream at $NATS_URL ($(tail -n 1 "$BIN/check.err"))" ;;
      esac ;;
    esac
    RUNNABLE[$1]=$ok
  fi
  ((RUNNABLE[$1]))
}

# url_pid URL DEFAULT_PORT: the id of the process listening on the URL's
# port on this machine (ss), or nothing.
url_pid() {
  local port=$1
  port=${port#*://} port=${port#*@} port=${port%%/*}
  [[ $port == *:* ]] && port=${port##*:} || port=$2
  ss -Hltnp "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2
}

# selected NAME: named on the command line (or none named) and matching PEERS.
selected() {
  if ((${#WANT[@]})) && [[ " ${WANT[*]} " != *" $1 "* ]]; then return 1; fi
  [[ -z $PEERS || $1 =~ $PEERS ]]
}

# fill TEMPLATE VARS: replaces each {key} by its value in VARS
# ("key=value;key=value"; values may hold spaces).
fill() {
  local s=$1 kv
  local -a kvs
  IFS=';' read -r -a kvs <<<"$2"
  for kv in "${kvs[@]}"; do s=${s//\{${kv%%=*}\}/${kv#*=}}; done
  s=${s//\$BIN/$BIN}
  printf '%s' "$s"
}

# pointvar VARS KEY: the value of KEY in VARS, or "".
pointvar() {
  local kv
  local -a kvs
  IFS=';' read -r -a kvs <<<"$1"
  for kv in "${kvs[@]}"; do [[ ${kv%%=*} == "$2" ]] && { printf '%s' "${kv#*=}"; return; }; done
}

json_str() { $SYSPY -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$1"; }

# record POINT PEER ROUND JSON [MAXRSS_KB]
record() {
  printf '{"workload":"%s","point":%s,"peer":"%s","round":%d,"data":%s,"maxrss_kb":%s}\n' \
    "$WORKLOAD" "$(json_str "$1")" "$2" "$3" "$4" "${5:-null}" >>"$RAW"
}

# ------------------------------------------------------------------ micro

# measure POINT PEER ROUND CMD: one process, pinned (PIN), under /usr/bin/time.
PIN=(taskset -c "$MICRO_CPU")
measure() {
  local point=$1 peer=$2 round=$3 argv out rss
  read -r -a argv <<<"$4"
  out=$(/usr/bin/time -f '%M' -o "$BIN/rss" timeout "$TIMEOUT" "${PIN[@]}" "${argv[@]}" 2>"$BIN/err" | tail -n 1)
  rss=$(tail -n 1 "$BIN/rss" 2>/dev/null)
  if [[ ${out:0:1} != "{" ]]; then
    log "  $peer, $point: failed: $(tail -n 2 "$BIN/err" | tr '\n' ' ')"
    return
  fi
  [[ $rss =~ ^[0-9]+$ ]] || rss=null
  record "$point" "$peer" "$round" "$out" "$rss"
  log "  $point $peer: $(cut -c1-110 <<<"$out")"
}

run_micro() {
  local r pt pname vars pvars spec name kind cmd only n w op py
  for ((r = 1; r <= ROUNDS; r++)); do
    log "round $r/$ROUNDS"
    for pt in "${POINTS[@]}"; do
      pname=${pt%%|*} vars=${pt#*|}
      only=$(pointvar "$vars" peers)
      for spec in "${PEER_LIST[@]}"; do
        IFS='|' read -r name kind cmd <<<"$spec"
        [[ -z $only || $name =~ $only ]] || continue
        pvars=$vars
        if [[ $WORKLOAD == handoff ]]; then
          # The Python peers are 10-50 times slower: fewer ops keep their
          # runs short, and ns per op does not depend on the count. The
          # warm-up lets Node's JIT compile (it changes its figures 2-3x).
          py=0; [[ $kind == py || $kind == uvloop || $kind == trio ]] && py=1
          op=$(pointvar "$vars" op)
          if [[ $op == tothread ]]; then
            n=$TOTHREAD_N; ((py)) && n=$TOTHREAD_N_PY
          else
            n=$HANDOFF_N; ((py)) && n=$HANDOFF_N_PY
          fi
          w=$((n / 5))
          pvars="op=$op;n=$n;warmup=$w"
        fi
        measure "$pname" "$name" "$r" "$(fill "$cmd" "$pvars")"
      done
    done
  done
}

# ------------------------------------------------------------------ servers

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
NEXT_PORT=24000
SERVER_PIDS=()

# start_server NAME CMD [CPUS] -> SRV_PID, SRV_PORT (pinned to CPUS, by
# default MICRO_CPU; a command may pin itself again to {cpus2}, both cores)
start_server() {
  local name=$1 argv i
  NEXT_PORT=$((NEXT_PORT + 1))
  while ! port_free "$NEXT_PORT"; do NEXT_PORT=$((NEXT_PORT + 1)); done
  SRV_PORT=$NEXT_PORT
  read -r -a argv <<<"$(fill "$2" "port=$SRV_PORT;cpus2=$MICRO_CPU,$LOAD_CPU")"
  taskset -c "${3:-$MICRO_CPU}" "${argv[@]}" >"$BIN/$name.log" 2>&1 &
  SRV_PID=$!
  SERVER_PIDS+=("$SRV_PID")
  for i in $(seq 200); do
    port_free "$SRV_PORT" || { sleep 0.2; return 0; }
    kill -0 "$SRV_PID" 2>/dev/null || break
    sleep 0.1
  done
  log "server $name did not come up: $(tail -n 3 "$BIN/$name.log" | tr '\n' ' ')"
  stop_server "$SRV_PID"
  return 1
}

# stop_server PID: SIGTERM, then SIGKILL after 5 s.
stop_server() {
  local i
  kill -TERM "$1" 2>/dev/null
  for i in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null
  wait "$1" 2>/dev/null
}

run_echo() {
  local spec name kind cmd i pt pname vars r out load=load
  local names=() pids=() ports=()
  [[ $WORKLOAD == ws-echo ]] && load=ws-load
  for spec in "${PEER_LIST[@]}"; do
    IFS='|' read -r name kind cmd <<<"$spec"
    start_server "$name" "$cmd" || continue
    names+=("$name") pids+=("$SRV_PID") ports+=("$SRV_PORT")
  done
  for pt in "${POINTS[@]}"; do
    pname=${pt%%|*} vars=${pt#*|}
    for ((r = 1; r <= ROUNDS; r++)); do
      log "$pname, round $r/$ROUNDS"
      for i in "${!names[@]}"; do
        out=$(timeout 120 taskset -c "$LOAD_CPU" "$BIN/asyncio-bench" "$load" -addr "127.0.0.1:${ports[i]}" \
          -c "$(pointvar "$vars" c)" -size "$(pointvar "$vars" size)" -warmtime "$WARMTIME" -duration "$DURATION" \
          -pid "${pids[i]}" 2>"$BIN/err" | tail -n 1)
        if [[ ${out:0:1} != "{" ]]; then
          log "  ${names[i]}: failed: $(tail -n 2 "$BIN/err" | tr '\n' ' ')"
          continue
        fi
        record "$pname" "${names[i]}" "$r" "$out"
        log "  ${names[i]}: $(cut -c1-120 <<<"$out")"
      done
    done
  done
  for i in "${pids[@]}"; do stop_server "$i"; done
}

run_idle() {
  local spec name kind cmd r out n proto=tcp
  [[ $WORKLOAD == http-idle-mem ]] && proto=http
  [[ $WORKLOAD == ws-idle-mem ]] && proto=ws
  n=$(pointvar "${POINTS[0]#*|}" n)
  ulimit -n "$(ulimit -Hn)" 2>/dev/null
  (($(ulimit -n) > n + 256)) || log "ulimit -n is $(ulimit -n): low for $n connections"
  for ((r = 1; r <= ROUNDS; r++)); do
    log "round $r/$ROUNDS"
    for spec in "${PEER_LIST[@]}"; do
      IFS='|' read -r name kind cmd <<<"$spec"
      start_server "$name" "$cmd" || continue
      out=$(timeout 180 taskset -c "$LOAD_CPU" "$BIN/asyncio-bench" idleclient -addr "127.0.0.1:$SRV_PORT" \
        -n "$n" -pid "$SRV_PID" -proto "$proto" 2>"$BIN/err" | tail -n 1)
      stop_server "$SRV_PID"
      if [[ ${out:0:1} != "{" ]]; then
        log "  $name: failed: $(tail -n 2 "$BIN/err" | tr '\n' ' ')"
        continue
      fi
      record "n=$n" "$name" "$r" "$out"
      log "  $name: $out"
    done
  done
}

# ------------------------------------------------------------------ http

# seconds DURATION: a Go duration (500ms, 2s, 1m) in seconds.
seconds() {
  awk -v d="$1" 'BEGIN { n = d + 0; if (d ~ /ms$/) n /= 1000; else if (d ~ /m$/) n *= 60; else if (d ~ /h$/) n *= 3600; print n }'
}

# wrk_secs DURATION: whole seconds for wrk -d, rounded up, at least 1.
wrk_secs() { awk -v s="$(seconds "$1")" 'BEGIN { n = int(s); if (n < s) n++; if (n < 1) n = 1; print n "s" }'; }

# proc_ticks PID: user + system CPU of PID in clock ticks (1/100 s); the
# command name in parentheses may hold spaces, so fields count from ')'.
proc_ticks() { local s; s=$(<"/proc/$1/stat") && awk '{ print $12 + $13 }' <<<"${s##*)}"; }

# response_size URL: "BODY+HEAD" bytes of one GET (curl), or "?".
response_size() {
  curl -s -o /dev/null -w '%{size_download}+%{size_header}' --max-time 10 "$1" 2>/dev/null || printf '?'
}

# api_answer URL: the status and size of api-server's answer to the
# workload's POST (curl), and whether its body, newlines aside, is the
# first server's.
API_FIRST=""
api_answer() {
  local body sum
  body=$(curl -s -X POST -H 'Content-Type: application/json' --data-binary @bench/peers/api_body.json \
    -w '\n%{http_code} %{size_download}+%{size_header}' --max-time 10 "$1" 2>/dev/null) || { printf 'failed'; return; }
  sum=$(sed '$d' <<<"$body" | tr -d '\n' | md5sum | cut -c1-8)
  [[ -n $API_FIRST ]] || API_FIRST=$sum
  printf 'status %s bytes (body+head), body %s' "$(tail -n 1 <<<"$body")" "$([[ $sum == "$API_FIRST" ]] && echo "the same as the first server's" || echo "DIFFERENT from the first server's")"
}

# wrk_run URL CONNS PID -> one JSON line: wrk's figures, its own CPU, and
# the server's CPU time over the run (from /proc/PID/stat). WRK_SCRIPT
# holds wrk's -s option for api-server, and nothing otherwise.
WRK_SCRIPT=()
wrk_run() {
  local url=$1 c=$2 pid=$3 txt t0 t1 w0 w1
  t0=$(proc_ticks "$pid") w0=$(date +%s%N)
  txt=$(/usr/bin/time -f 'WRKCPU %U %S' -o "$BIN/wrktime" timeout 300 taskset -c "$LOAD_CPU" \
    wrk -t1 -c"$c" -d"$(wrk_secs "$DURATION")" --latency "${WRK_SCRIPT[@]}" "$url" 2>&1)
  t1=$(proc_ticks "$pid") w1=$(date +%s%N)
  { printf '%s\n' "$txt"; cat "$BIN/wrktime"; } | awk -v c="$c" -v ticks="$((t1 - t0))" -v wall="$(((w1 - w0) / 1000))" '
    function us(v) { n = v + 0; if (v ~ /us$/) return n; if (v ~ /ms$/) return n * 1000; if (v ~ /s$/) return n * 1e6; return n }
    function secs(v) { n = v + 0; if (v ~ /ms,?$/) return n / 1000; if (v ~ /m,?$/) return n * 60; return n }
    $2 == "requests" && $3 == "in" { req = $1; sec = secs($4) }
    $1 == "50%" { p50 = us($2) }
    $1 == "99%" { p99 = us($2) }
    /Socket errors:/ { gsub(",", ""); errs += $4 + $6 + $8 + $10 }
    /Non-2xx or 3xx responses:/ { errs += $5 }
    $1 == "WRKCPU" { cpu = $2 + $3 }
    END {
      if (!req || !sec) { print "{}"; exit }
      printf "{\"conns\":%d,\"requests\":%d,\"seconds\":%.3f,\"rps\":%.1f,\"p50_us\":%.1f,\"p99_us\":%.1f,\"errors\":%d,", c, req, sec, req / sec, p50, p99, errs
      printf "\"wrk_cpu_pct\":%.1f,\"server_cpu_s\":%.2f,\"server_us_per_req\":%.2f,\"server_cpu_pct\":%.1f}\n", 100 * cpu / sec, ticks / 100, ticks / 100 / req * 1e6, ticks / (wall / 1e6)
    }'
  [[ -n $txt ]] && printf '%s\n' "$txt" >"$BIN/wrk.out"
}

run_http_server() {
  command -v wrk >/dev/null || die "needs wrk: bench/run.sh install"
  local spec name kind cmd i pt pname vars r out url path
  local names=() pids=() ports=()
  [[ $WORKLOAD == api-server ]] && WRK_SCRIPT=(-s bench/peers/api_post.lua)
  for spec in "${PEER_LIST[@]}"; do
    IFS='|' read -r name kind cmd <<<"$spec"
    start_server "$name" "$cmd" || continue
    names+=("$name") pids+=("$SRV_PID") ports+=("$SRV_PORT")
    if [[ $WORKLOAD == api-server ]]; then
      path=$(pointvar "${POINTS[0]#*|}" path)
      log "  $name POST $path: $(api_answer "http://127.0.0.1:$SRV_PORT$path")"
    else
      for path in / /json; do log "  $name GET $path: $(response_size "http://127.0.0.1:$SRV_PORT$path") bytes (body+head)"; done
    fi
  done
  ((${#names[@]})) || die "no server came up"
  for pt in "${POINTS[@]}"; do
    pname=${pt%%|*} vars=${pt#*|}
    for ((r = 1; r <= ROUNDS; r++)); do
      log "$pname, round $r/$ROUNDS"
      for i in "${!names[@]}"; do
        url="http://127.0.0.1:${ports[i]}$(pointvar "$vars" path)"
        if [[ $(seconds "$HTTP_WARMTIME") != 0 ]]; then
          timeout 120 taskset -c "$LOAD_CPU" wrk -t1 -c"$(pointvar "$vars" c)" -d"$(wrk_secs "$HTTP_WARMTIME")" "${WRK_SCRIPT[@]}" "$url" >/dev/null 2>&1
        fi
        out=$(wrk_run "$url" "$(pointvar "$vars" c)" "${pids[i]}")
        if [[ ${out:0:2} != '{"' ]]; then
          log "  ${names[i]}: failed: $(tail -n 2 "$BIN/wrk.out" 2>/dev/null | tr '\n' ' ')"
          continue
        fi
        record "$pname" "${names[i]}" "$r" "$out"
        log "  ${names[i]}: $(cut -c1-140 <<<"$out")"
      done
    done
  done
  for i in "${pids[@]}"; do stop_server "$i"; done
}

run_http_client() {
  local r pt pname vars spec name kind cmd url srv
  start_server http-client-server "\$BIN/gostd http -addr 127.0.0.1:{port}" "$LOAD_CPU" || die "the net/http server did not come up"
  srv=$SRV_PID url="http://127.0.0.1:$SRV_PORT/"
  log "  server: net/http on core $LOAD_CPU, pid $srv, $url: $(response_size "$url") bytes (body+head)"
  for ((r = 1; r <= ROUNDS; r++)); do
    log "round $r/$ROUNDS"
    for pt in "${POINTS[@]}"; do
      pname=${pt%%|*} vars=${pt#*|}
      for spec in "${PEER_LIST[@]}"; do
        IFS='|' read -r name kind cmd <<<"$spec"
        measure "$pname" "$name" "$r" "$(fill "$cmd" "$vars;url=$url;srvpid=$srv;warm=$HTTP_WARMTIME;dur=$DURATION;warm_s=$(seconds "$HTTP_WARMTIME");dur_s=$(seconds "$DURATION")")"
      done
    done
  done
  stop_server "$srv"
}

# ------------------------------------------------------------------ databases

# run_db: run_micro against the database (PostgreSQL answered at DB_URL:
# see DB_VERSIONS). db-sqlite's file is made once, before the first round,
# and every peer reads it ({file}).
run_db() {
  local file
  if [[ $WORKLOAD == db-sqlite ]]; then
    mkdir -p "$BIN/sqlite"
    file=$BIN/sqlite/bench.db
    $SYSPY bench/peers/db_sqlite_setup.py "$file" "$DB_SQLITE_ROWS" >&2 || die "db_sqlite_setup.py failed"
    local i
    for i in "${!POINTS[@]}"; do POINTS[i]="${POINTS[i]};file=$file"; done
  fi
  run_micro
}

# ------------------------------------------------------------------ jobs

# run_jobs: run_micro, not pinned (a driver, its workers and the broker
# share the cores), with the brokers' process ids in every point.
run_jobs() {
  local i ids
  ids="natspid=$(url_pid "$NATS_URL" 4222);redispid=$(url_pid "$REDIS_URL" 6379);amqppid=$(url_pid "$AMQP_URL" 5672)"
  log "broker processes: ${ids//;/, }"
  for i in "${!POINTS[@]}"; do POINTS[i]="${POINTS[i]};$ids"; done
  PIN=()
  run_micro
}

# ------------------------------------------------------------------ main

cleanup() {
  local p
  for p in "${SERVER_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
  [[ -n $BIN ]] && rm -rf "$BIN"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

case ${1:-} in
install) install; exit ;;
list)
  build
  for w in "${WORKLOADS[@]}"; do
    echo "$w: points: $(points_of "$w" | cut -d'|' -f1 | paste -sd, | sed 's/,/, /g')"
    while IFS='|' read -r name kind _; do
      if runnable "$kind"; then echo "    $name"; else echo "    $name (not runnable here: ${WHY_NOT[$kind]})"; fi
    done < <(peers_of "$w")
  done
  exit ;;
"" | -h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
esac

WORKLOAD=$1
shift
WANT=("$@")
[[ " ${WORKLOADS[*]} " == *" $WORKLOAD "* ]] || die "unknown workload $WORKLOAD (have: ${WORKLOADS[*]})"
for x in /usr/bin/time taskset timeout go; do command -v "$x" >/dev/null || die "needs $x: bench/run.sh install"; done

log "building"
build
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- . ':!bench/results' ':!*.md' 2>/dev/null || COMMIT="$COMMIT+changes"

for x in "${WANT[@]}"; do
  peers_of "$WORKLOAD" | cut -d'|' -f1 | grep -qxF -- "$x" || die "no peer $x in $WORKLOAD (bench/run.sh list)"
done
PEER_LIST=()
while IFS='|' read -r name kind cmd; do
  selected "$name" || continue
  if runnable "$kind"; then PEER_LIST+=("$name|$kind|$cmd"); else log "leaving out $name: ${WHY_NOT[$kind]}"; fi
done < <(peers_of "$WORKLOAD")
((${#PEER_LIST[@]})) || die "no peer to run"
POINT_RE=$POINTS
mapfile -t POINTS < <(points_of "$WORKLOAD" | while IFS= read -r pt; do [[ -z $POINT_RE || ${pt%%|*} =~ $POINT_RE ]] && echo "$pt"; done)
((${#POINTS[@]})) || die "no point of $WORKLOAD matches POINTS='$POINT_RE'"

# The database and jobs workloads add the drivers' versions and their knobs;
# api-server adds FastAPI's, uvicorn's and pydantic's.
DB_VERSIONS="" DB_KNOBS=""
if [[ $WORKLOAD == api-server ]]; then
  DB_VERSIONS="; $($SYSPY -c 'import fastapi, uvicorn, pydantic, httptools; print("fastapi %s; uvicorn %s; pydantic %s; httptools %s" % (fastapi.__version__, uvicorn.__version__, pydantic.VERSION, httptools.__version__))' 2>/dev/null || echo 'fastapi -')"
fi
if [[ $WORKLOAD == db-* ]]; then
  DB_VERSIONS="; asyncpg $($SYSPY -c 'import asyncpg; print(asyncpg.__version__)' 2>/dev/null || echo -); aiosqlite $($SYSPY -c 'import aiosqlite; print(aiosqlite.__version__)' 2>/dev/null || echo -)"
  [[ -x $BIN/godb ]] && DB_VERSIONS="$DB_VERSIONS; $(timeout 20 "$BIN/godb" versions -url "$DB_URL" 2>/dev/null)"
  [[ $WORKLOAD == db-sqlite || $DB_VERSIONS == *PostgreSQL* ]] ||
    die "PostgreSQL does not answer at DB_URL=$DB_URL (godb versions could not ask it for its version)"
  DB_KNOBS="DB_URL=$DB_URL DB_CONNS='$DB_CONNS' DB_POOL=$DB_POOL DB_FETCH_ROWS=$DB_FETCH_ROWS DB_COPY_ROWS=$DB_COPY_ROWS DB_SQLITE_ROWS=$DB_SQLITE_ROWS DB_SQLITE_CONNS='$DB_SQLITE_CONNS' DB_SQLITE_INSERTS=$DB_SQLITE_INSERTS DB_SQLITE_TX=$DB_SQLITE_TX"
fi

if [[ $WORKLOAD == jobs ]]; then
  DB_VERSIONS="; $($SYSPY bench/peers/jobs_celery.py versions 2>/dev/null || echo 'celery -'); redis-server $(redis-server --version 2>/dev/null | grep -o 'v=[0-9.]*' | cut -d= -f2); RabbitMQ $(dpkg-query -W -f='${Version}' rabbitmq-server 2>/dev/null || echo -)"
  [[ -x $BIN/gojobs ]] && DB_VERSIONS="$DB_VERSIONS; $(timeout 20 "$BIN/gojobs" versions -url "$NATS_URL" 2>/dev/null)"
  DB_KNOBS="JOBS_N=$JOBS_N JOBS_WORKERS='$JOBS_WORKERS' JOBS_CELERY_PREFETCH=$JOBS_CELERY_PREFETCH NATS_URL=$NATS_URL REDIS_URL=$REDIS_URL AMQP_URL=$AMQP_URL"
fi

STAMP=$(date -u +%Y-%m-%d_%H%M%S)
mkdir -p bench/results
RAW=bench/results/$STAMP-$WORKLOAD.jsonl
MD=bench/results/$STAMP-$WORKLOAD.md
: >"$RAW"
case $WORKLOAD in
echo | idle-mem) : "${REF:=uvloop-proto}" ;;
http-*) : "${REF:=gonethttp}" ;;
api-server) : "${REF:=goasyncio-hand}" ;;
ws-*) : "${REF:=gorilla}" ;;
db-sqlite) : "${REF:=aiosqlite-uvloop}" ;;
db-*) : "${REF:=asyncpg-uvloop}" ;;
jobs) : "${REF:=natsgo-hand}" ;;
*) : "${REF:=asyncio}" ;;
esac
{
  printf '{"workload":"%s","meta":{"commit":"%s","date":"%s","rounds":%d,"ref":"%s",' \
    "$WORKLOAD" "$COMMIT" "$(date -u '+%Y-%m-%d %H:%M UTC')" "$ROUNDS" "$REF"
  printf '"machine":%s,"versions":%s,"knobs":%s}}\n' \
    "$(json_str "nproc=$(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r), load average $(cut -d' ' -f1 /proc/loadavg) at the start")" \
    "$(json_str "$(go version | cut -d' ' -f3); $($SYSPY --version 2>&1); aiohttp $($SYSPY -c 'import aiohttp; print(aiohttp.__version__)' 2>/dev/null || echo -); uvloop $($SYSPY -c 'import uvloop; print(uvloop.__version__)' 2>/dev/null || echo -); trio $($SYSPY -c 'import trio; print(trio.__version__)' 2>/dev/null || echo -); node $(node --version 2>/dev/null || echo -); $(node bench/peers/ws_echo_node.js --check 2>/dev/null | cut -d' ' -f1-2 || echo ws -); $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)$DB_VERSIONS")" \
    "$(json_str "SWITCH_TOTAL=$SWITCH_TOTAL SPAWN_NS='$SPAWN_NS' CALLSOON_N=$CALLSOON_N TIMERS_N=$TIMERS_N HANDOFF_N=$HANDOFF_N HANDOFF_N_PY=$HANDOFF_N_PY ECHO_CONNS='$ECHO_CONNS' ECHO_SIZES='$ECHO_SIZES' DURATION=$DURATION WARMTIME=$WARMTIME IDLE_N=$IDLE_N HTTP_CONNS='$HTTP_CONNS' HTTP_PATHS='$HTTP_PATHS' HTTP_TASKS='$HTTP_TASKS' HTTP_WARMTIME=$HTTP_WARMTIME HTTP_IDLE_N=$HTTP_IDLE_N WS_CONNS='$WS_CONNS' WS_SIZES='$WS_SIZES' WS_IDLE_N=$WS_IDLE_N${DB_KNOBS:+ $DB_KNOBS} MICRO_CPU=$MICRO_CPU LOAD_CPU=$LOAD_CPU${PEERS:+ PEERS='$PEERS'}${POINT_RE:+ POINTS='$POINT_RE'}")"
} >>"$RAW"

log "$WORKLOAD: ${#POINTS[@]} point(s) x ${#PEER_LIST[@]} peer(s) x $ROUNDS round(s); raw lines in $RAW"
t0=$(date +%s)
case $WORKLOAD in
echo | ws-echo) run_echo ;;
idle-mem | http-idle-mem | ws-idle-mem) run_idle ;;
http-server | http-server-2core | api-server) run_http_server ;;
http-client | http-client-idle-mem) run_http_client ;;
db-*) run_db ;;
jobs) run_jobs ;;
*) run_micro ;;
esac
log "took $(($(date +%s) - t0)) s"
printf '{"workload":"%s","end":{"seconds":%d,"loadavg":"%s"}}\n' "$WORKLOAD" "$(($(date +%s) - t0))" "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RAW"
$SYSPY bench/report.py "$RAW" | tee "$MD"
log "wrote $MD"
