package jobs

import "strings"

// numDelivered reads how many times a message was delivered from the
// subject its acknowledgement goes to, without the allocations of the
// client's Metadata (a split into tokens and a struct per message, a
// good part of a short job's cost). The subject is
//
//	$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending>
//
// or, from servers that add a domain and an account hash,
//
//	$JS.ACK.<domain>.<account hash>.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending>.<token>
//
// ok is false for any other form; the caller then asks Metadata.
func numDelivered(reply string) (n int, ok bool) {
	rest, found := strings.CutPrefix(reply, "$JS.ACK.")
	if !found {
		return 0, false
	}
	tokens := strings.Count(rest, ".") + 3 // with "$JS" and "ACK"
	var index int
	switch {
	case tokens == 9:
		index = 4
	case tokens >= 12:
		index = 6
	default:
		return 0, false
	}
	for range index - 2 {
		_, rest, _ = strings.Cut(rest, ".")
	}
	field, _, _ := strings.Cut(rest, ".")
	if field == "" {
		return 0, false
	}
	for _, c := range []byte(field) {
		if c < '0' || c > '9' || n > 1<<40 {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
