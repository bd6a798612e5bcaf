// Package http1 parses the HTTP/1.1 wire format for aiohttp's client and
// server: request heads, body framing and chunked bodies.
//
// It is internal to aiohttp. It parses bytes the caller already holds and
// never reads from a connection, so it has no dependency on the event loop.
// Parsed names and values are sub-slices of the caller's buffer (no copies,
// no allocation per header), which is why it exists instead of
// http.ReadRequest. The semantics stay those of net/http: the parser is
// fuzzed differentially against http.ReadRequest, and it is stricter only
// where RFC 9112 says a message must be rejected (request smuggling, bare CR,
// obsolete line folding) or where a limit applies.
package http1
