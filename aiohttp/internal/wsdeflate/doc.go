// Package wsdeflate implements the permessage-deflate extension of
// WebSockets (RFC 7692): the negotiation of its parameters in the
// Sec-WebSocket-Extensions header fields, and the compression and
// decompression of message payloads with github.com/klauspost/compress/flate,
// a drop-in for the standard library's compress/flate that takes two to
// five times less CPU per message here (BenchmarkCompress, against the
// standard library's in the same run), and which the module already uses
// for zstd.
//
// It is internal to aiohttp and, like package wsframe, works on bytes the
// caller already holds: Compress and Decompress take and return whole
// payloads (or, for Compressor, fragments of one), and never touch a
// connection.
//
// # Memory policy
//
// A flate.Writer is large whatever its level (about 0.5 MiB for
// flate.BestSpeed, 0.7 to 1 MiB for levels 2-9 and 0.3 MiB for
// flate.HuffmanOnly; see TestWriterSize) and a flate reader about 40 KiB,
// so a server with many idle connections cannot afford one of each per
// connection. The package therefore holds compression state only while it
// is needed:
//
//   - Without context takeover, a Compressor takes a writer from a pool
//     for each message and returns it when the message ends, and a
//     Decompressor takes a reader from a pool for each message. An idle
//     connection holds about a hundred bytes (see TestIdleMemory).
//   - With context takeover for incoming messages, the peer may refer to
//     the last 2^window-bits bytes of earlier messages, so the
//     Decompressor keeps exactly those bytes (at most 32 KiB) between
//     messages and hands them to a pooled reader as its dictionary; the
//     reader itself is still pooled.
//   - With context takeover for outgoing messages, flate offers
//     no way to save a writer's state smaller than the writer, so the
//     Compressor keeps its writer for its whole life. This is why a
//     server answers server_no_context_takeover unless Config asks for
//     takeover, and a client offers client_no_context_takeover likewise.
//
// # Window sizes
//
// flate always uses a 32 KiB window and cannot be told to
// search a smaller one. When the peer limits our window below 15 bits
// (server_max_window_bits or client_max_window_bits under 15), our
// Compressor therefore uses flate.HuffmanOnly, which emits no
// back-references at all: every message is Huffman-coded literals, still
// smaller than the text for most messages, and trivially within any
// window. Such a Compressor keeps no context either, since there is no
// reference that could use it. Incoming messages are not affected: a
// reader accepts any window up to 32 KiB, and with context takeover the
// Decompressor keeps only the negotiated 2^bits bytes of history, so a
// reference farther back than the peer may use fails as corrupt input.
//
// # Small messages
//
// Deflate gains nothing on messages of a few dozen bytes: 64-byte JSON
// comes out slightly larger, after microseconds spent building Huffman
// codes (BenchmarkCompress). RFC 7692 lets the sender choose per
// message, with the RSV1 bit, so the connection may send such messages
// uncompressed; they then enter neither our Compressor's history nor the
// peer's, which stay in step.
//
// # Bombs
//
// Deflate inflates at most about a thousandfold, so a 1 GiB bomb is a
// 1 MiB payload, which frame limits alone may let through. Decompress
// therefore takes a limit on the inflated size and stops with
// ErrTooLarge once it is passed, having inflated little more than the
// limit.
package wsdeflate
