# Peers of this project for the benchmark harness in ../shared/peers
# (sourced by its run.sh, in bash, with the harness folder as the working
# directory and PROJECT_DIR set to the directory run.sh was started from).
#
#   EXTRA_PEERS=bench/peers.sh ../shared/peers/run.sh task-spawn switch-cost timers tcp-echo idle-conns
#
# Builds cmd/asyncio-bench into the harness's bin/ and adds it to the micro
# workloads and to the echo servers (tcp-echo, idle-conns) with both the
# streams and the protocol API. If the build fails the peer is left out
# (run.sh goes on).
( cd "$PROJECT_DIR" && go build -o "$PEERS_DIR/bin/goasyncio-bench" ./cmd/asyncio-bench ) || return 0
SPAWN_PEERS+=("goasyncio|bin/goasyncio-bench spawn -n {n}")
SWITCH_PEERS+=("goasyncio|bin/goasyncio-bench switch -tasks {tasks} -total {total}")
TIMER_PEERS+=("goasyncio|bin/goasyncio-bench timers -n {n} -maxms {maxms}")
ECHO_PEERS+=("goasyncio-streams|bin/goasyncio-bench echo -api streams -addr 127.0.0.1:{port}"
             "goasyncio-proto|bin/goasyncio-bench echo -api protocol -addr 127.0.0.1:{port}")
IDLE_PEERS+=("goasyncio-streams|bin/goasyncio-bench echo -api streams -addr 127.0.0.1:{port}"
             "goasyncio-proto|bin/goasyncio-bench echo -api protocol -addr 127.0.0.1:{port}")
