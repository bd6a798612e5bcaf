package jobs

import "github.com/nats-io/nats.go/jetstream"

// fakeMsg is a message that only has a payload: Offer hands it to a Get
// that must not settle it.
type fakeMsg struct {
	jetstream.Msg
	data []byte
}

func (m fakeMsg) Data() []byte { return m.data }

// Offer hands a message with payload data to q as if the puller had
// fetched it, on the loop, without yielding.
func Offer[T any](q *Queue[T], data []byte) {
	q.core.offer(&delivery{q: q.core, msg: fakeMsg{data: data}, attempt: 1})
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
