package aiohttp_test

import (
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp/internal/wsframe"
)

// Autobahn sections 3 (reserved bits) and 4 (reserved opcodes): all of
// them. permessage-deflate is not negotiated, so RSV1 is reserved too
// (the cases with RSV1 set are 3.4-3.7).
//
//	3.1      text with RSV=1: failed with 1002
//	3.2      text, text with RSV=2, ping, at once: the first echoed, then 1002
//	3.3      the same with RSV=3, frame by frame
//	3.4      the same with RSV=4, a byte at a time
//	3.5      binary with RSV=5
//	3.6      ping with RSV=6
//	3.7      close with RSV=7
//
// (RSV=n is Autobahn's: the three bits as a number, RSV1 the highest.)
//	4.1.1-5  data opcodes 3-7, empty, with payload, or after a text and
//	         before a ping: failed with 1002
//	4.2.1-5  control opcodes 11-15 alike
//
// Autobahn grades a missing echo of the message sent before the bad frame
// NON-STRICT: the endpoint may fail the connection before it echoes a
// message it already read, as ours does when both frames arrive in one
// read. Those echoes are optional here.

func reservedCases() []wsCase {
	hello := wsText("Hello, world!")
	badThenPing := func(bad wsFrame) []wsStep {
		return []wsStep{sendRecv(frames(hello, bad, wsPing("")), maybe(hello))}
	}
	frameByFrame := []wsStep{echo(hello), sendRecv(frames(rsv(3, hello), wsPing("")))}
	byteByByte := badThenPing(rsv(4, hello))
	byteByByte[0].chop = 1
	op := func(o byte, data string) wsFrame { return msg(wsframe.Opcode(o), data) }
	return []wsCase{
		{name: "3.1/text-rsv1", steps: []wsStep{sendRecv(frames(rsv(1, hello)))}, close: wsProto},
		{name: "3.2/text-rsv2", steps: badThenPing(rsv(2, hello)), close: wsProto, note: "the first echo may be missing"},
		{name: "3.3/text-rsv3-frame-chops", steps: frameByFrame, close: wsProto},
		{name: "3.4/text-rsv4-chop-1", steps: byteByByte, close: wsProto, note: "the first echo may be missing"},
		{name: "3.5/binary-rsv5", steps: []wsStep{sendRecv(frames(rsv(5, wsBin("\x00\xff\xfe\xfd\xfc\xfb\x00\xff"))))}, close: wsProto},
		{name: "3.6/ping-rsv6", steps: []wsStep{sendRecv(frames(rsv(6, wsPing("Hello, world!"))))}, close: wsProto},
		{name: "3.7/close-rsv7", steps: []wsStep{sendRecv(frames(rsv(7, wsCloseF(1000, ""))))}, close: wsProto},

		{name: "4.1.1/opcode-3", steps: []wsStep{sendRecv(frames(op(3, "")))}, close: wsProto},
		{name: "4.1.2/opcode-4-payload", steps: []wsStep{sendRecv(frames(op(4, "reserved opcode payload")))}, close: wsProto},
		{name: "4.1.3/opcode-5-between", steps: badThenPing(op(5, "")), close: wsProto, note: "the first echo may be missing"},
		{name: "4.1.4/opcode-6-payload-between", steps: badThenPing(op(6, "reserved opcode payload")), close: wsProto, note: "the first echo may be missing"},
		{name: "4.1.5/opcode-7-payload-between", steps: badThenPing(op(7, "reserved opcode payload")), close: wsProto, note: "the first echo may be missing"},
		{name: "4.2.1/opcode-11", steps: []wsStep{sendRecv(frames(op(11, "")))}, close: wsProto},
		{name: "4.2.2/opcode-12-payload", steps: []wsStep{sendRecv(frames(op(12, "reserved opcode payload")))}, close: wsProto},
		{name: "4.2.3/opcode-13-between", steps: badThenPing(op(13, "")), close: wsProto, note: "the first echo may be missing"},
		{name: "4.2.4/opcode-14-payload-between", steps: badThenPing(op(14, "reserved opcode payload")), close: wsProto, note: "the first echo may be missing"},
		{name: "4.2.5/opcode-15-payload-between", steps: badThenPing(op(15, "reserved opcode payload")), close: wsProto, note: "the first echo may be missing"},
	}
}

func TestWSConformReserved(t *testing.T) { runWSCases(t, reservedCases()) }
