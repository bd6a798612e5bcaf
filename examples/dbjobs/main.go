// Dbjobs is a job feed on PostgreSQL's LISTEN/NOTIFY, as asyncpg programs
// build one with add_listener: a producer task adds jobs to a table, each
// in a transaction that also sends a notification with the job's id (the
// notification goes out when the transaction commits, so the job is
// there when it arrives); a worker task listens and takes each job as
// its notification comes, marking it done.
//
// The worker starts listening before the producer starts, and Listen
// returns only once the server listens, so no notification is missed.
//
//	DATABASE_URL=postgres://postgres@127.0.0.1:5432/test go run ./examples/dbjobs
//
// Without DATABASE_URL it says what it needs and exits: LISTEN/NOTIFY is
// PostgreSQL's.
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/db"
)

func main() {
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		fmt.Println("dbjobs: set DATABASE_URL to a PostgreSQL server (postgres://user@host:5432/db)")
		return
	}
	if err := run(os.Stdout, url); err != nil {
		fmt.Fprintln(os.Stderr, "dbjobs:", err)
		os.Exit(1)
	}
}

const (
	table   = "dbjobs_example"
	channel = "dbjobs_example"
)

var jobs = []string{"resize photo-1.jpg", "resize photo-2.jpg", "send welcome mail", "rebuild index", "resize photo-3.jpg"}

func run(out io.Writer, url string) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		pool, err := db.Open(ctx, url, db.MaxConns(4))
		if err != nil {
			return struct{}{}, err
		}
		defer pool.Close(ctx)
		if _, err := pool.Exec(ctx, "DROP TABLE IF EXISTS "+table); err != nil {
			return struct{}{}, err
		}
		if _, err := pool.Exec(ctx, "CREATE TABLE "+table+" (id serial PRIMARY KEY, what text NOT NULL, done boolean NOT NULL DEFAULT false)"); err != nil {
			return struct{}{}, err
		}
		defer pool.Exec(ctx, "DROP TABLE "+table)

		feed, err := pool.Listen(ctx, channel)
		if err != nil {
			return struct{}{}, err
		}
		defer feed.Close()
		worker := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			return work(ctx, out, pool, feed, len(jobs))
		}, asyncio.Name("worker"))

		for _, what := range jobs {
			err := pool.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
				id, err := db.QueryRow[int64](ctx, tx, "INSERT INTO "+table+" (what) VALUES ($1) RETURNING id", what)
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "producer: job %d added: %s\n", id, what)
				_, err = tx.Exec(ctx, "SELECT pg_notify($1, $2)", channel, fmt.Sprint(id))
				return err
			})
			if err != nil {
				return struct{}{}, err
			}
		}
		n, err := worker.Wait(ctx)
		if err != nil {
			return struct{}{}, err
		}
		done, err := db.QueryRow[int64](ctx, pool, "SELECT count(*) FROM "+table+" WHERE done")
		fmt.Fprintf(out, "worker took %d jobs; %d done in the table\n", n, done)
		return struct{}{}, err
	})
	return err
}

// work takes jobs as their notifications come, until it has taken want.
func work(ctx context.Context, out io.Writer, pool *db.Pool, feed *db.Listener, want int) (int, error) {
	taken := 0
	for n, err := range feed.All(ctx) {
		if err != nil {
			return taken, err
		}
		what, err := db.QueryRow[string](ctx, pool,
			"UPDATE "+table+" SET done = true WHERE id = $1::int AND NOT done RETURNING what", n.Payload)
		if err != nil {
			return taken, err
		}
		taken++
		fmt.Fprintf(out, "worker: job %s done: %s\n", n.Payload, what)
		if taken == want {
			break
		}
	}
	return taken, nil
}
