# Peers of this project for the benchmark harness in ../shared/peers
# (sourced by its run.sh, in bash, with the harness folder as the working
# directory and PROJECT_DIR set to the directory run.sh was started from).
#
#   EXTRA_PEERS=bench/peers.sh ../shared/peers/run.sh task-spawn switch-cost timers tcp-echo idle-conns
#
# (run it from the project's root: run.sh resolves a relative EXTRA_PEERS
# against the directory it was started from.) bench/net.sh runs the
# tcp-echo and idle-conns measurement with these peers.
#
# Adds:
#  * trio-pyenv to the echo servers (tcp-echo, idle-conns), which the
#    harness has none of: bench/peers/echo_trio.py, on the pyenv python3,
#    placed after uvloop-proto;
#  * cmd/asyncio-bench, built into the harness's bin/, to the micro
#    workloads, and to the echo servers with both APIs on the poller
#    backend: goasyncio-streams (StartServer: a task per connection,
#    StreamReader.Read + StreamWriter.Write/Drain) and goasyncio-proto
#    (CreateServer with a Protocol whose DataReceived writes back);
#  * with GOASYNCIO_PORTABLE=1, the same two on the portable backend
#    (net.Conn and goroutines feeding the loop): goasyncio-portable-streams
#    and goasyncio-portable-proto. Off by default.
# If the build fails, the project's peers are left out (run.sh goes on).

_trio_echo="trio-pyenv|$PY $PROJECT_DIR/bench/peers/echo_trio.py --port {port}"
_with_trio() { # prints the entries of "$@", with trio's after uvloop-proto's
  local e added=0
  for e in "$@"; do
    printf '%s\n' "$e"
    if [[ ${e%%|*} == uvloop-proto ]]; then printf '%s\n' "$_trio_echo"; added=1; fi
  done
  (( added )) || printf '%s\n' "$_trio_echo"
}
mapfile -t ECHO_PEERS < <(_with_trio "${ECHO_PEERS[@]}")
mapfile -t IDLE_PEERS < <(_with_trio "${IDLE_PEERS[@]}")
unset -f _with_trio; unset _trio_echo

( cd "$PROJECT_DIR" && go build -o "$PEERS_DIR/bin/goasyncio-bench" ./cmd/asyncio-bench ) || return 0
SPAWN_PEERS+=("goasyncio|bin/goasyncio-bench spawn -n {n}")
SWITCH_PEERS+=("goasyncio|bin/goasyncio-bench switch -tasks {tasks} -total {total}")
TIMER_PEERS+=("goasyncio|bin/goasyncio-bench timers -n {n} -maxms {maxms}")
_ours=("goasyncio-streams|bin/goasyncio-bench echo -api streams -backend poller -addr 127.0.0.1:{port}"
       "goasyncio-proto|bin/goasyncio-bench echo -api protocol -backend poller -addr 127.0.0.1:{port}")
if [[ "${GOASYNCIO_PORTABLE:-0}" == 1 ]]; then
  _ours+=("goasyncio-portable-streams|bin/goasyncio-bench echo -api streams -backend portable -addr 127.0.0.1:{port}"
          "goasyncio-portable-proto|bin/goasyncio-bench echo -api protocol -backend portable -addr 127.0.0.1:{port}")
fi
ECHO_PEERS+=("${_ours[@]}")
IDLE_PEERS+=("${_ours[@]}")
unset _ours
