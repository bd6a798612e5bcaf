#!/usr/bin/env bash
# The network acceptance measurement in one command: the harness's tcp-echo
# and idle-conns workloads (../shared/peers/run.sh) with every echo peer —
# asyncio and uvloop (streams and protocol), trio, Node, Go net, gnet, nbio —
# and this library with both APIs (goasyncio-streams, goasyncio-proto,
# added by bench/peers.sh), then a table of our figures against uvloop-proto
# and the best peer (bench/net_report.py).
#
#   bench/net.sh                         # full run, ~20 min (see below)
#   QUICK=1 bench/net.sh                 # smoke run, ~2 min: C=1,100, 1 s, 1 round, 1,000 idle conns
#   GOASYNCIO_PORTABLE=1 bench/net.sh    # also the portable I/O backend (+2 peers, ~+3.5 min)
#   ECHO_CONNS='100 1000' ECHO_SIZES=64 NET_REPEATS=3 bench/net.sh   # fewer points
#   PEERS='uvloop-proto|goasyncio' bench/net.sh                      # fewer peers (regex)
#
# Knobs (environment; the harness's own, with this measurement's defaults):
#   ECHO_CONNS='1 100 1000'  ECHO_SIZES='64 4096'  NET_REPEATS=5 (tcp-echo rounds)
#   IDLE_N=10000  IDLE_REPEATS=3  DURATION=2  WARMUP=0.5  PEERS=<regex>
#   HARNESS=../shared/peers (the harness's folder)
#
# Method: the harness's (see its README): servers pinned to one core, the
# load generator to the other; tcp-echo loops point → round → peer, so the
# peers of one point are measured seconds apart, and ratios are taken
# inside each round. Server CPU per round trip is derived from loadgen's
# server CPU % and the round trips/s.
#
# Run time: each tcp-echo measurement takes WARMUP + DURATION + about 0.4 s,
# so ≈ 2.9 s × points (6) × NET_REPEATS (5) × peers (11) ≈ 16 min; one
# idle-conns measurement at 10,000 connections takes about 6 s (start,
# warm-up, two 1.5 s settles, stop), × 11 peers × IDLE_REPEATS (3) ≈ 3.3 min;
# plus building and starting the servers: ≈ 20 min in all (≈ 23.5 min with
# GOASYNCIO_PORTABLE=1). The script prints its own estimate first; the QUICK
# smoke run took 2 min 7 s against 2 min 25 s estimated.
#
# Output: the harness's table and raw files (its results/), copied with the
# report here: bench/results/<stamp>-net.md (our report, also printed),
# -net.jsonl (raw, one JSON line per measurement), -net.meta.json,
# -net-harness.md (the harness's own tables, ×s against asyncio-streams).
# python3 bench/net_report.py RAW META re-renders the report.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
HARNESS=${HARNESS:-$ROOT/../shared/peers}
[[ -x "$HARNESS/run.sh" ]] || { echo "net.sh: no harness at $HARNESS (set HARNESS)" >&2; exit 1; }

if [[ "${QUICK:-0}" == 1 ]]; then
  : "${ECHO_CONNS:=1 100}" "${NET_REPEATS:=1}" "${IDLE_N:=1000}" "${IDLE_REPEATS:=1}"
fi
: "${ECHO_CONNS:=1 100 1000}" "${ECHO_SIZES:=64 4096}" "${NET_REPEATS:=5}"
: "${IDLE_N:=10000}" "${IDLE_REPEATS:=3}"
export ECHO_CONNS ECHO_SIZES NET_REPEATS IDLE_N IDLE_REPEATS

log() { echo "net.sh: $*" >&2; }

# Estimate (11 peers; 13 with the portable backend; fewer with PEERS).
npeers=11; [[ "${GOASYNCIO_PORTABLE:-0}" == 1 ]] && npeers=13
npoints=$(( $(wc -w <<<"$ECHO_CONNS") * $(wc -w <<<"$ECHO_SIZES") ))
dur=${DURATION:-2}; warm=${WARMUP:-0.5}; [[ "${QUICK:-0}" == 1 ]] && dur=${DURATION:-1}
est=$(awk -v p="$npoints" -v r="$NET_REPEATS" -v n="$npeers" -v d="$dur" -v w="$warm" \
          -v ir="$IDLE_REPEATS" -v ni="$IDLE_N" \
          'BEGIN { printf "%.0f", p * r * n * (d + w + 0.4) + ir * n * (3.5 + ni / 4000) + n + 20 }')
log "estimated run time ~$(( est / 60 )) min $(( est % 60 )) s (${npoints} echo points × ${NET_REPEATS} rounds × ${npeers} peers${PEERS:+, fewer with PEERS='$PEERS'})"

COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- . 2>/dev/null || echo ' + uncommitted changes in the work tree')"
OUTDIR=${OUTDIR:-bench/results}
mkdir -p "$OUTDIR"
ERR=$(mktemp /tmp/net-sh.XXXXXX)
trap 'rm -f "$ERR"' EXIT

t0=$(date +%s)
# The harness prints its table on stdout (kept in -net-harness.md) and its
# progress on stderr (shown, and scanned for the names of its files).
{ EXTRA_PEERS=bench/peers.sh "$HARNESS/run.sh" tcp-echo idle-conns 2>&1 >/dev/null; } | tee "$ERR" >&2
rc=${PIPESTATUS[0]}
elapsed=$(( $(date +%s) - t0 ))
line=$(grep -o 'wrote results/[^ ]*\.md and results/raw/[^ ]*\.jsonl' "$ERR" | tail -1)
if [[ -z "$line" ]]; then
  log "the harness did not finish (rc=$rc); its progress is above"
  exit 1
fi
hmd="$HARNESS/${line#wrote }"; hmd=${hmd%% and *}
raw="$HARNESS/${line##* and }"
meta=${raw%.jsonl}.meta.json
stamp=$(basename "$raw" .jsonl)
cp "$raw" "$OUTDIR/$stamp-net.jsonl"
cp "$meta" "$OUTDIR/$stamp-net.meta.json"
cp "$hmd" "$OUTDIR/$stamp-net-harness.md"
python3 bench/net_report.py "$OUTDIR/$stamp-net.jsonl" "$OUTDIR/$stamp-net.meta.json" \
  --note "**Library:** commit $COMMIT; bench/net.sh took $((elapsed / 60)) min $((elapsed % 60)) s (estimated $((est / 60)) min $((est % 60)) s)." \
  | tee "$OUTDIR/$stamp-net.md"
echo
log "wrote $OUTDIR/$stamp-net.md, $stamp-net.jsonl, $stamp-net.meta.json, $stamp-net-harness.md"
