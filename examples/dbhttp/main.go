// Dbhttp serves a table over HTTP: the seed guide's FastAPI endpoint that
// fetches a row from an asyncpg pool and answers 404 when there is none,
// with a pool opened at startup and closed at shutdown, here for the
// messages of the dbcrud example on the embedded SQLite.
//
//	GET  /messages       all messages, as a JSON array
//	GET  /messages/{id}  one message, or 404
//	POST /messages       {"content": "..."} adds a message: 201 and the message
//
// The handlers run as tasks of the server's loop and query the pool
// directly, as FastAPI's async endpoints await asyncpg: a query suspends
// the handler's task while the driver works on the pool's goroutines, so
// the loop serves other requests meanwhile, and no handler needs
// aiohttp.Threaded.
//
// The program starts the server, makes a few requests with the aiohttp
// client, ten of them at once, prints the answers and shuts down:
//
//	go run ./examples/dbhttp
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
	"github.com/asyncio-go/asyncio/db"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "dbhttp:", err)
		os.Exit(1)
	}
}

// A Message is a row of the messages table, and its JSON.
type Message struct {
	ID      int64  `json:"id"`
	Content string `json:"content"`
}

// An app serves the messages of its pool.
type app struct {
	pool *db.Pool
}

func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /messages", a.list)
	mux.HandleFunc("GET /messages/{id}", a.get)
	mux.HandleFunc("POST /messages", a.create)
	return mux
}

func (a *app) list(w http.ResponseWriter, r *http.Request) {
	msgs, err := db.Query[Message](r.Context(), a.pool, "SELECT id, content FROM messages ORDER BY id")
	if err != nil {
		serverError(w, r, err)
		return
	}
	if msgs == nil {
		msgs = []Message{} // [] rather than null
	}
	writeJSON(w, http.StatusOK, msgs)
}

func (a *app) get(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad message id "+strconv.Quote(r.PathValue("id")))
		return
	}
	msg, err := db.QueryRow[Message](r.Context(), a.pool, "SELECT id, content FROM messages WHERE id = ?", id)
	if errors.Is(err, db.ErrNoRows) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("message %d not found", id))
		return
	}
	if err != nil {
		serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, msg)
}

func (a *app) create(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Content string `json:"content"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "bad JSON: "+err.Error())
		return
	}
	if strings.TrimSpace(in.Content) == "" {
		writeError(w, http.StatusBadRequest, "content is empty")
		return
	}
	msg, err := db.QueryRow[Message](r.Context(), a.pool,
		"INSERT INTO messages (content) VALUES (?) RETURNING id, content", in.Content)
	if err != nil {
		serverError(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/messages/%d", msg.ID))
	writeJSON(w, http.StatusCreated, msg)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// serverError logs a failure of the database and answers 500 without its
// details, which are for the server's log, not for clients.
func serverError(w http.ResponseWriter, r *http.Request, err error) {
	slog.ErrorContext(r.Context(), "dbhttp", "request", r.Method+" "+r.URL.Path, "err", err)
	writeError(w, http.StatusInternalServerError, "internal error")
}

// run opens the pool (FastAPI's startup), serves, plays the client, and
// shuts the server down before it closes the pool (shutdown), so that no
// handler is left with a closed pool.
func run(w io.Writer) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		pool, err := db.Open(ctx, "sqlite::memory:")
		if err != nil {
			return struct{}{}, err
		}
		defer pool.Close(ctx)
		if _, err := pool.Exec(ctx, "CREATE TABLE messages (id INTEGER PRIMARY KEY, content TEXT NOT NULL)"); err != nil {
			return struct{}{}, err
		}
		srv, err := aiohttp.Serve(ctx, "127.0.0.1:0", (&app{pool: pool}).routes())
		if err != nil {
			return struct{}{}, err
		}
		session := aiohttp.NewSession()
		err = play(ctx, w, session, "http://"+srv.Addr().String())
		session.Close(ctx)
		if serr := srv.Shutdown(ctx); err == nil {
			err = serr
		}
		return struct{}{}, err
	})
	return err
}

// play is the client: it prints each request and what came back.
func play(ctx context.Context, w io.Writer, session *aiohttp.Session, base string) error {
	for _, req := range []struct{ method, path, body string }{
		{"GET", "/messages", ""},
		{"POST", "/messages", `{"content": "Hello, World!"}`},
		{"POST", "/messages", `{"content": "Hello, AsyncIO!"}`},
		{"POST", "/messages", `{"content": ""}`},
		{"GET", "/messages", ""},
		{"GET", "/messages/2", ""},
		{"GET", "/messages/7", ""},
	} {
		var opts []aiohttp.RequestOption
		line := req.method + " " + req.path
		if req.body != "" {
			opts = append(opts, aiohttp.Body(strings.NewReader(req.body), "application/json"))
			line += " " + req.body
		}
		resp, err := session.Request(ctx, req.method, base+req.path, opts...)
		if err != nil {
			return err
		}
		text, err := resp.Text(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s → %d %s\n", line, resp.StatusCode, strings.TrimSpace(text))
	}

	// Ten requests at once: ten handler tasks query the pool together,
	// and SQLite takes their writes one at a time, in whatever order.
	posts := make([]func(context.Context) (int, error), 10)
	for i := range posts {
		posts[i] = func(ctx context.Context) (int, error) {
			resp, err := session.Post(ctx, base+"/messages", aiohttp.JSONBody(Message{Content: fmt.Sprintf("note %d", i+1)}))
			if err != nil {
				return 0, err
			}
			_, err = resp.Bytes(ctx)
			return resp.StatusCode, err
		}
	}
	codes, err := asyncio.Gather(ctx, posts...)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "10 × POST /messages at once → %v\n", codes)
	resp, err := session.Get(ctx, base+"/messages")
	if err != nil {
		return err
	}
	var all []Message
	if err := resp.JSON(ctx, &all); err != nil {
		return err
	}
	fmt.Fprintf(w, "GET /messages → %d, %d messages\n", resp.StatusCode, len(all))
	return nil
}
