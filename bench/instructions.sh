#!/usr/bin/env bash
# Counts the instructions of the core benchmarks with callgrind, for two
# builds of the package's test binary: an exact comparison where the wall
# clock of a shared machine is too noisy (BENCHMARKS.md, issue 6).
#
#   (cd OLD_CHECKOUT && go test -c -o /tmp/old.test .)
#   go test -c -o /tmp/new.test .
#   bench/instructions.sh /tmp/old.test /tmp/new.test
#
# Each benchmark runs N operations with the collector off (a collection
# would land in one run and not the other) and without asynchronous
# preemption (callgrind cannot follow its signal). The new binary runs
# with ASYNCIOWATCHDOG=0: under valgrind one thread runs at a time, so the
# watchdog would see long iterations that are not there.
set -euo pipefail
old=$1 new=$2 N=${N:-600000}
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 1; }
ir() {
  env GOGC=off GODEBUG=asyncpreemptoff=1 "${@:3}" valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    "$1" -test.run XXX -test.bench "$2" -test.benchtime "${N}x" -test.cpu 1 2>&1 |
    awk '/Collected/ {gsub(",", "", $4); print $4}'
}
# The last column is the new build's count over the iter.Pull round trip's
# (FloorIterPull), the floor of a goroutine-backed coroutine.
floor=$(ir "$new" 'FloorIterPull$' ASYNCIOWATCHDOG=0)
printf "%-40s %8s %8s  %6s  %s\n" benchmark old new new/old new/floor
for b in 'FloorIterPull$' 'Switch/tasks=1$' 'Switch/tasks=1000$' 'CallSoon/self' 'CallSoon/batch=1000' 'LockHandoff' \
  'SemaphoreHandoff/value=1' 'EventPingPong' 'QueueHandoff/maxsize=1' 'QueueHandoff/maxsize=0' \
  'CallLater/clock=virtual/pending=1000$' 'FutureHandoff'; do
  x=$(ir "$old" "$b" ASYNCIOWATCHDOG=0)
  y=$(ir "$new" "$b" ASYNCIOWATCHDOG=0)
  awk -v b="$b" -v x="$x" -v y="$y" -v f="$floor" -v n="$N" \
    'BEGIN { printf "%-40s %8.0f %8.0f  x%.3f  x%.2f\n", b, x/n, y/n, y/x, y/f }'
done
