package jobs

import (
	"testing"
	"time"
)

func TestNumDelivered(t *testing.T) {
	for _, c := range []struct {
		reply string
		n     int
		ok    bool
	}{
		{"$JS.ACK.orders.jobs.3.120.118.1733500000000000000.7", 3, true},
		{"$JS.ACK.hub.ABCDEF.orders.jobs.12.120.118.1733500000000000000.7.xyz", 12, true},
		{"$JS.ACK.hub.ABCDEF.orders.jobs.1.120.118.1733500000000000000.7.xyz.more", 1, true},
		{"$JS.ACK.orders.jobs.x.120.118.1733500000000000000.7", 0, false},
		{"$JS.ACK.orders.jobs..120.118.1733500000000000000.7", 0, false},
		{"$JS.ACK.orders.jobs.3.120", 0, false},
		{"_INBOX.abc", 0, false},
		{"", 0, false},
	} {
		n, ok := numDelivered(c.reply)
		if n != c.n || ok != c.ok {
			t.Errorf("numDelivered(%q) = %d, %v; want %d, %v", c.reply, n, ok, c.n, c.ok)
		}
	}
}

func TestStoredAt(t *testing.T) {
	for _, c := range []struct {
		reply string
		ns    int64
		ok    bool
	}{
		{"$JS.ACK.orders.jobs.3.120.118.1733500000000000000.7", 1733500000000000000, true},
		{"$JS.ACK.hub.ABCDEF.orders.jobs.12.120.118.1733500000123456789.7.xyz", 1733500000123456789, true},
		{"$JS.ACK.orders.jobs.3.120.118.17335x0000000000000.7", 0, false},
		{"$JS.ACK.orders.jobs.3.120.118.99999999999999999999.7", 0, false},
		{"$JS.ACK.orders.jobs.3.120", 0, false},
		{"_INBOX.abc", 0, false},
	} {
		at, ok := storedAt(c.reply)
		if ok != c.ok || (ok && !at.Equal(time.Unix(0, c.ns))) {
			t.Errorf("storedAt(%q) = %v, %v; want %v, %v", c.reply, at, ok, time.Unix(0, c.ns), c.ok)
		}
	}
}
