package aiohttp

import (
	"errors"

	"github.com/asyncio-go/asyncio/aiohttp/internal/wsframe"
)

// wsDeflate is the permessage-deflate state of a connection.
type wsDeflate struct{}

var errNoDeflate = errors.New("aiohttp: permessage-deflate not supported yet")

func (ws *WebSocket) inflate(p []byte) ([]byte, error) { return nil, errNoDeflate }
func (ws *WebSocket) writeCompressed(op wsframe.Opcode, p []byte, fin bool) error {
	return errNoDeflate
}
func (ws *WebSocket) writeCompressedFragment(op wsframe.Opcode, p []byte, first, fin bool) error {
	return errNoDeflate
}
func (w *wsWriter) release() {}

func (ws *WebSocket) acceptDeflate(values []string) (string, bool) { return "", false }

func wsDeflateOffer(cfg *wsConfig) string { return "" }

func (ws *WebSocket) acceptDeflateResponse(values []string, offer string) error {
	return errors.New("unexpected Sec-WebSocket-Extensions")
}
