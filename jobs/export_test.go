package jobs

import "github.com/nats-io/nats.go"

// Offer hands a message with payload data and nothing else to q as if a
// pull had brought it, on the loop, without yielding: a Get that takes it
// must not settle it.
func Offer[T any](q *Queue[T], data []byte) {
	q.core.offer(&delivery{q: q.core, msg: &nats.Msg{Data: data}, attempt: 1})
}

// SetMaxRecent sets how many results a watch keeps for Results to
// come, until the test ends.
func SetMaxRecent(t interface{ Cleanup(func()) }, n int) {
	old := maxRecent
	maxRecent = n
	t.Cleanup(func() { maxRecent = old })
}

// NumDelivered is numDelivered, for a test against the server's subjects.
var NumDelivered = numDelivered

// StoredAt is storedAt, for a test against the server's subjects.
var StoredAt = storedAt
