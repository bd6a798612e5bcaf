package aiohttp_test

import (
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp/internal/wsframe"
)

// Autobahn section 7, close handling: all of it.
//
//	7.1.1      a message and a close back to back: echo, then close 1000
//	7.1.2      two closes: one close back
//	7.1.3      a ping after the close: not answered
//	7.1.4      text after the close: not echoed
//	7.1.5      a fragment, a close, the last fragment: no echo
//	7.1.6      256 KiB of text, a text, a close and a ping back to back
//	           (INFORMATIONAL: either echo may be missing, the close is
//	           read before they are sent back)
//	7.3.1      a close without payload: close 1000 (or empty, which
//	           Autobahn accepts for every close: ours answers empty)
//	7.3.2      a close payload of one byte: 1002
//	7.3.3-5    a close with code, with a reason, with a reason of 123
//	           bytes: 1000
//	7.3.6      a reason of 124 bytes, a control frame over 125: 1002
//	7.5.1      a reason that is not UTF-8: 1007 (Autobahn also accepts 1002)
//	7.7.1-13   valid codes 1000-1003, 1007-1011, 3000, 3999, 4000, 4999:
//	           echoed (Autobahn also accepts 1000)
//	7.9.1-9    invalid codes 0, 999, 1004-1006, 1016, 1100, 2000, 2999:
//	           1002
//	7.13.1-2   codes 5000 and 65535 (INFORMATIONAL; 1002 here)

func closeCases() []wsCase {
	hello := wsText("Hello World!")
	close1000 := wsCloseF(1000, "")
	big := wsText(strings.Repeat("BAsd7&jh23", 256<<10/10+1)[:256<<10])
	badReason := "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64"
	closeWith := func(code int, reason string) []wsStep {
		return []wsStep{sendRecv(frames(wsCloseF(code, reason)))}
	}
	cases := []wsCase{
		{name: "7.1.1/message-then-close", steps: []wsStep{sendRecv(frames(hello, close1000), hello)}, close: wsNormal},
		{name: "7.1.2/two-closes", steps: []wsStep{sendRecv(frames(close1000, close1000))}, close: wsNormal},
		{name: "7.1.3/ping-after-close", steps: []wsStep{sendRecv(frames(close1000, wsPing("")))}, close: wsNormal},
		{name: "7.1.4/text-after-close", steps: []wsStep{sendRecv(frames(close1000, hello))}, close: wsNormal},
		{name: "7.1.5/fragment-close-fragment", steps: []wsStep{sendRecv(frames(frag(wsframe.Text, "fragment1"), close1000, msg(wsframe.Continuation, "fragment2")))}, close: wsNormal},
		{name: "7.1.6/big-message-close-ping", steps: []wsStep{sendRecv(frames(big, hello, close1000, wsPing("")), maybe(big), maybe(hello))}, close: wsNormal,
			note: "INFORMATIONAL: the echoes may be missing"},
		{name: "7.3.1/close-empty", steps: []wsStep{sendRecv(frames(msg(wsframe.Close, "")))}, close: []int{1000, wsNoCode}},
		{name: "7.3.2/close-1-byte", steps: []wsStep{sendRecv(frames(msg(wsframe.Close, "\x03")))}, close: wsProto},
		{name: "7.3.3/close-code", steps: closeWith(1000, ""), close: wsNormal},
		{name: "7.3.4/close-code-reason", steps: closeWith(1000, "Hello World!"), close: wsNormal},
		{name: "7.3.5/close-reason-123", steps: closeWith(1000, strings.Repeat("*", 123)), close: wsNormal},
		{name: "7.3.6/close-reason-124", steps: closeWith(1000, strings.Repeat("*", 124)), close: wsProto},
		{name: "7.5.1/close-reason-not-utf8", steps: closeWith(1000, badReason), close: []int{wsframe.CloseInvalidPayload, wsframe.CloseProtocolError}},
	}
	for i, code := range []int{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999} {
		cases = append(cases, wsCase{name: "7.7." + itoa(i+1) + "/code-" + itoa(code), steps: closeWith(code, ""), close: []int{code}})
	}
	for i, code := range []int{0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999} {
		cases = append(cases, wsCase{name: "7.9." + itoa(i+1) + "/code-" + itoa(code), steps: closeWith(code, ""), close: wsProto})
	}
	for i, code := range []int{5000, 65535} {
		cases = append(cases, wsCase{name: "7.13." + itoa(i+1) + "/code-" + itoa(code), steps: closeWith(code, ""), close: wsProto,
			note: "INFORMATIONAL: Autobahn accepts any outcome"})
	}
	return cases
}

func TestWSConformClose(t *testing.T) { runWSCases(t, closeCases()) }
