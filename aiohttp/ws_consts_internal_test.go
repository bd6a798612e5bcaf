package aiohttp

import (
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp/internal/wsframe"
)

// The public constants spell out the wire's values, which wsframe names.
func TestWSConstantsMatchWire(t *testing.T) {
	types := map[WSMsgType]wsframe.Opcode{WSText: wsframe.Text, WSBinary: wsframe.Binary, WSPing: wsframe.Ping, WSPong: wsframe.Pong}
	for ours, wire := range types {
		if WSMsgType(wire) != ours {
			t.Errorf("%s is %#x, the opcode %#x", ours, uint8(ours), uint8(wire))
		}
	}
	codes := map[int]int{
		WSCloseNormal: wsframe.CloseNormal, WSCloseGoingAway: wsframe.CloseGoingAway,
		WSCloseProtocolError: wsframe.CloseProtocolError, WSCloseUnsupportedData: wsframe.CloseUnsupportedData,
		WSCloseNoStatus: wsframe.CloseNoStatus, WSCloseAbnormal: wsframe.CloseAbnormal,
		WSCloseInvalidPayload: wsframe.CloseInvalidPayload, WSClosePolicyViolation: wsframe.ClosePolicyViolation,
		WSCloseMessageTooBig: wsframe.CloseMessageTooBig, WSCloseInternalError: wsframe.CloseInternalError,
	}
	for ours, wire := range codes {
		if ours != wire {
			t.Errorf("close code %d, wsframe's %d", ours, wire)
		}
	}
}
