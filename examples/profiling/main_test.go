package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// TestRun profiles the two tasks for 300 ms (longer if a task got no sample) and checks that the profile
// splits by task: both labels got samples, and the file was written.
func TestRun(t *testing.T) {
	var buf bytes.Buffer
	file := filepath.Join(t.TempDir(), "cpu.pprof")
	if err := run(&buf, 300*time.Millisecond, file); err != nil {
		t.Fatal(err)
	}
	want := regexp.MustCompile(`^CPU samples by the label asyncio.task:
  compressor +\d+%
  hasher +\d+%
$`)
	if !want.MatchString(buf.String()) {
		t.Errorf("output:\n%s\nwant it to match:\n%s", buf.String(), want)
	}
	if fi, err := os.Stat(file); err != nil || fi.Size() == 0 {
		t.Errorf("profile file: %v, %v", fi, err)
	}
}
