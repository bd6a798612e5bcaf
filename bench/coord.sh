#!/usr/bin/env bash
# Coordination primitives side by side: Lock / Semaphore / Event hand-offs
# between two tasks, queues, and to-thread round trips, for this library
# (cmd/asyncio-bench) and its peers (bench/peers: asyncio, uvloop, trio,
# Node, plain Go). Every program runs the same workloads; their semantics
# are documented in bench/peers/coord_asyncio.py and cmd/asyncio-bench/coord.go.
#
#   bench/coord.sh                    # from the project's root or anywhere; ~3 min
#   REPEATS=3 bench/coord.sh          # fewer rounds
#   PEERS='asyncio$|goasyncio' POINTS='lock|tothread' bench/coord.sh
#
# Method: every measurement is its own process, pinned to one core
# (taskset -c $CPU; Go then runs with GOMAXPROCS=1, like the single-threaded
# loops). Each program first runs the workload untimed with --warmup ops,
# then timed with --n ops, and prints one JSON line (ns_per_op). Rounds loop
# point → peer, so the peers of one point are measured seconds apart; the
# table gives per cell the median over the rounds, "±" half the min–max
# range over the median, and "×" the ratio asyncio/peer computed inside
# each round, then the median (>1 = faster than asyncio).
#
# The fast peers (Node, Go, this library) run 10× more ops than the Python
# ones, so that each measurement lasts long enough and Node's JIT is warm;
# ns per op does not depend on N otherwise.
#
# Output: the markdown to stdout and to bench/results/<stamp>-coord.md, the
# raw JSON lines (one per measurement) to bench/results/<stamp>-coord.jsonl.
# bench/coord_report.py renders the markdown from the raw file again.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

REPEATS=${REPEATS:-7}
CPU=${CPU:-1}
PEERS=${PEERS:-.}               # regex over peer names
POINTS=${POINTS:-.}             # regex over point names
N_SLOW=${N_SLOW:-50000}         # ops per measurement, Python peers
WARM_SLOW=${WARM_SLOW:-10000}
N_FAST=${N_FAST:-500000}        # ops per measurement, Node / Go / this library
WARM_FAST=${WARM_FAST:-200000}
TT_SLOW=${TT_SLOW:-5000}        # tothread round trips, Python peers
TT_WARM_SLOW=${TT_WARM_SLOW:-1000}
TT_FAST=${TT_FAST:-20000}       # tothread round trips, the others
TT_WARM_FAST=${TT_WARM_FAST:-5000}
TIMEOUT=${TIMEOUT:-120}         # seconds per measurement
SYSPY=${SYSPY:-/usr/bin/python3} # Debian's python3: asyncio and uvloop
PY=${PY:-python3}               # the python3 on PATH (pyenv): asyncio and trio

STAMP=$(date -u +%Y-%m-%d_%H%M%S)
OUTDIR=${OUTDIR:-bench/results}
mkdir -p "$OUTDIR"
RAW="$OUTDIR/$STAMP-coord.jsonl"
MD="$OUTDIR/$STAMP-coord.md"
BIN=$(mktemp -d)
trap 'rm -rf "$BIN"' EXIT

log() { echo "coord.sh: $*" >&2; }

log "building"
# The library as built (the work tree may change while the run goes on).
COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- . 2>/dev/null || echo ' + uncommitted changes in the work tree')"
go build -o "$BIN/asyncio-bench" ./cmd/asyncio-bench || { log "build of cmd/asyncio-bench failed"; exit 1; }
(cd bench/peers/coordgo && go build -o "$BIN/coordgo" .) || { log "build of bench/peers/coordgo failed"; exit 1; }
BUILT=$(date -u '+%H:%M:%S UTC')

# Points: "name|arguments|kind". kind: slow/fast sizes come from
# N_*/WARM_* (op) or TT_* (tothread).
ALL_POINTS=(
  "lock|handoff --prim lock|op"
  "semaphore|handoff --prim semaphore|op"
  "event|handoff --prim event|op"
  "queue 1/1 max=1|queue --producers 1 --consumers 1 --maxsize 1|op"
  "queue 1/1 unbounded|queue --producers 1 --consumers 1 --maxsize 0|op"
  "queue 1/1 max=100|queue --producers 1 --consumers 1 --maxsize 100|op"
  "queue 10/10 max=100|queue --producers 10 --consumers 10 --maxsize 100|op"
  "tothread|tothread|tt"
)

