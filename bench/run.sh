#!/usr/bin/env bash
# The benchmarks of BENCHMARKS.md, from this repository alone: this
# library (cmd/asyncio-bench) against the runtimes a user would otherwise
# pick — Python's asyncio, uvloop and trio, Node.js, plain Go, and the Go
# event-loop libraries gnet and nbio — on the same workloads, in the same
# run, on the same machine. The peer programs are in bench/peers.
#
#   bench/run.sh install                  # once per machine (root): Debian packages, Go modules of the peers
#   bench/run.sh list                     # workloads, their points, the peers and whether each is runnable
#   bench/run.sh WORKLOAD [PEER...]       # run one workload against the named peers (default: all)
#   bench/run.sh switch asyncio uvloop goasyncio
#   ROUNDS=3 ECHO_CONNS=100 ECHO_SIZES=64 bench/run.sh echo
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
#
# Knobs (environment), with their defaults:
#   ROUNDS=5            rounds; every peer runs once per point per round
#   SWITCH_TOTAL=1000000 SPAWN_NS=100000 CALLSOON_N=1000000 TIMERS_N=1000000 TIMERS_MAXMS=1000
#   HANDOFF_N_PY=50000 HANDOFF_N=500000  ops per handoff measurement (Python peers / the others)
#   TOTHREAD_N_PY=5000 TOTHREAD_N=20000  the same for the to-thread round trips
#   ECHO_CONNS='1 100 1000' ECHO_SIZES='64 4096' DURATION=2s WARMTIME=500ms
#   IDLE_N=10000  PROC_SPAWN_N=500 PROC_PIPE_MIB=1024 FILE_MIB=512
#   MICRO_CPU=1   core every micro-benchmark and every server runs on
#   LOAD_CPU=0    core of the load generator (echo, idle-mem)
#   PEERS=REGEX   only the peers whose name matches (and, if peers are named, among them)
#   POINTS=REGEX  only the points whose name matches (bench/run.sh list shows them)
#   REF=NAME      the peer the ratios are taken against (default: asyncio;
#                 uvloop-proto for echo and idle-mem)
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
APT_PACKAGES=(python3 python3-uvloop python3-trio nodejs time util-linux)

: "${ROUNDS:=5}"
: "${SWITCH_TOTAL:=1000000}" "${SPAWN_NS:=100000}" "${CALLSOON_N:=1000000}"
: "${TIMERS_N:=1000000}" "${TIMERS_MAXMS:=1000}"
: "${HANDOFF_N_PY:=50000}" "${HANDOFF_N:=500000}"
: "${TOTHREAD_N_PY:=5000}" "${TOTHREAD_N:=20000}"
: "${ECHO_CONNS:=1 100 1000}" "${ECHO_SIZES:=64 4096}" "${DURATION:=2s}" "${WARMTIME:=500ms}"
: "${IDLE_N:=10000}" "${PROC_SPAWN_N:=500}" "${PROC_PIPE_MIB:=1024}" "${FILE_MIB:=512}"
: "${MICRO_CPU:=1}" "${LOAD_CPU:=0}" "${PEERS:=}" "${POINTS:=}" "${REF:=}" "${TIMEOUT:=300}"

WORKLOADS=(switch spawn callsoon timers handoff echo idle-mem proc)

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
  command -v go >/dev/null || die "needs Go (go.mod says which version)"
  log "Go modules of the peers"
  (cd bench/peers/goevloop && go mod download) || die "go mod download failed in bench/peers/goevloop"
  build && log "installed; bench/run.sh list shows what can run"
}

# ------------------------------------------------------------------ build

BIN=""
build() {
  BIN=$(mktemp -d /tmp/asyncio-bench.XXXXXX)
  go build -o "$BIN/asyncio-bench" ./cmd/asyncio-bench || die "build of cmd/asyncio-bench failed"
  (cd bench/peers/gostd && go build -o "$BIN/gostd" .) || die "build of bench/peers/gostd failed"
  (cd bench/peers/goevloop && go build -o "$BIN/goevloop" .) ||
    log "build of bench/peers/goevloop failed (bench/run.sh install?): gnet and nbio are left out"
}

# ------------------------------------------------------------------ peers
# A peer is "name|kind|command". kind says what the peer needs (py, uvloop,
# trio, node, go) and, for handoff, which sizes it gets (py: the Python
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
  esac
}

# runnable KIND: whether this machine has what a peer of that kind needs.
declare -A RUNNABLE
runnable() {
  if [[ -z ${RUNNABLE[$1]:-} ]]; then
    local ok=0
    case $1 in
    py) $SYSPY -c 'import asyncio' 2>/dev/null && ok=1 ;;
    uvloop) $SYSPY -c 'import uvloop' 2>/dev/null && ok=1 ;;
    trio) $SYSPY -c 'import trio' 2>/dev/null && ok=1 ;;
    node) command -v node >/dev/null && ok=1 ;;
    go) ok=1 ;;
    goevloop) [[ -x $BIN/goevloop ]] && ok=1 ;;
    esac
    RUNNABLE[$1]=$ok
  fi
  ((RUNNABLE[$1]))
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

