#!/usr/bin/env bash
# Subprocess and file workloads of issue 5, ours against Python asyncio and
# uvloop, each pinned to one core, ROUNDS rounds interleaved:
#   proc-spawn: N x (spawn `true`, Communicate) per second
#   proc-pipe:  MiB/s read from a child's stdout in 64 KiB reads
#   file-read:  MiB/s reading a file with package files vs *os.File directly
# Usage: bench/proc.sh   (ROUNDS=5 SPAWN_N=500 PIPE_MIB=1024 FILE_MIB=512)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5} SPAWN_N=${SPAWN_N:-500} PIPE_MIB=${PIPE_MIB:-1024} FILE_MIB=${FILE_MIB:-512}
bin=$(mktemp -d)/asyncio-bench
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./cmd/asyncio-bench
pin() { taskset -c 1 "$@"; }
for r in $(seq "$ROUNDS"); do
  echo "# round $r"
  pin "$bin" proc-spawn -n "$SPAWN_N"
  pin python3 bench/peers/proc_asyncio.py spawn "$SPAWN_N" | sed 's/{/{"peer": "asyncio", /'
  pin /usr/bin/python3 bench/peers/proc_asyncio.py spawn "$SPAWN_N" uvloop | sed 's/{/{"peer": "uvloop", /'
  pin "$bin" proc-pipe -n "$PIPE_MIB"
  pin python3 bench/peers/proc_asyncio.py pipe "$PIPE_MIB" | sed 's/{/{"peer": "asyncio", /'
  pin /usr/bin/python3 bench/peers/proc_asyncio.py pipe "$PIPE_MIB" uvloop | sed 's/{/{"peer": "uvloop", /'
  pin "$bin" file-read -n "$FILE_MIB"
done
