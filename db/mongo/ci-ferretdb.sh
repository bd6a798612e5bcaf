# ci-ferretdb.sh gives the tests of db/mongo and examples/mongousers a
# MongoDB server: FerretDB 1, a MongoDB-compatible server written in Go,
# on its SQLite backend, at 127.0.0.1:27017. The project's machines run no
# MongoDB and no Docker, and FerretDB builds from the Go module proxy.
#
# Source it from .ci/run (bash):
#
#	. db/mongo/ci-ferretdb.sh || exit 1
#
# It builds FerretDB into a cache outside the repository unless it is there
# already (about 4.5 minutes on a cold Go module cache, 5 s on a warm one),
# starts it in the background unless something already answers on
# 127.0.0.1:27017, waits until it does, and exports MONGODB_URL. The
# server is left running, as the machine's other services are; its log
# and data are in the cache.
#
# FerretDB's own command (cmd/ferretdb) refuses to run when built outside
# its repository (it wants a generated version file), so the build is a
# program of a few lines around FerretDB's embedding package instead.

ferretdb_ci() {
	local version=v1.24.2
	local cache="${ASYNCIO_CI_CACHE:-$HOME/.cache/asyncio-ci}"
	local bin="$cache/bin/ferretdb-$version"
	local host=127.0.0.1 port=27017

	ferretdb_answers() { (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; }

	if ! ferretdb_answers; then
		if [ ! -x "$bin" ]; then
			local src="$cache/ferretdb-$version-src"
			echo "ci-ferretdb: building FerretDB $version into $bin"
			mkdir -p "$src" "$cache/bin" || return 1
			cat >"$src/go.mod" <<-GOMOD
				module asyncio-ci/ferretdb

				go 1.22

				require github.com/FerretDB/FerretDB $version
			GOMOD
			cat >"$src/main.go" <<-'GOMAIN'
				// Command ferretdb runs FerretDB through its embedding package.
				package main

				import (
					"context"
					"flag"
					"log"
					"os/signal"
					"syscall"

					"github.com/FerretDB/FerretDB/ferretdb"
				)

				func main() {
					listen := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
					handler := flag.String("handler", "sqlite", "backend: sqlite or postgresql")
					sqliteURL := flag.String("sqlite-url", "file:data/", "SQLite directory URI")
					pgURL := flag.String("postgresql-url", "", "PostgreSQL URL")
					flag.Parse()
					f, err := ferretdb.New(&ferretdb.Config{
						Listener:      ferretdb.ListenerConfig{TCP: *listen},
						Handler:       *handler,
						SQLiteURL:     *sqliteURL,
						PostgreSQLURL: *pgURL,
					})
					if err != nil {
						log.Fatal(err)
					}
					ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
					defer stop()
					log.Printf("FerretDB listening at %s", f.MongoDBURI())
					f.Run(ctx)
				}
			GOMAIN
			local start=$SECONDS
			(cd "$src" && export GOWORK=off GOFLAGS=-mod=mod &&
				go mod tidy && go build -o "$bin.tmp" . && mv "$bin.tmp" "$bin") || {
				echo "ci-ferretdb: building FerretDB failed" >&2
				return 1
			}
			echo "ci-ferretdb: built in $((SECONDS - start)) s"
		fi
		local data="$cache/ferretdb-data"
		rm -rf "$data" && mkdir -p "$data" || return 1
		echo "ci-ferretdb: starting FerretDB on $host:$port (log: $cache/ferretdb.log)"
		# Detached, with no descriptor of ours, so that nothing waits on it.
		nohup "$bin" -listen-addr="$host:$port" -handler=sqlite -sqlite-url="file:$data/" \
			</dev/null >"$cache/ferretdb.log" 2>&1 &
		local i
		for i in $(seq 300); do
			ferretdb_answers && break
			sleep 0.1
		done
		if ! ferretdb_answers; then
			echo "ci-ferretdb: FerretDB does not answer on $host:$port after 30 s; its log:" >&2
			tail -20 "$cache/ferretdb.log" >&2
			return 1
		fi
	fi
	export MONGODB_URL="mongodb://$host:$port/"
	echo "ci-ferretdb: MONGODB_URL=$MONGODB_URL"
}

ferretdb_ci