# Peers: "name|speed|command prefix|points it has (regex)". The first is the
# reference for ×.
ALL_PEERS=(
  "asyncio|slow|$SYSPY bench/peers/coord_asyncio.py --loop asyncio|."
  "asyncio-pyenv|slow|$PY bench/peers/coord_asyncio.py --loop asyncio|."
  "uvloop|slow|$SYSPY bench/peers/coord_asyncio.py --loop uvloop|."
  "trio-pyenv|slow|$PY bench/peers/coord_trio.py|."
  "node|fast|node bench/peers/coord_node.js|."
  "go-chan|fast|$BIN/coordgo -impl chan|."
  "go-sync|fast|$BIN/coordgo -impl sync|^(lock|event)$"
  "goasyncio|fast|$BIN/asyncio-bench|."
)

# Leave out the peers whose runtime or module is missing.
PEER_LIST=()
for p in "${ALL_PEERS[@]}"; do
  IFS='|' read -r name speed cmd have <<<"$p"
  [[ $name =~ $PEERS ]] || continue
  case $name in
    asyncio|goasyncio|go-*) ok=1 ;;
    asyncio-pyenv) $PY -c 'import asyncio' 2>/dev/null && ok=1 || ok=0 ;;
    uvloop) $SYSPY -c 'import uvloop' 2>/dev/null && ok=1 || ok=0 ;;
    trio-pyenv) $PY -c 'import trio' 2>/dev/null && ok=1 || ok=0 ;;
    node) command -v node >/dev/null && ok=1 || ok=0 ;;
  esac
  if [[ $name == asyncio ]] && ! $SYSPY -c 'import asyncio' 2>/dev/null; then ok=0; fi
  if (( ok )); then PEER_LIST+=("$p"); else log "skipping $name (not installed)"; fi
done
POINT_LIST=()
for pt in "${ALL_POINTS[@]}"; do
  IFS='|' read -r pname _ _ <<<"$pt"
  [[ $pname =~ $POINTS ]] && POINT_LIST+=("$pt")
done

json_str() { python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$1"; }

t_start=$(date +%s)
for ((r = 1; r <= REPEATS; r++)); do
  log "round $r/$REPEATS"
  for pt in "${POINT_LIST[@]}"; do
    IFS='|' read -r pname pargs pkind <<<"$pt"
    for p in "${PEER_LIST[@]}"; do
      IFS='|' read -r name speed cmd have <<<"$p"
      [[ $pname =~ $have ]] || continue
      if [[ $pkind == tt ]]; then
        if [[ $speed == slow ]]; then n=$TT_SLOW; w=$TT_WARM_SLOW; else n=$TT_FAST; w=$TT_WARM_FAST; fi
      else
        if [[ $speed == slow ]]; then n=$N_SLOW; w=$WARM_SLOW; else n=$N_FAST; w=$WARM_FAST; fi
      fi
      # shellcheck disable=SC2086 # the command and the arguments are split on spaces
      line=$(timeout "$TIMEOUT" taskset -c "$CPU" $cmd $pargs --n "$n" --warmup "$w" 2>"$BIN/err" | tail -n 1)
      if [[ ${line:0:1} != "{" ]]; then
        log "$name / $pname failed: $(tail -n 3 "$BIN/err" | tr '\n' ' ')"
        continue
      fi
      echo "{\"round\":$r,\"peer\":$(json_str "$name"),\"point\":$(json_str "$pname"),\"result\":$line}" >>"$RAW"
    done
  done
done
elapsed=$(( $(date +%s) - t_start ))

{
  echo "# Coordination primitives, side by side — $(date -u '+%Y-%m-%d %H:%M:%S') UTC"
  echo
  echo "**Machine:** nproc=$(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r).  "
  echo "**Library:** built at $BUILT from commit $COMMIT.  "
  echo "**Pinning:** every measurement pinned with \`taskset -c $CPU\` (Go: GOMAXPROCS=1).  "
  echo "**Knobs:** \`REPEATS=$REPEATS N_SLOW=$N_SLOW WARM_SLOW=$WARM_SLOW N_FAST=$N_FAST WARM_FAST=$WARM_FAST TT_SLOW=$TT_SLOW TT_FAST=$TT_FAST\`; elapsed ${elapsed} s.  "
  echo "**Versions:** $($SYSPY --version 2>&1) (Debian: asyncio, uvloop $($SYSPY -c 'import uvloop; print(uvloop.__version__)' 2>/dev/null)); $($PY --version 2>&1) (pyenv: asyncio-pyenv, trio $($PY -c 'import trio; print(trio.__version__)' 2>/dev/null)); node $(node --version 2>/dev/null); $(go version | cut -d' ' -f3-4)."
  echo
  python3 bench/coord_report.py "$RAW"
  echo
  echo "Raw results: \`$RAW\`."
} | tee "$MD"
