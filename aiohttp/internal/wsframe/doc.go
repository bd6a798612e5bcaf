// Package wsframe parses and writes the WebSocket frame format of RFC 6455:
// frame headers, masking, close-frame payloads and the UTF-8 validation of
// text messages that arrive in fragments.
//
// It is internal to aiohttp. Like package http1, it works on bytes the
// caller already holds and never reads from a connection, so it has no
// dependency on the event loop: ParseHeader reports ErrIncomplete when more
// bytes are needed, and the caller reads the payload itself, unmasking it
// with Mask as it arrives.
//
// Every violation of the protocol is reported as a *ProtocolError that
// carries the close code (RFC 6455 section 7.4.1) the endpoint sends before
// it fails the connection; CloseCode extracts it from any error.
package wsframe
