package main

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// The sums printed are the files' SHA-256, in file order: computed here
// again, directly, from the contents run writes.
func TestOutput(t *testing.T) {
	var out strings.Builder
	if err := run(&out); err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	for i := range 12 {
		sum := sha256.Sum256([]byte(strings.Repeat(fmt.Sprintf("line %d\n", i), i*15000)))
		fmt.Fprintf(&want, "%x  file%02d.txt\n", sum[:8], i)
	}
	if got := out.String(); got != want.String() {
		t.Errorf("output:\n%s\nwant:\n%s", got, want.String())
	}
}
