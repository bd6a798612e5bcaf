// Dbrepo ports the seed guide's asyncpg code: a pool of 5 to 20
// connections (create_pool(min_size=5, max_size=20)) behind a repository
// of users that adds them, lists the active ones (the guide's fetch of
// "SELECT ... WHERE active = $1") and deactivates one in a transaction
// that also writes an audit_log row, so that both happen or neither does.
//
// It runs on PostgreSQL when DATABASE_URL names one, and on an in-memory
// SQLite database otherwise: the same repository serves both, since its
// SQL is written once with ? placeholders and numbered ($1, $2) for
// PostgreSQL. The tables are the example's own, dbrepo_users and
// dbrepo_audit_log: the program drops and creates them at its start and
// drops them at its end.
//
//	go run ./examples/dbrepo
//	DATABASE_URL=postgres://postgres@127.0.0.1:5432/test?sslmode=disable go run ./examples/dbrepo
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/db"
)

func main() {
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		url = "sqlite::memory:"
	}
	if err := run(os.Stdout, url); err != nil {
		fmt.Fprintln(os.Stderr, "dbrepo:", err)
		os.Exit(1)
	}
}

// A User is a row of dbrepo_users.
type User struct {
	ID     int64
	Name   string
	Email  string
	Active bool
}

// ErrNoUser is returned for an id that names no user.
var ErrNoUser = errors.New("no such user")

// A UserRepository keeps users in a database.
type UserRepository struct {
	pool *db.Pool
}

// sql returns query, written with ? placeholders, in the pool's dialect:
// PostgreSQL numbers its placeholders. It replaces every ?, which is
// right for the repository's statements: none has one in a string.
func (r *UserRepository) sql(query string) string {
	if r.pool.Kind() != "postgres" {
		return query
	}
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
		} else {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// CreateTables makes the repository's tables, dropping any left by an
// earlier run.
func (r *UserRepository) CreateTables(ctx context.Context) error {
	if err := r.DropTables(ctx); err != nil {
		return err
	}
	// The one difference in schema: SQLite numbers an INTEGER PRIMARY
	// KEY by itself, PostgreSQL with an identity column.
	id := "INTEGER PRIMARY KEY"
	if r.pool.Kind() == "postgres" {
		id = "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
	}
	for _, ddl := range []string{
		`CREATE TABLE dbrepo_users (
			id ` + id + `,
			name TEXT NOT NULL,
			email TEXT NOT NULL UNIQUE,
			active BOOLEAN NOT NULL DEFAULT TRUE
		)`,
		`CREATE TABLE dbrepo_audit_log (
			id ` + id + `,
			action TEXT NOT NULL,
			user_id BIGINT NOT NULL REFERENCES dbrepo_users (id)
		)`,
	} {
		if _, err := r.pool.Exec(ctx, ddl); err != nil {
			return err
		}
	}
	return nil
}

// DropTables drops the repository's tables.
func (r *UserRepository) DropTables(ctx context.Context) error {
	for _, table := range []string{"dbrepo_audit_log", "dbrepo_users"} {
		if _, err := r.pool.Exec(ctx, "DROP TABLE IF EXISTS "+table); err != nil {
			return err
		}
	}
	return nil
}

// Add adds an active user and returns it, with its id. An email already
// taken fails with an error matching db.ErrUniqueViolation.
func (r *UserRepository) Add(ctx context.Context, name, email string) (User, error) {
	return db.QueryRow[User](ctx, r.pool,
		r.sql("INSERT INTO dbrepo_users (name, email) VALUES (?, ?) RETURNING id, name, email, active"), name, email)
}

// ActiveUsers returns the active users in the order they were added.
func (r *UserRepository) ActiveUsers(ctx context.Context) ([]User, error) {
	return db.Query[User](ctx, r.pool,
		r.sql("SELECT id, name, email, active FROM dbrepo_users WHERE active = ? ORDER BY id"), true)
}

// Deactivate marks a user inactive and records it in the audit log, in
// one transaction.
func (r *UserRepository) Deactivate(ctx context.Context, id int64) error {
	return r.pool.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
		n, err := tx.Exec(ctx, r.sql("UPDATE dbrepo_users SET active = ? WHERE id = ?"), false, id)
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("user %d: %w", id, ErrNoUser)
		}
		_, err = tx.Exec(ctx, r.sql("INSERT INTO dbrepo_audit_log (action, user_id) VALUES (?, ?)"), "deactivate", id)
		return err
	})
}

// An AuditEntry is a row of dbrepo_audit_log.
type AuditEntry struct {
	Action string
	UserID int64 `db:"user_id"`
}

// AuditLog returns the audit log, oldest first.
func (r *UserRepository) AuditLog(ctx context.Context) ([]AuditEntry, error) {
	return db.Query[AuditEntry](ctx, r.pool, "SELECT action, user_id FROM dbrepo_audit_log ORDER BY id")
}

// run opens the pool at url and runs the demonstration on it.
func run(w io.Writer, url string) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		pool, err := db.Open(ctx, url, db.MinConns(5), db.MaxConns(20))
		if err != nil {
			return struct{}{}, err
		}
		fmt.Fprintf(w, "database: %s\n", pool.Kind())
		repo := &UserRepository{pool: pool}
		err = demo(ctx, w, repo)
		if derr := repo.DropTables(ctx); err == nil {
			err = derr
		}
		if cerr := pool.Close(ctx); err == nil {
			err = cerr
		}
		return struct{}{}, err
	})
	return err
}

// demo adds users, deactivates one, and prints what the repository says.
func demo(ctx context.Context, w io.Writer, repo *UserRepository) error {
	if err := repo.CreateTables(ctx); err != nil {
		return err
	}
	for _, u := range []struct{ name, email string }{
		{"Alice", "alice@example.com"},
		{"Bob", "bob@example.com"},
		{"Carol", "carol@example.com"},
		{"Alice again", "alice@example.com"},
	} {
		user, err := repo.Add(ctx, u.name, u.email)
		switch {
		case errors.Is(err, db.ErrUniqueViolation):
			fmt.Fprintf(w, "add %s: %s is taken\n", u.name, u.email)
		case err != nil:
			return err
		default:
			fmt.Fprintf(w, "add %s: id %d\n", user.Name, user.ID)
		}
	}
	if err := printActive(ctx, w, repo); err != nil {
		return err
	}
	for _, id := range []int64{1, 99} {
		err := repo.Deactivate(ctx, id)
		switch {
		case errors.Is(err, ErrNoUser):
			fmt.Fprintf(w, "deactivate %d: %v (rolled back)\n", id, err)
		case err != nil:
			return err
		default:
			fmt.Fprintf(w, "deactivate %d: done\n", id)
		}
	}
	if err := printActive(ctx, w, repo); err != nil {
		return err
	}
	log, err := repo.AuditLog(ctx)
	if err != nil {
		return err
	}
	for _, e := range log {
		fmt.Fprintf(w, "audit: %s user %d\n", e.Action, e.UserID)
	}
	return nil
}

// printActive prints the active users as the guide does.
func printActive(ctx context.Context, w io.Writer, repo *UserRepository) error {
	users, err := repo.ActiveUsers(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%d active users:\n", len(users))
	for _, u := range users {
		fmt.Fprintf(w, "  User: %s (%s)\n", u.Name, u.Email)
	}
	return nil
}
