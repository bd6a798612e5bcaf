package faultproxy_test

import (
	"bufio"
	"io"
	"net"
	"sync"
	"testing"

	"github.com/asyncio-go/asyncio/internal/faultproxy"
	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// echoServer echoes lines until the test ends.
func echoServer(t *testing.T) string {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		lis.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() { // ends when the listener closes; each conn's when it closes
		defer wg.Done()
		for {
			c, err := lis.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
	return lis.Addr().String()
}

func TestProxy(t *testing.T) {
	p, err := faultproxy.Start(echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	holding := make(chan struct{}, 4)
	p.SetHolding(holding)
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	echo := func(line string) string {
		t.Helper()
		if _, err := c.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
		got, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := echo("one\n"); got != "one\n" {
		t.Errorf("through the proxy: %q", got)
	}

	// A partition holds the line back; healing lets it through.
	p.Partition()
	if _, err := c.Write([]byte("two\n")); err != nil {
		t.Fatal(err)
	}
	<-holding // the proxy has the line and holds it
	p.Heal()
	if got, err := r.ReadString('\n'); got != "two\n" || err != nil {
		t.Errorf("after healing: %q, %v", got, err)
	}

	// Cut closes the connection at both ends.
	p.Cut()
	if _, err := r.ReadString('\n'); err == nil {
		t.Error("the connection survived Cut")
	}
	// New connections go through still.
	c2, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	c2.Write([]byte("three\n"))
	if got, err := bufio.NewReader(c2).ReadString('\n'); got != "three\n" || err != nil {
		t.Errorf("after Cut: %q, %v", got, err)
	}
}

// TestCloseWhilePartitioned: Close ends the goroutines that a partition
// holds.
func TestCloseWhilePartitioned(t *testing.T) {
	p, err := faultproxy.Start(echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	holding := make(chan struct{}, 4)
	p.SetHolding(holding)
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p.Partition()
	c.Write([]byte("held\n"))
	<-holding
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Error("the connection survived Close")
	}
}
