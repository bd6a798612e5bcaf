package jobs

import (
	"encoding/json"
	"time"
)

// A QueueOption configures OpenQueue. The stream and consumer settings
// (AckWait, MaxAttempts, DuplicateWindow, Replicas) are the server's: the first
// process to open a queue sets them, and a later one with other values
// updates them for everyone.
type QueueOption func(*queueConfig)

type queueConfig struct {
	ackWait     time.Duration
	maxAttempts int
	dupWindow   time.Duration
	replicas    int
	prefetch    int
	codec       Codec
	joinPoll    time.Duration
}

func defaultQueueConfig() queueConfig {
	return queueConfig{
		ackWait:     30 * time.Second,
		maxAttempts: 5,
		dupWindow:   2 * time.Minute,
		replicas:    1,
		codec:       JSON{},
		joinPoll:    50 * time.Millisecond,
	}
}

// AckWait sets how long the server waits for a word from the holder of
// an item before it delivers the item again (30 s by default). While a
// task holds an item, the queue sends that word every third of d.
func AckWait(d time.Duration) QueueOption { return func(c *queueConfig) { c.ackWait = d } }

// MaxAttempts sets how many times an item is delivered before it goes to
// the dead-letter stream (5 by default).
func MaxAttempts(n int) QueueOption { return func(c *queueConfig) { c.maxAttempts = n } }

// DuplicateWindow sets how long the stream remembers MsgIDs (2 min by
// default).
func DuplicateWindow(d time.Duration) QueueOption { return func(c *queueConfig) { c.dupWindow = d } }

// Replicas sets on how many servers of a NATS cluster the queue's
// streams keep each item (1 by default: on one server, lost with its
// disk). A single server refuses more than 1; a cluster takes up to 5.
func Replicas(n int) QueueOption { return func(c *queueConfig) { c.replicas = n } }

// Prefetch lets the queue hold up to n items beyond those its waiting Gets
// asked for (0 by default), trading a round trip per Get for items other
// processes cannot take meanwhile.
func Prefetch(n int) QueueOption { return func(c *queueConfig) { c.prefetch = n } }

// WithCodec sets how values are encoded in messages (JSON by default).
func WithCodec(codec Codec) QueueOption { return func(c *queueConfig) { c.codec = codec } }

// A Codec turns values into message payloads and back: Marshal is given
// the T that Put was, Unmarshal a *T to fill.
type Codec interface {
	Marshal(v any) ([]byte, error)
	Unmarshal(data []byte, v any) error
}

// JSON is the default Codec, encoding/json.
type JSON struct{}

// Marshal encodes v as JSON.
func (JSON) Marshal(v any) ([]byte, error) { return json.Marshal(v) }

// Unmarshal decodes JSON into v.
func (JSON) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

// A PutOption configures one Put.
type PutOption func(*putConfig)

type putConfig struct {
	msgID string
}

// MsgID names the item for deduplication: within the stream's duplicate
// window, a second Put with the same id is acknowledged but not stored
// (the Nats-Msg-Id header).
func MsgID(id string) PutOption { return func(c *putConfig) { c.msgID = id } }
