// Dbmock shows how code that awaits a database is unit-tested without
// one: the seed tutorial's AsyncMock, done Go's way.
//
// In Python, the test patches what the code awaits (asyncio.sleep in the
// tutorial, a database call in real code) with unittest.mock.AsyncMock,
// and asserts that the mock was awaited, with which arguments. Go has no
// patching. Instead, the code under test, Greet, takes what it awaits as
// a small interface, UserStore: the program passes a PoolStore, which
// queries a *db.Pool, and main_test.go passes a plain struct that records
// its calls and answers as each test says, even by sleeping on a virtual
// clock, to show that Greet waits for it.
//
// The program greets three users through a PoolStore on an in-memory
// SQLite database, one of whom is not there:
//
//	go run ./examples/dbmock
//	go test ./examples/dbmock
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/db"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "dbmock:", err)
		os.Exit(1)
	}
}

// A User is a row of the users table.
type User struct {
	ID   int64
	Name string
}

// ErrNotFound is returned by a UserStore for an id that names no user.
var ErrNotFound = errors.New("user not found")

// A UserStore finds users by id. It is all that Greet needs of a
// database, so a test can stand in for it with a few lines.
type UserStore interface {
	User(ctx context.Context, id int64) (User, error)
}

// Greet is the code under test: it awaits the store and greets the user,
// or a stranger if there is no such user.
func Greet(ctx context.Context, users UserStore, id int64) (string, error) {
	u, err := users.User(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return "Hello, stranger!", nil
	}
	if err != nil {
		return "", fmt.Errorf("greet user %d: %w", id, err)
	}
	return "Hello, " + u.Name + "!", nil
}

// A PoolStore is the UserStore of the program: the users table of a
// database.
type PoolStore struct {
	Pool *db.Pool
}

// User returns the user with the id.
func (s PoolStore) User(ctx context.Context, id int64) (User, error) {
	u, err := db.QueryRow[User](ctx, s.Pool, "SELECT id, name FROM users WHERE id = ?", id)
	if errors.Is(err, db.ErrNoRows) {
		return User{}, fmt.Errorf("user %d: %w", id, ErrNotFound)
	}
	return u, err
}

// run greets users 1 to 3 from a database that has the first two.
func run(w io.Writer) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		pool, err := db.Open(ctx, "sqlite::memory:")
		if err != nil {
			return struct{}{}, err
		}
		defer pool.Close(ctx)
		if _, err := pool.Exec(ctx, "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"); err != nil {
			return struct{}{}, err
		}
		if _, err := pool.Exec(ctx, "INSERT INTO users (name) VALUES ('Ann'), ('Bob')"); err != nil {
			return struct{}{}, err
		}
		store := PoolStore{Pool: pool}
		for id := int64(1); id <= 3; id++ {
			greeting, err := Greet(ctx, store, id)
			if err != nil {
				return struct{}{}, err
			}
			fmt.Fprintf(w, "user %d: %s\n", id, greeting)
		}
		return struct{}{}, nil
	})
	return err
}