# measure POINT PEER ROUND CMD: one process, pinned, under /usr/bin/time.
measure() {
  local point=$1 peer=$2 round=$3 argv out rss
  read -r -a argv <<<"$4"
  out=$(/usr/bin/time -f '%M' -o "$BIN/rss" timeout "$TIMEOUT" taskset -c "$MICRO_CPU" "${argv[@]}" 2>"$BIN/err" | tail -n 1)
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

# start_server NAME CMD -> SRV_PID, SRV_PORT (pinned to MICRO_CPU)
start_server() {
  local name=$1 argv i
  NEXT_PORT=$((NEXT_PORT + 1))
  while ! port_free "$NEXT_PORT"; do NEXT_PORT=$((NEXT_PORT + 1)); done
  SRV_PORT=$NEXT_PORT
  read -r -a argv <<<"$(fill "$2" "port=$SRV_PORT")"
  taskset -c "$MICRO_CPU" "${argv[@]}" >"$BIN/$name.log" 2>&1 &
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
  local spec name kind cmd i pt pname vars r out
  local names=() pids=() ports=()
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
        out=$(timeout 120 taskset -c "$LOAD_CPU" "$BIN/asyncio-bench" load -addr "127.0.0.1:${ports[i]}" \
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
  local spec name kind cmd r out n
  n=$(pointvar "${POINTS[0]#*|}" n)
  ulimit -n "$(ulimit -Hn)" 2>/dev/null
  (($(ulimit -n) > n + 256)) || log "ulimit -n is $(ulimit -n): low for $n connections"
  for ((r = 1; r <= ROUNDS; r++)); do
    log "round $r/$ROUNDS"
    for spec in "${PEER_LIST[@]}"; do
      IFS='|' read -r name kind cmd <<<"$spec"
      start_server "$name" "$cmd" || continue
      out=$(timeout 180 taskset -c "$LOAD_CPU" "$BIN/asyncio-bench" idleclient -addr "127.0.0.1:$SRV_PORT" \
        -n "$n" -pid "$SRV_PID" 2>"$BIN/err" | tail -n 1)
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
      if runnable "$kind"; then echo "    $name"; else echo "    $name (not runnable here: bench/run.sh install)"; fi
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
  if runnable "$kind"; then PEER_LIST+=("$name|$kind|$cmd"); else log "leaving out $name: not installed (bench/run.sh install)"; fi
done < <(peers_of "$WORKLOAD")
((${#PEER_LIST[@]})) || die "no peer to run"
POINT_RE=$POINTS
mapfile -t POINTS < <(points_of "$WORKLOAD" | while IFS= read -r pt; do [[ -z $POINT_RE || ${pt%%|*} =~ $POINT_RE ]] && echo "$pt"; done)
((${#POINTS[@]})) || die "no point of $WORKLOAD matches POINTS='$POINT_RE'"

STAMP=$(date -u +%Y-%m-%d_%H%M%S)
mkdir -p bench/results
RAW=bench/results/$STAMP-$WORKLOAD.jsonl
MD=bench/results/$STAMP-$WORKLOAD.md
: >"$RAW"
case $WORKLOAD in
echo | idle-mem) : "${REF:=uvloop-proto}" ;;
*) : "${REF:=asyncio}" ;;
esac
{
  printf '{"workload":"%s","meta":{"commit":"%s","date":"%s","rounds":%d,"ref":"%s",' \
    "$WORKLOAD" "$COMMIT" "$(date -u '+%Y-%m-%d %H:%M UTC')" "$ROUNDS" "$REF"
  printf '"machine":%s,"versions":%s,"knobs":%s}}\n' \
    "$(json_str "nproc=$(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r), load average $(cut -d' ' -f1 /proc/loadavg) at the start")" \
    "$(json_str "$(go version | cut -d' ' -f3); $($SYSPY --version 2>&1); uvloop $($SYSPY -c 'import uvloop; print(uvloop.__version__)' 2>/dev/null || echo -); trio $($SYSPY -c 'import trio; print(trio.__version__)' 2>/dev/null || echo -); node $(node --version 2>/dev/null || echo -)")" \
    "$(json_str "SWITCH_TOTAL=$SWITCH_TOTAL SPAWN_NS='$SPAWN_NS' CALLSOON_N=$CALLSOON_N TIMERS_N=$TIMERS_N HANDOFF_N=$HANDOFF_N HANDOFF_N_PY=$HANDOFF_N_PY ECHO_CONNS='$ECHO_CONNS' ECHO_SIZES='$ECHO_SIZES' DURATION=$DURATION WARMTIME=$WARMTIME IDLE_N=$IDLE_N MICRO_CPU=$MICRO_CPU LOAD_CPU=$LOAD_CPU${PEERS:+ PEERS='$PEERS'}${POINT_RE:+ POINTS='$POINT_RE'}")"
} >>"$RAW"

log "$WORKLOAD: ${#POINTS[@]} point(s) x ${#PEER_LIST[@]} peer(s) x $ROUNDS round(s); raw lines in $RAW"
t0=$(date +%s)
case $WORKLOAD in
echo) run_echo ;;
idle-mem) run_idle ;;
*) run_micro ;;
esac
log "took $(($(date +%s) - t0)) s"
printf '{"workload":"%s","end":{"seconds":%d,"loadavg":"%s"}}\n' "$WORKLOAD" "$(($(date +%s) - t0))" "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RAW"
$SYSPY bench/report.py "$RAW" | tee "$MD"
log "wrote $MD"
