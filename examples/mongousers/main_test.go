package main

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio/internal/leakcheck"
	mongodriver "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// TestRun plays the tutorial against the server at MONGODB_URL, in a
// database of the test's own, dropped afterwards.
func TestRun(t *testing.T) {
	url := os.Getenv("MONGODB_URL")
	if url == "" {
		unavailable(t, "MONGODB_URL is not set")
	}
	// Probe the server first, from the test's goroutine: run's first
	// operation would wait the driver's 30 s for a server that is not
	// there.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := mongodriver.Connect(options.Client().ApplyURI(url).SetServerSelectionTimeout(3 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Disconnect(ctx)
	if err := d.Ping(ctx, nil); err != nil {
		unavailable(t, "no MongoDB server answers at MONGODB_URL="+url+": "+err.Error())
	}
	const db = "asyncio_examples_mongousers"
	defer d.Database(db).Drop(ctx)

	for range 2 { // the second run finds the first one's user gone
		var buf bytes.Buffer
		if err := run(&buf, url, db); err != nil {
			t.Fatal(err)
		}
		// The ObjectID differs from run to run.
		got := regexp.MustCompile(`Inserted ID: [0-9a-f]{24}\n`).ReplaceAllString(buf.String(), "Inserted ID: <24 hex digits>\n")
		const want = `Inserted ID: <24 hex digits>
Found by _id: Alice <alice@example.com>, 30
User: Alice
Updated Alice's age: 1 matched, 1 modified
Average age: 31
Users in the collection: 1
`
		if got != want {
			t.Fatalf("output:\n%s\nwant:\n%s", buf.String(), want)
		}
	}
}

// TestNoURL checks that without a server the program says what it needs
// and succeeds.
func TestNoURL(t *testing.T) {
	var buf bytes.Buffer
	if err := run(&buf, "", "unused"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "MONGODB_URL is not set") {
		t.Errorf("output without MONGODB_URL: %q", buf.String())
	}
}

func unavailable(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s; CI must run this test against a MongoDB server (FerretDB will do)", why)
	}
	t.Skipf("%s; set MONGODB_URL to a MongoDB server (FerretDB will do) to run this test", why)
}
