package leakcheck

import (
	"testing"
	"time"
)

func TestMain(m *testing.M) { Main(m) }

func TestLeakedSeesAndForgets(t *testing.T) {
	stop := make(chan struct{})
	go func() { <-stop }()
	if got := Leaked(0); len(got) != 1 {
		t.Fatalf("Leaked found %d goroutines, want the one started here", len(got))
	}
	close(stop)
	if got := Leaked(5 * time.Second); len(got) != 0 {
		t.Fatalf("goroutine still reported after it ended: %v", got)
	}
}
