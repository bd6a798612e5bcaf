package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
	"github.com/asyncio-go/asyncio/aiohttp/api"
	"github.com/asyncio-go/asyncio/db"
)

// Config is what the app is given: where its database is, which service
// it calls, and with what client, so that a test can hand it a network
// of its own.
type Config struct {
	DatabaseURL string           // "sqlite::memory:" by default
	Upstream    string           // base URL of the JSON service /fetch and /parallel call
	Client      *aiohttp.Session // for the calls to Upstream
	Mail        io.Writer        // where the fake mailer writes what it sends
	EmailDelay  time.Duration    // how long sending one email takes: 5 s in the guide
}

// A shop is the app's state: FastAPI's module globals.
type shop struct {
	cfg   Config
	pool  *db.Pool
	room  []*aiohttp.WebSocket
	start time.Duration // loop time at startup, for the mailer's stamps
}

// Message is the guide's {"message": ...} answer.
type Message struct {
	Message string `json:"message"`
}

// User is a row of the users table.
type User struct {
	ID    int64  `json:"id" db:"id"`
	Name  string `json:"name" db:"name"`
	Email string `json:"email" db:"email"`
}

// NewUser is the body of POST /users.
type NewUser struct {
	Name  string `json:"name" validate:"required,max=100"`
	Email string `json:"email" validate:"required,email"`
}

type delayIn struct {
	Seconds int `path:"seconds" validate:"min=0,max=60"`
}

type notifyIn struct {
	Email   string `query:"email" validate:"required,email"`
	Message string `query:"message" validate:"required,max=1000"`
}

// Queued is the answer of POST /send-notification.
type Queued struct {
	Status string `json:"status"`
}

type userIn struct {
	ID   int64    `path:"user_id" validate:"gt=0"`
	Conn *db.Conn `depends:""`
}

type createUserIn struct {
	User NewUser  `body:""`
	Conn *db.Conn `depends:""`
}

// Results is the answer of GET /parallel: the upstream answers, in the
// order asked.
type Results struct {
	Results []map[string]any `json:"results"`
}

// newApp builds the guide's FastAPI app on package api.
func newApp(cfg Config) *api.App {
	if cfg.DatabaseURL == "" {
		cfg.DatabaseURL = "sqlite::memory:"
	}
	if cfg.EmailDelay == 0 {
		cfg.EmailDelay = 5 * time.Second
	}
	s := &shop{cfg: cfg}
	app := api.New(api.Title("asyncio for Go: the guide's FastAPI app"), api.Version("1.0.0"))

	// The startup and shutdown events: the pool opens before the first
	// request and closes after the last one (and its jobs).
	app.Lifespan(s.openPool)

	// get_db: a connection borrowed for the request, returned after its
	// response.
	api.Provide(app, func(ctx context.Context, _ *struct{}) (*db.Conn, func(), error) {
		conn, err := s.pool.Acquire(ctx)
		if err != nil {
			return nil, nil, err
		}
		return conn, conn.Release, nil
	})

	api.Get(app, "/", s.root, api.Summary("Simple async endpoint"), api.OperationID("root"))
	api.Get(app, "/delay/{seconds}", s.delay, api.Summary("Endpoint with async delay"), api.OperationID("delay"))
	api.Get(app, "/fetch", s.fetch, api.Summary("Fetch data from an upstream service"), api.OperationID("fetch"))
	api.Get(app, "/parallel", s.parallel, api.Summary("Make parallel upstream calls"), api.OperationID("parallel"))
	api.Post(app, "/send-notification", s.notify, api.Summary("Send a notification in the background"), api.OperationID("sendNotification"))
	api.Get(app, "/users/{user_id}", s.user, api.Summary("Get a user, with a database dependency"), api.OperationID("getUser"))
	api.Post(app, "/users", s.createUser, api.Status(http.StatusCreated), api.Summary("Create a user"), api.OperationID("createUser"))
	app.Handle("GET /ws", http.HandlerFunc(s.chat))
	return app
}

