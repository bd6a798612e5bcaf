package main

import (
	"bytes"
	"testing"

	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// TestRun checks every answer the client prints: the JSON of the rows,
// the 400 and 404 errors, and that the ten concurrent POSTs all landed.
func TestRun(t *testing.T) {
	var buf bytes.Buffer
	if err := run(&buf); err != nil {
		t.Fatal(err)
	}
	const want = `GET /messages → 200 []
POST /messages {"content": "Hello, World!"} → 201 {"id":1,"content":"Hello, World!"}
POST /messages {"content": "Hello, AsyncIO!"} → 201 {"id":2,"content":"Hello, AsyncIO!"}
POST /messages {"content": ""} → 400 {"error":"content is empty"}
GET /messages → 200 [{"id":1,"content":"Hello, World!"},{"id":2,"content":"Hello, AsyncIO!"}]
GET /messages/2 → 200 {"id":2,"content":"Hello, AsyncIO!"}
GET /messages/7 → 404 {"error":"message 7 not found"}
10 × POST /messages at once → [201 201 201 201 201 201 201 201 201 201]
GET /messages → 200, 12 messages
`
	if got := buf.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}
