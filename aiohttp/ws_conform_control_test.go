package aiohttp_test

import (
	"strings"
	"testing"
)

// Autobahn section 2, pings and pongs: all of it.
//
//	2.1-2.4  pings with no payload, text, binary and 125 bytes: answered
//	2.5      a ping of 126 bytes: failed with 1002
//	2.6      a ping of 125 bytes written a byte at a time
//	2.7-2.8  unsolicited pongs: ignored (the clean close that ends the
//	         case finds no frame before the close frame)
//	2.9      an unsolicited pong, then a ping: only the ping is answered
//	2.10     ten pings, ten pongs in order
//	2.11     the same, written a byte at a time

func controlCases() []wsCase {
	var pings, pongs []wsFrame
	for i := range 10 {
		pings = append(pings, wsPing("payload-"+itoa(i)))
		pongs = append(pongs, wsPong("payload-"+itoa(i)))
	}
	chopped10 := sendRecv(pings, pongs...)
	chopped10.chop = 1
	chopped125 := sendRecv(frames(wsPing(strings.Repeat("\xfe", 125))), wsPong(strings.Repeat("\xfe", 125)))
	chopped125.chop = 1
	return []wsCase{
		{name: "2.1/ping-empty", steps: []wsStep{sendRecv(frames(wsPing("")), wsPong(""))}},
		{name: "2.2/ping-text", steps: []wsStep{sendRecv(frames(wsPing("Hello, world!")), wsPong("Hello, world!"))}},
		{name: "2.3/ping-binary", steps: []wsStep{sendRecv(frames(wsPing("\x00\xff\xfe\xfd\xfc\xfb\x00\xff")), wsPong("\x00\xff\xfe\xfd\xfc\xfb\x00\xff"))}},
		{name: "2.4/ping-125", steps: []wsStep{sendRecv(frames(wsPing(strings.Repeat("\xfe", 125))), wsPong(strings.Repeat("\xfe", 125)))}},
		{name: "2.5/ping-126", steps: []wsStep{sendRecv(frames(wsPing(strings.Repeat("\xfe", 126))))}, close: wsProto},
		{name: "2.6/ping-125-chop-1", steps: []wsStep{chopped125}},
		{name: "2.7/unsolicited-pong-empty", steps: []wsStep{sendRecv(frames(wsPong("")))}},
		{name: "2.8/unsolicited-pong", steps: []wsStep{sendRecv(frames(wsPong("unsolicited pong payload")))}},
		{name: "2.9/unsolicited-pong-then-ping", steps: []wsStep{sendRecv(frames(wsPong("unsolicited pong payload"), wsPing("ping payload")), wsPong("ping payload"))}},
		{name: "2.10/ten-pings", steps: []wsStep{sendRecv(pings, pongs...)}},
		{name: "2.11/ten-pings-chop-1", steps: []wsStep{chopped10}},
	}
}

func TestWSConformControl(t *testing.T) { runWSCases(t, controlCases()) }
