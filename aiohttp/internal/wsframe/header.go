package wsframe

// Opcode is a frame's opcode (RFC 6455 section 5.2).
type Opcode uint8

// The opcodes RFC 6455 defines; the others are reserved.
const (
	Continuation Opcode = 0x0
	Text         Opcode = 0x1
	Binary       Opcode = 0x2
	Close        Opcode = 0x8
	Ping         Opcode = 0x9
	Pong         Opcode = 0xA
)

// IsControl reports whether op is a control opcode (Close, Ping, Pong or a
// reserved one from 0xB to 0xF).
func (op Opcode) IsControl() bool { return op&0x8 != 0 }

// isReserved reports whether op is one RFC 6455 reserves for later use.
func (op Opcode) isReserved() bool { return (op > Binary && op < Close) || op > Pong }

// MaxControlPayload is the longest payload a control frame may carry.
const MaxControlPayload = 125

// MaxHeaderLen is the longest a frame header can be: two bytes, an eight
// byte extended length and a four byte mask key.
const MaxHeaderLen = 14

// Header is a frame header.
type Header struct {
	Fin     bool    // final fragment of a message
	RSV1    bool    // reserved bit 1 (compressed message with permessage-deflate)
	RSV2    bool    // reserved bit 2
	RSV3    bool    // reserved bit 3
	Opcode  Opcode  // frame type
	Masked  bool    // payload is masked with MaskKey
	MaskKey [4]byte // mask key, if Masked
	Length  int64   // payload length in bytes, never negative
}
