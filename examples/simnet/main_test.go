package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// transcript runs the program under seed and returns what it printed.
func transcript(t *testing.T, seed uint64) string {
	t.Helper()
	var buf bytes.Buffer
	if err := run(&buf, seed); err != nil {
		t.Fatalf("seed %d: %v\n%s", seed, err, buf.String())
	}
	return buf.String()
}

// The transcript of seed 1: a loss the connection hides, a partition the
// client waits out with retries on new connections, and the connection
// given up across the partition ending on the server once it heals.
func TestTranscript(t *testing.T) {
	const want = `   0.000s  seed 1: latency 20ms plus up to 10ms, 10% loss; partition at 1.5s for 3s
   0.026s  server: connection from client:49152
   0.101s  client: SET color blue -> OK (attempt 1)
   0.353s  client: SET shape circle -> OK (attempt 1)
   0.600s  client: GET color -> VALUE blue (attempt 1)
   0.848s  client: SET size large -> OK (attempt 1)
   1.089s  client: GET shape -> VALUE circle (attempt 1)
   1.343s  client: SET color green -> OK (attempt 1)
   1.500s  network: partition between client and server
   1.843s  client: GET weight: attempt 1: no answer within 300ms
   2.243s  client: GET weight: attempt 2: no answer within 300ms
   2.743s  client: GET weight: attempt 3: no answer within 300ms
   3.443s  client: GET weight: attempt 4: no answer within 300ms
   4.500s  network: partition healed
   4.530s  server: connection from client:49156
   4.543s  client: GET weight: attempt 5: no answer within 300ms
   4.842s  server: client:49156: read simnet server:7000->client:49156: connection reset by peer
   5.523s  server: client:49152: read simnet server:7000->client:49152: connection reset by peer
   6.165s  server: connection from client:49157
   6.240s  client: GET weight -> MISSING (attempt 6)
   6.488s  client: GET color -> VALUE green (attempt 1)
   6.735s  client: SET weight 12kg -> OK (attempt 1)
   6.985s  client: GET size -> VALUE large (attempt 1)
   7.231s  client: GET weight -> VALUE 12kg (attempt 1)
   7.478s  client: SET done yes -> OK (attempt 1)
   7.678s  client: 12 requests, 17 attempts, 0 wrong answers
   7.968s  server: client:49157 closed its side
   7.968s  network: 54 packets sent, 18 lost
`
	if got := transcript(t, 1); got != want {
		t.Errorf("seed 1 printed:\n%s\nwant:\n%s", got, want)
	}
}

// A seed replays exactly: the same transcript, run after run.
func TestSameSeedSameTranscript(t *testing.T) {
	for _, seed := range []uint64{1, 7, 42} {
		if first, again := transcript(t, seed), transcript(t, seed); first != again {
			t.Errorf("seed %d printed two transcripts:\n%s\nthen:\n%s", seed, first, again)
		}
	}
}

// Other seeds lose other packets and tell other stories, and in every one
// the client gets every answer right in the end (run returns an error for
// a wrong answer or a request given up).
func TestSeedsDiffer(t *testing.T) {
	seen := map[string]uint64{}
	for seed := uint64(1); seed <= 20; seed++ {
		out := transcript(t, seed)
		if other, ok := seen[out]; ok {
			t.Errorf("seeds %d and %d printed the same transcript", other, seed)
		}
		seen[out] = seed
		for _, want := range []string{"network: partition between client and server", "network: partition healed", "12 requests", "0 wrong answers"} {
			if !strings.Contains(out, want) {
				t.Errorf("seed %d: the transcript lacks %q:\n%s", seed, want, out)
			}
		}
	}
}
