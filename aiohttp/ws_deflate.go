package aiohttp

import (
	"errors"
	"strings"
	"sync"

	"github.com/asyncio-go/asyncio/aiohttp/internal/wsdeflate"
	"github.com/asyncio-go/asyncio/aiohttp/internal/wsframe"
)

// wsDeflate is the permessage-deflate state of a connection (RFC 7692):
// see package wsdeflate for what it keeps between messages.
type wsDeflate struct {
	comp   *wsdeflate.Compressor
	decomp *wsdeflate.Decompressor
}

// wsMinCompress is the shortest message worth compressing: deflate's own
// framing outweighs what it saves on fewer bytes, and an uncompressed
// message (RSV1 clear) is always allowed.
const wsMinCompress = 128

// errWSCorrupt is a compressed message that does not inflate.
var errWSCorrupt = &WSProtocolError{Code: wsframe.CloseInvalidPayload, Reason: "invalid compressed data"}

// compressedBufs stage a compressed payload before its frame is written.
var compressedBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

func (c *wsConfig) deflateConfig() wsdeflate.Config {
	return wsdeflate.Config{Level: c.compressLevel, ContextTakeover: c.contextTakeover}
}

// acceptDeflate negotiates permessage-deflate on the server's side and
// returns the response's Sec-WebSocket-Extensions value.
func (ws *WebSocket) acceptDeflate(values []string) (string, bool) {
	p, resp, ok := wsdeflate.Accept(values, ws.cfg.deflateConfig())
	if !ok {
		return "", false
	}
	ws.setDeflate(p)
	ws.extensions = resp
	return resp, true
}

// wsDeflateOffer is a client's Sec-WebSocket-Extensions.
func wsDeflateOffer(cfg *wsConfig) string { return wsdeflate.Offer(cfg.deflateConfig()) }

// acceptDeflateResponse checks the server's answer to the client's offer.
func (ws *WebSocket) acceptDeflateResponse(values []string, offer string) error {
	if offer == "" {
		return errors.New("the server accepted an extension that was not offered: " + strings.Join(values, ", "))
	}
	p, ok, err := wsdeflate.ParseResponse(values, ws.cfg.deflateConfig())
	if err != nil {
		return err
	}
	if ok {
		ws.setDeflate(p)
		ws.extensions = strings.Join(values, ", ")
	}
	return nil
}

func (ws *WebSocket) setDeflate(p wsdeflate.Params) {
	server := ws.role == wsframe.Server
	ws.out.deflate = &wsDeflate{
		comp:   wsdeflate.NewCompressor(p, server, ws.cfg.deflateConfig()),
		decomp: wsdeflate.NewDecompressor(p, server),
	}
}

// inflate decompresses a message, bounded by MaxMsgSize: a message that
// would inflate beyond it (a deflate bomb among them) stops there.
func (ws *WebSocket) inflate(p []byte) ([]byte, error) {
	out, err := ws.out.deflate.decomp.Decompress(nil, p, max(ws.cfg.maxMsgSize, 0))
	switch {
	case err == nil:
		return out, nil
	case errors.Is(err, wsdeflate.ErrTooLarge):
		return nil, ErrWSMessageTooBig
	default:
		return nil, errWSCorrupt
	}
}

// writeCompressed sends a whole message, compressed unless it is short.
func (ws *WebSocket) writeCompressed(op wsframe.Opcode, p []byte, fin bool) error {
	if len(p) < wsMinCompress {
		return ws.writeFrame(op, fin, false, p)
	}
	bp := compressedBufs.Get().(*[]byte)
	b := ws.out.deflate.comp.Compress((*bp)[:0], p)
	err := ws.writeFrame(op, fin, true, b)
	if cap(b) <= maxPooledFrame {
		*bp = b[:0]
		compressedBufs.Put(bp)
	}
	return err
}

// writeCompressedFragment sends the next fragment of a compressed message
// sent as a stream; the first sets RSV1 for the whole message.
func (ws *WebSocket) writeCompressedFragment(op wsframe.Opcode, p []byte, first, fin bool) error {
	bp := compressedBufs.Get().(*[]byte)
	b := ws.out.deflate.comp.CompressFragment((*bp)[:0], p, fin)
	err := ws.writeFrame(op, fin, first, b)
	if cap(b) <= maxPooledFrame {
		*bp = b[:0]
		compressedBufs.Put(bp)
	}
	return err
}

// release gives back what compression holds, the connection being gone.
func (w *wsWriter) release() {
	if d := w.deflate; d != nil {
		d.comp.Close()
		d.decomp.Close()
	}
}
