package wsframe

import "errors"

// Close status codes of RFC 6455 section 7.4.1 that this package reports or
// gives meaning to.
const (
	CloseNormal          = 1000 // normal closure
	CloseGoingAway       = 1001 // endpoint going away
	CloseProtocolError   = 1002 // protocol violation
	CloseUnsupportedData = 1003 // data type the endpoint cannot accept
	CloseNoStatus        = 1005 // reserved: a close frame had no code
	CloseAbnormal        = 1006 // reserved: connection closed without a close frame
	CloseInvalidPayload  = 1007 // data inconsistent with the message type (bad UTF-8)
	ClosePolicyViolation = 1008 // policy violation
	CloseMessageTooBig   = 1009 // message too big to process
	CloseInternalError   = 1011 // unexpected condition on the server
)

// ErrIncomplete reports that the buffer ends before the frame header (or
// the structure being parsed) does. It is not final: the caller reads more
// bytes and calls again with the longer buffer.
var ErrIncomplete = errors.New("wsframe: incomplete")

// ProtocolError is a violation of RFC 6455 by the peer. Code is the close
// status the endpoint sends in its close frame before failing the
// connection.
type ProtocolError struct {
	Code   int    // close status code to send, such as CloseProtocolError
	Reason string // short description, fit for a close frame's reason
}

func (e *ProtocolError) Error() string { return "wsframe: " + e.Reason }

// The rules a frame or close payload can break. They are compared with
// errors.Is.
var (
	// ErrReservedOpcode reports an opcode of 3-7 or 0xB-0xF.
	ErrReservedOpcode = &ProtocolError{CloseProtocolError, "reserved opcode"}
	// ErrReservedBits reports an RSV bit set that no extension negotiated.
	ErrReservedBits = &ProtocolError{CloseProtocolError, "reserved bits set"}
	// ErrFragmentedControl reports a control frame without FIN.
	ErrFragmentedControl = &ProtocolError{CloseProtocolError, "fragmented control frame"}
	// ErrControlTooLong reports a control frame payload of more than 125 bytes.
	ErrControlTooLong = &ProtocolError{CloseProtocolError, "control frame payload over 125 bytes"}
	// ErrUnmasked reports a frame from a client without a mask.
	ErrUnmasked = &ProtocolError{CloseProtocolError, "frame from client not masked"}
	// ErrMasked reports a frame from a server with a mask.
	ErrMasked = &ProtocolError{CloseProtocolError, "frame from server masked"}
	// ErrLengthOverflow reports a 64-bit payload length with its high bit set.
	ErrLengthOverflow = &ProtocolError{CloseProtocolError, "payload length has its high bit set"}
	// ErrTooBig reports a payload longer than Limits.MaxPayload.
	ErrTooBig = &ProtocolError{CloseMessageTooBig, "payload too big"}
	// ErrCloseLength reports a close payload of exactly one byte.
	ErrCloseLength = &ProtocolError{CloseProtocolError, "close payload of one byte"}
	// ErrCloseCode reports a close status code that may not be sent on the wire.
	ErrCloseCode = &ProtocolError{CloseProtocolError, "invalid close code"}
	// ErrInvalidUTF8 reports text (a message or a close reason) that is not UTF-8.
	ErrInvalidUTF8 = &ProtocolError{CloseInvalidPayload, "invalid UTF-8"}
)

// CloseCode returns the close status code to send for err: the Code of a
// *ProtocolError in its chain, CloseNormal for nil, and CloseInternalError
// for any other error.
func CloseCode(err error) int {
	if err == nil {
		return CloseNormal
	}
	var pe *ProtocolError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return CloseInternalError
}
