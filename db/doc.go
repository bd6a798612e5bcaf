// Package db queries SQL databases from tasks without blocking the loop:
// SQLite (embedded, the default, no server needed), PostgreSQL and
// MariaDB/MySQL, as Python's aiosqlite, asyncpg and aiomysql do for
// asyncio.
//
// Open takes a URL and returns a *Pool:
//
//	sqlite:app.db               a file (created if missing)
//	sqlite::memory:             a private in-memory database, shared by the pool's connections
//	postgres://user@host:5432/db?sslmode=disable
//	mysql://user:pass@host:3306/db
//
// The drivers are the ones Go programs already trust: modernc.org/sqlite
// (pure Go), pgx v5 through its own pool, and go-sql-driver/mysql. Their
// calls block, so a pool runs them on an executor of its own, at most one
// goroutine per connection: a task that queries waits for a connection
// on the loop, then waits while the driver works, and the loop goes on
// with its other tasks meanwhile.
//
// Queries return Go values: Query[T] all rows, QueryRow[T] one row and
// Rows[T] a stream, where T is a struct filled by column name or, for a
// one-column result, a scalar. Tx runs a function in a transaction that
// commits when it returns nil and rolls back otherwise.
//
// Cancelling a task that waits for a query cancels the query on the
// server: PostgreSQL gets a cancel request, MariaDB a KILL QUERY, SQLite
// an interrupt. The task returns at once; the connection goes back to the
// pool once the server has stopped, or is closed if it does not stop
// within the pool's cancel grace.
package db
