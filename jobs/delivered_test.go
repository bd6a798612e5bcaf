package jobs

import "testing"

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
