package aiohttp_test

import (
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp/internal/wsframe"
)

// Autobahn section 5, fragmentation: all of it.
//
//	5.1-5.2    a ping, a pong, in two fragments: failed with 1002
//	5.3-5.5    text in two fragments, written at once, a byte at a time,
//	           frame by frame: echoed whole
//	5.6-5.8    the same with a ping between the fragments: pong, then echo
//	5.9-5.11   a continuation (FIN=0) with nothing to continue, then text,
//	           at once, frame by frame, a byte at a time: 1002
//	5.12-5.14  the same with a continuation FIN=1
//	5.15       a whole fragmented text, then a stray continuation, then
//	           text: the first echoed (or not: NON-STRICT), then 1002
//	5.16-5.17  twice: a stray continuation (FIN=0, FIN=1) and text in
//	           two fragments: 1002
//	5.18       two fragments both opcode text: 1002
//	5.19-5.20  text in five fragments with pings after the second and the
//	           fourth, each answered before the rest is sent (where
//	           Autobahn waits a second), whole frames and a byte at a time
//
// And from section 10, miscellaneous:
//
//	10.1.1     64 KiB of text in fragments of 1300 bytes: echoed whole

func fragmentCases() []wsCase {
	cont := wsframe.Continuation
	f1, f2 := frag(wsframe.Text, "fragment1"), msg(cont, "fragment2")
	whole := wsText("fragment1fragment2")
	pingP := wsPing("ping payload")
	big := strings.Repeat("*", 65536)
	chop1 := func(s wsStep) wsStep { s.chop = 1; return s }
	stray := func(fin bool, chop int, byFrame bool) []wsStep {
		c := frag(cont, "non-continuation payload")
		if fin {
			c = msg(cont, "non-continuation payload")
		}
		if byFrame {
			return []wsStep{sendRecv(frames(c)), sendRecv(frames(wsText("Hello, world!")))}
		}
		s := sendRecv(frames(c, wsText("Hello, world!")))
		s.chop = chop
		return []wsStep{s}
	}
	twice := func(fin bool) []wsStep {
		c := frag(cont, "fragment1")
		if fin {
			c = msg(cont, "fragment1")
		}
		return []wsStep{sendRecv(frames(c, frag(wsframe.Text, "fragment2"), msg(cont, "fragment3"), c, frag(wsframe.Text, "fragment2"), msg(cont, "fragment3")))}
	}
	fiveFrags := func(chop int) []wsStep {
		return []wsStep{
			{send: frames(frag(wsframe.Text, "fragment1"), frag(cont, "fragment2"), wsPing("pongme 1!")), chop: chop, expect: frames(wsPong("pongme 1!"))},
			{send: frames(frag(cont, "fragment3"), frag(cont, "fragment4"), wsPing("pongme 2!")), chop: chop, expect: frames(wsPong("pongme 2!"))},
			{send: frames(msg(cont, "fragment5")), chop: chop, expect: frames(wsText("fragment1fragment2fragment3fragment4fragment5"))},
		}
	}
	return []wsCase{
		{name: "5.1/ping-fragmented", steps: []wsStep{sendRecv(frames(frag(wsframe.Ping, "fragment1"), msg(cont, "fragment2")))}, close: wsProto},
		{name: "5.2/pong-fragmented", steps: []wsStep{sendRecv(frames(frag(wsframe.Pong, "fragment1"), msg(cont, "fragment2")))}, close: wsProto},
		{name: "5.3/text-2-fragments", steps: []wsStep{sendRecv(frames(f1, f2), whole)}},
		{name: "5.4/text-2-fragments-chop-1", steps: []wsStep{chop1(sendRecv(frames(f1, f2), whole))}},
		{name: "5.5/text-2-fragments-frame-chops", steps: []wsStep{sendRecv(frames(f1)), sendRecv(frames(f2), whole)}},
		{name: "5.6/text-2-fragments-ping-between", steps: []wsStep{sendRecv(frames(f1, pingP, f2), wsPong("ping payload"), whole)}},
		{name: "5.7/text-2-fragments-ping-between-chop-1", steps: []wsStep{chop1(sendRecv(frames(f1, pingP, f2), wsPong("ping payload"), whole))}},
		{name: "5.8/text-2-fragments-ping-between-frame-chops", steps: []wsStep{sendRecv(frames(f1)), sendRecv(frames(pingP), wsPong("ping payload")), sendRecv(frames(f2), whole)}},
		{name: "5.9/stray-continuation", steps: stray(false, 0, false), close: wsProto},
		{name: "5.10/stray-continuation-frame-chops", steps: stray(false, 0, true), close: wsProto},
		{name: "5.11/stray-continuation-chop-1", steps: stray(false, 1, false), close: wsProto},
		{name: "5.12/stray-final-continuation", steps: stray(true, 0, false), close: wsProto},
		{name: "5.13/stray-final-continuation-frame-chops", steps: stray(true, 0, true), close: wsProto},
		{name: "5.14/stray-final-continuation-chop-1", steps: stray(true, 1, false), close: wsProto},
		{name: "5.15/fragmented-then-stray-continuation", steps: []wsStep{sendRecv(frames(f1, f2, frag(cont, "fragment3"), wsText("fragment4")), maybe(whole))}, close: wsProto, note: "the first echo may be missing"},
		{name: "5.16/twice-stray-continuation-then-fragments", steps: twice(false), close: wsProto},
		{name: "5.17/twice-stray-final-continuation-then-fragments", steps: twice(true), close: wsProto},
		{name: "5.18/two-text-opcodes", steps: []wsStep{sendRecv(frames(f1, wsText("fragment2")))}, close: wsProto},
		{name: "5.19/five-fragments-two-pings", steps: fiveFrags(0)},
		{name: "5.20/five-fragments-two-pings-chop-1", steps: fiveFrags(1)},
		{name: "10.1.1/text-65536-fragments-1300", steps: []wsStep{sendRecv(inFragments(wsframe.Text, big, 1300), wsText(big))}},
	}
}

// inFragments splits s into a message of type op in fragments of size
// bytes.
func inFragments(op wsframe.Opcode, s string, size int) []wsFrame {
	var fs []wsFrame
	for i := 0; i < len(s); i += size {
		f := frag(op, s[i:min(i+size, len(s))])
		if i+size >= len(s) {
			f.b0 |= wsFin
		}
		fs = append(fs, f)
		op = wsframe.Continuation
	}
	return fs
}

func TestWSConformFragment(t *testing.T) { runWSCases(t, fragmentCases()) }