// openPool is the startup hook: it opens the database and fills it; the
// pool's Close is its shutdown.
func (s *shop) openPool(ctx context.Context) (func(context.Context) error, error) {
	s.start = asyncio.RunningLoop(ctx).Time()
	pool, err := db.Open(ctx, s.cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	_, err = pool.Exec(ctx, `CREATE TABLE IF NOT EXISTS users (
		id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE)`)
	if err == nil {
		_, err = pool.Exec(ctx, `INSERT INTO users (id, name, email) VALUES
		(1, 'Ann', 'ann@example.com'), (2, 'Bo', 'bo@example.com') ON CONFLICT DO NOTHING`)
	}
	if err != nil {
		return nil, errors.Join(err, pool.Close(ctx))
	}
	s.pool = pool
	return pool.Close, nil
}

func (s *shop) root(ctx context.Context, _ *struct{}) (*Message, error) {
	return &Message{"Hello World"}, nil
}

func (s *shop) delay(ctx context.Context, in *delayIn) (*Message, error) {
	if err := asyncio.Sleep(ctx, time.Duration(in.Seconds)*time.Second); err != nil {
		return nil, err
	}
	return &Message{fmt.Sprintf("Waited %d seconds", in.Seconds)}, nil
}

// get fetches one JSON object from the upstream service.
func (s *shop) get(ctx context.Context, path string) (map[string]any, error) {
	resp, err := s.cfg.Client.Get(ctx, s.cfg.Upstream+path)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Release()
		return nil, api.Errorf(http.StatusBadGateway, "the upstream service answered %s", resp.Status)
	}
	var v map[string]any
	return v, resp.JSON(ctx, &v)
}

func (s *shop) fetch(ctx context.Context, _ *struct{}) (*map[string]any, error) {
	v, err := s.get(ctx, "/json")
	return &v, err
}

// parallel makes the guide's three calls at once: it takes as long as
// the slowest, not as all three.
func (s *shop) parallel(ctx context.Context, _ *struct{}) (*Results, error) {
	call := func(path string) func(context.Context) (map[string]any, error) {
		return func(ctx context.Context) (map[string]any, error) { return s.get(ctx, path) }
	}
	results, err := asyncio.Gather(ctx, call("/delay/1"), call("/delay/2"), call("/json"))
	if err != nil {
		return nil, err
	}
	return &Results{results}, nil
}

// notify answers at once and sends the email after the response.
func (s *shop) notify(ctx context.Context, in *notifyIn) (*Queued, error) {
	api.AfterResponse(ctx, "send email", func(ctx context.Context) error {
		return s.sendEmail(ctx, in.Email, in.Message)
	})
	return &Queued{"notification queued"}, nil
}

// sendEmail is the guide's send_email: a slow mail service.
func (s *shop) sendEmail(ctx context.Context, to, message string) error {
	if err := asyncio.Sleep(ctx, s.cfg.EmailDelay); err != nil {
		return err
	}
	at := asyncio.RunningLoop(ctx).Time() - s.start
	_, err := fmt.Fprintf(s.cfg.Mail, "%4.1fs  email sent to %s: %s\n", at.Seconds(), to, message)
	return err
}

func (s *shop) user(ctx context.Context, in *userIn) (*User, error) {
	u, err := db.QueryRow[User](ctx, in.Conn, "SELECT id, name, email FROM users WHERE id = ?", in.ID)
	if errors.Is(err, db.ErrNoRows) {
		return nil, api.NotFound("User not found")
	}
	return &u, err
}

func (s *shop) createUser(ctx context.Context, in *createUserIn) (*User, error) {
	u, err := db.QueryRow[User](ctx, in.Conn, "INSERT INTO users (name, email) VALUES (?, ?) RETURNING id, name, email", in.User.Name, in.User.Email)
	if errors.Is(err, db.ErrUniqueViolation) {
		return nil, api.Errorf(http.StatusConflict, "a user with email %s exists", in.User.Email)
	}
	if err != nil {
		return nil, err
	}
	api.Header(ctx).Set("Location", fmt.Sprintf("/users/%d", u.ID))
	return &u, nil
}

// chat is the guide's WebSocket endpoint: what one client sends, all
// hear, as "Broadcast: <text>".
func (s *shop) chat(w http.ResponseWriter, r *http.Request) {
	ws, err := aiohttp.Upgrade(w, r)
	if err != nil {
		return // Upgrade answered the request
	}
	s.room = append(s.room, ws)
	defer func() { s.room = slices.DeleteFunc(s.room, func(c *aiohttp.WebSocket) bool { return c == ws }) }()
	ctx := r.Context()
	for msg, err := range ws.Messages(ctx) {
		if err != nil {
			return
		}
		if msg.Type == aiohttp.WSText {
			out := aiohttp.WSMessage{Type: aiohttp.WSText, Data: append([]byte("Broadcast: "), msg.Data...)}
			aiohttp.Broadcast(ctx, slices.Values(s.room), out, aiohttp.CloseSlow)
		}
	}
}
