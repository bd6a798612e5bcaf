// Dbcrud ports the seed tutorial's aiosqlite example: create, read,
// update and delete rows of a messages table, each step a function that
// awaits the database, here on the embedded SQLite that package db opens
// by default, in a file of a temporary directory (the tutorial's
// example.db).
//
// The tutorial connects to the file anew in every function. A Go program
// opens a pool once and hands it to the functions instead: each statement
// borrows a connection for as long as it runs. Every call suspends its
// task while the driver works on the pool's goroutines, so the loop goes
// on with other tasks meanwhile; there is no commit to await, as each
// statement outside a transaction (Pool.Tx) commits by itself.
//
//	go run ./examples/dbcrud
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/db"
)

func main() {
	dir, err := os.MkdirTemp("", "dbcrud")
	if err == nil {
		err = run(os.Stdout, "sqlite:"+filepath.Join(dir, "example.db"))
		os.RemoveAll(dir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "dbcrud:", err)
		os.Exit(1)
	}
}

// A Message is a row of the messages table.
type Message struct {
	ID      int64
	Content string
}

func createTable(ctx context.Context, p *db.Pool) error {
	_, err := p.Exec(ctx, `CREATE TABLE IF NOT EXISTS messages (
		id INTEGER PRIMARY KEY,
		content TEXT NOT NULL
	)`)
	return err
}

func createMessage(ctx context.Context, p *db.Pool, content string) error {
	_, err := p.Exec(ctx, "INSERT INTO messages (content) VALUES (?)", content)
	return err
}

func readMessages(ctx context.Context, p *db.Pool) ([]Message, error) {
	return db.Query[Message](ctx, p, "SELECT id, content FROM messages ORDER BY id")
}

// updateMessage and deleteMessage report how many rows they changed: none
// if no message has the id.
func updateMessage(ctx context.Context, p *db.Pool, id int64, content string) (int64, error) {
	return p.Exec(ctx, "UPDATE messages SET content = ? WHERE id = ?", content, id)
}

func deleteMessage(ctx context.Context, p *db.Pool, id int64) (int64, error) {
	return p.Exec(ctx, "DELETE FROM messages WHERE id = ?", id)
}

// run opens the pool at url and runs the tutorial on it.
func run(w io.Writer, url string) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		p, err := db.Open(ctx, url)
		if err != nil {
			return struct{}{}, err
		}
		err = tutorial(ctx, w, p)
		if cerr := p.Close(ctx); err == nil {
			err = cerr
		}
		return struct{}{}, err
	})
	return err
}

// tutorial is the tutorial's main, printing the messages after each step.
func tutorial(ctx context.Context, w io.Writer, p *db.Pool) error {
	show := func(step string) error {
		msgs, err := readMessages(ctx, p)
		if err == nil {
			fmt.Fprintf(w, "%-34s messages: %v\n", step, msgs)
		}
		return err
	}
	if err := createTable(ctx, p); err != nil {
		return err
	}
	if err := show("create_table"); err != nil {
		return err
	}
	if err := createMessage(ctx, p, "Hello, World!"); err != nil {
		return err
	}
	msgs, err := readMessages(ctx, p)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%-34s messages: %v\n", `create_message("Hello, World!")`, msgs)
	id := msgs[0].ID
	n, err := updateMessage(ctx, p, id, "Hello, AsyncIO!")
	if err != nil {
		return err
	}
	if err := show(fmt.Sprintf("update_message(%d): %d row", id, n)); err != nil {
		return err
	}
	n, err = deleteMessage(ctx, p, id)
	if err != nil {
		return err
	}
	if err := show(fmt.Sprintf("delete_message(%d): %d row", id, n)); err != nil {
		return err
	}
	n, err = deleteMessage(ctx, p, id)
	if err != nil {
		return err
	}
	return show(fmt.Sprintf("delete_message(%d) again: %d rows", id, n))
}
