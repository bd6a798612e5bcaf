package aiohttp

import (
	"fmt"
	"net/http"
	"time"
)

// A WSOption configures a WebSocket, given to Upgrade (the server's end)
// or to Session.WSConnect (the client's). Options that concern one end
// only say so; the other end ignores them.
type WSOption interface {
	applyWS(*wsConfig)
}

type wsOption func(*wsConfig)

func (o wsOption) applyWS(c *wsConfig) { o(c) }

// Defaults of the WebSocket options, aiohttp's.
const (
	// DefaultMaxMsgSize bounds a received message: 4 MiB.
	DefaultMaxMsgSize = 4 << 20
	// DefaultCloseTimeout bounds the closing handshake: 10 s.
	DefaultCloseTimeout = 10 * time.Second
)

type wsConfig struct {
	protocols       []string
	heartbeat       time.Duration
	receiveTimeout  time.Duration
	closeTimeout    time.Duration
	maxMsgSize      int
	noAutoping      bool
	compress        *bool // nil: the end's default (server on, client off)
	compressLevel   int
	contextTakeover bool
	writeHigh       int
	checkOrigin     func(*http.Request) bool
	origin          string
	request         []RequestOption
}

// check reports options that cannot work.
func (c *wsConfig) check() error {
	if c.compressLevel < -2 || c.compressLevel > 9 {
		return fmt.Errorf("aiohttp: CompressLevel(%d): not a compress/flate level", c.compressLevel)
	}
	return nil
}

func newWSConfig(opts []WSOption) *wsConfig {
	c := &wsConfig{maxMsgSize: DefaultMaxMsgSize, closeTimeout: DefaultCloseTimeout}
	for _, o := range opts {
		o.applyWS(c)
	}
	return c
}

// Protocols lists the subprotocols this end speaks, in order of preference
// (aiohttp's protocols). The server picks the first of its own that the
// client offers; a client fails the handshake if the server picks one it
// did not offer. Without it, no subprotocol is negotiated.
func Protocols(p ...string) WSOption {
	return wsOption(func(c *wsConfig) { c.protocols = p })
}

// Heartbeat makes the WebSocket send a ping after d without any frame from
// the peer, and fail the connection (ErrWSHeartbeat, code 1006) if nothing
// comes back within d/2 (aiohttp's heartbeat). It is how a server reaps
// peers that vanished without closing. d ≤ 0: no heartbeat, the default.
func Heartbeat(d time.Duration) WSOption {
	return wsOption(func(c *wsConfig) { c.heartbeat = d })
}

// Autoping sets whether pings are answered, and pongs taken, by the
// WebSocket itself (aiohttp's autoping; true by default). With false,
// Receive returns WSPing and WSPong messages and the application answers
// pings with Pong.
func Autoping(on bool) WSOption {
	return wsOption(func(c *wsConfig) { c.noAutoping = !on })
}

// ReceiveTimeout bounds each Receive (aiohttp's receive_timeout): one that
// waits longer returns a *TimeoutError, and the connection stays usable.
// d ≤ 0: no bound, the default.
func ReceiveTimeout(d time.Duration) WSOption {
	return wsOption(func(c *wsConfig) { c.receiveTimeout = d })
}

// CloseTimeout bounds the closing handshake (aiohttp's timeout of
// WebSocketResponse): after sending its close frame, an end waits that
// long for the peer's, then aborts the connection. Default
// DefaultCloseTimeout.
func CloseTimeout(d time.Duration) WSOption {
	return wsOption(func(c *wsConfig) { c.closeTimeout = d })
}

// MaxMsgSize bounds a received message, counted after decompression
// (aiohttp's max_msg_size; default DefaultMaxMsgSize). A longer one fails
// the connection with code 1009 as soon as its size is known, without
// buffering it. n ≤ 0: no bound.
func MaxMsgSize(n int) WSOption {
	return wsOption(func(c *wsConfig) { c.maxMsgSize = n })
}

// Compress sets whether messages are compressed with permessage-deflate
// (RFC 7692; aiohttp's compress): a server accepts a client's offer (on by
// default), a client offers it (off by default). Messages shorter than 128
// bytes go uncompressed, which the extension allows: deflate saves nothing
// on them.
//
// This end's messages are compressed each on its own, with a compressor
// taken from a pool for the message (the server answers
// server_no_context_takeover, the client offers
// client_no_context_takeover), so that an idle connection holds no
// compression state; CompressContextTakeover trades memory for ratio.
func Compress(on bool) WSOption {
	return wsOption(func(c *wsConfig) { c.compress = &on })
}

// CompressLevel sets the compress/flate level of the messages this end
// compresses; the default is flate.BestSpeed, a third of the CPU of the
// default level for output a quarter larger.
func CompressLevel(level int) WSOption {
	return wsOption(func(c *wsConfig) { c.compressLevel = level })
}

// CompressContextTakeover lets this end's compressor keep its window from
// one message to the next, when the peer allows it: repeated content
// compresses much better, but each connection then holds a compressor
// (about 1 MiB) for its whole life, instead of taking one from a pool per
// message. Off by default.
func CompressContextTakeover(on bool) WSOption {
	return wsOption(func(c *wsConfig) { c.contextTakeover = on })
}

// WriteBufferLimit sets how many bytes a WebSocket lets its transport
// buffer before a send waits for the peer to read (aiohttp's
// writer_limit; default 64 KiB, the transport's high-water mark).
func WriteBufferLimit(n int) WSOption {
	return wsOption(func(c *wsConfig) { c.writeHigh = n })
}

// WithOriginCheck makes Upgrade refuse, with 403 Forbidden, a handshake
// for which check returns false. Browsers send the page's origin in the
// Origin header; without a check every origin is accepted, as aiohttp
// does. The server's end only.
func WithOriginCheck(check func(r *http.Request) bool) WSOption {
	return wsOption(func(c *wsConfig) { c.checkOrigin = check })
}

// Origin sets the Origin header of the handshake (aiohttp's origin). The
// client's end only.
func Origin(origin string) WSOption {
	return wsOption(func(c *wsConfig) { c.origin = origin })
}

// WSRequest applies request options (Headers, WithHeader, Params,
// BasicAuth, BearerAuth, Timeout) to the handshake request of
// Session.WSConnect (aiohttp's headers, auth, params). An option that
// gives the request a body makes WSConnect fail. The client's end only.
func WSRequest(opts ...RequestOption) WSOption {
	return wsOption(func(c *wsConfig) { c.request = append(c.request, opts...) })
}
