package wsdeflate

import (
	"fmt"

	"github.com/klauspost/compress/flate"
)

// ExtensionName is the extension token of permessage-deflate.
const ExtensionName = "permessage-deflate"

// Window sizes of RFC 7692 section 7.1.2, as base-2 logarithms.
const (
	MinWindowBits = 8
	MaxWindowBits = 15
)

// Params are the negotiated parameters of RFC 7692 section 7.1.
//
// The window bits are 8 to 15, and 15 when not negotiated lower; zero is
// taken as 15 too, so the zero Params is permessage-deflate with no
// parameters.
type Params struct {
	ServerNoContextTakeover, ClientNoContextTakeover bool
	ServerMaxWindowBits, ClientMaxWindowBits         int
}

// Config is what this side accepts (as a server) or offers (as a client).
// The zero Config is the default: fast compression and no context
// takeover for our own messages.
type Config struct {
	// Level is the flate level of our messages: 0 means
	// flate.BestSpeed, otherwise one of flate.HuffmanOnly,
	// flate.DefaultCompression or 1 to 9 (flate.NoCompression cannot be
	// asked for: not negotiating the extension does that job better).
	//
	// BestSpeed is the default because it costs about half of level
	// 6's CPU on 4 KiB JSON-like messages, for output about a quarter
	// larger (see BenchmarkCompress), and because without context
	// takeover every message starts with a writer Reset, whose cost
	// grows with the level's hash tables.
	Level int

	// ContextTakeover lets our Compressor keep its LZ77 window from one
	// message to the next, when the peer allows it. Repeated content
	// then compresses much better, at the price of a writer (0.5 to
	// 1 MiB) held for the life of the connection. Without it, the
	// server answers server_no_context_takeover and the client offers
	// client_no_context_takeover, and writers are pooled per message.
	ContextTakeover bool
}

// level returns the flate level Config asks for, normalized so that each
// distinct behavior has one number, or panics for a level flate rejects.
func (cfg Config) level() int {
	switch l := cfg.Level; {
	case l == 0:
		return flate.BestSpeed
	case l == flate.DefaultCompression:
		return 6
	case l == flate.HuffmanOnly || (l >= flate.BestSpeed && l <= flate.BestCompression):
		return l
	default:
		panic(fmt.Sprintf("wsdeflate: invalid compression level %d", l))
	}
}

// windowBits returns bits with zero meaning MaxWindowBits, or panics if it
// is outside the range of RFC 7692.
func windowBits(bits int) int {
	if bits == 0 {
		return MaxWindowBits
	}
	if bits < MinWindowBits || bits > MaxWindowBits {
		panic(fmt.Sprintf("wsdeflate: window bits %d outside [%d, %d]", bits, MinWindowBits, MaxWindowBits))
	}
	return bits
}
