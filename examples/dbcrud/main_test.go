package main

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// TestRun runs the tutorial's steps on a new SQLite file: each prints the
// table as the step left it.
func TestRun(t *testing.T) {
	var buf bytes.Buffer
	if err := run(&buf, "sqlite:"+filepath.Join(t.TempDir(), "example.db")); err != nil {
		t.Fatal(err)
	}
	const want = `create_table                       messages: []
create_message("Hello, World!")    messages: [{1 Hello, World!}]
update_message(1): 1 row           messages: [{1 Hello, AsyncIO!}]
delete_message(1): 1 row           messages: []
delete_message(1) again: 0 rows    messages: []
`
	if got := buf.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}
