package jobs

import (
	"strings"
	"time"
)

// The fields of a JetStream acknowledgement subject that a delivery reads,
// counted from the number of deliveries.
const (
	ackDelivered = 0 // how many times the message was delivered
	ackStreamSeq = 1 // its sequence number in its stream
	ackStored    = 3 // when the server stored it, in ns since the epoch
)

// ackField reads field i (ackDelivered, ackStreamSeq, ackStored) from the subject a
// message's acknowledgement goes to, without the allocations of the
// client's Metadata (a split into tokens and a struct per message, a good
// part of a short job's cost). The subject is
//
//	$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending>
//
// or, from servers that add a domain and an account hash,
//
//	$JS.ACK.<domain>.<account hash>.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending>.<token>
//
// ok is false for any other form, which the client's Metadata does not
// read either.
func ackField(reply string, i int) (n int64, ok bool) {
	rest, found := strings.CutPrefix(reply, "$JS.ACK.")
	if !found {
		return 0, false
	}
	tokens := strings.Count(rest, ".") + 3 // with "$JS" and "ACK"
	var first int                          // the token of ackDelivered
	switch {
	case tokens == 9:
		first = 4
	case tokens >= 12:
		first = 6
	default:
		return 0, false
	}
	for range first + i - 2 {
		_, rest, _ = strings.Cut(rest, ".")
	}
	field, _, _ := strings.Cut(rest, ".")
	if field == "" {
		return 0, false
	}
	for _, c := range []byte(field) {
		if c < '0' || c > '9' || n > (1<<62)/10 {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// numDelivered reads how many times a message was delivered from its
// acknowledgement subject.
func numDelivered(reply string) (int, bool) {
	n, ok := ackField(reply, ackDelivered)
	return int(n), ok
}

// storedAt reads when the server stored a message from its
// acknowledgement subject.
func storedAt(reply string) (time.Time, bool) {
	ns, ok := ackField(reply, ackStored)
	if !ok {
		return time.Time{}, false
	}
	return time.Unix(0, ns), true
}
