package wsframe

// Role says which end of the connection parses a frame, which decides the
// masking rule: frames from a client are masked, frames from a server not.
type Role uint8

// The two roles.
const (
	// Server parses frames sent by a client, which must be masked.
	Server Role = iota
	// Client parses frames sent by a server, which must not be masked.
	Client
)

// Limits are what the endpoint accepts beyond the base protocol. The zero
// value accepts no extension bit and payloads of any length.
type Limits struct {
	// MaxPayload bounds a frame's payload length; zero means no bound.
	// (A message of several frames is bounded by its reader.)
	MaxPayload int64
	// AllowRSV1 accepts the RSV1 bit on the first frame of a Text or
	// Binary message, as negotiated by permessage-deflate (RFC 7692). It
	// stays refused on continuation and control frames (RFC 7692 section
	// 6.1).
	AllowRSV1 bool
}
