package aiohttp_test

import (
	"strings"
	"testing"
)

// Autobahn section 1, framing: all of it.
//
//	1.1.1-1.1.8 text messages of 0, 125, 126, 127, 128, 65535 and 65536
//	            bytes, the last chopped into writes of 997 bytes
//	1.2.1-1.2.8 the same as binary messages

func framingCases() []wsCase {
	var cases []wsCase
	sizes := []int{0, 125, 126, 127, 128, 65535, 65536}
	for i, n := range sizes {
		cases = append(cases, wsCase{name: "1.1." + itoa(i+1) + "/text-" + itoa(n), steps: []wsStep{echo(wsText(strings.Repeat("*", n)))}})
	}
	cases = append(cases, wsCase{name: "1.1.8/text-65536-chop-997", steps: []wsStep{chopped(wsText(strings.Repeat("*", 65536)), 997)}})
	for i, n := range sizes {
		cases = append(cases, wsCase{name: "1.2." + itoa(i+1) + "/binary-" + itoa(n), steps: []wsStep{echo(wsBin(strings.Repeat("\xfe", n)))}})
	}
	cases = append(cases, wsCase{name: "1.2.8/binary-65536-chop-997", steps: []wsStep{chopped(wsBin(strings.Repeat("\xfe", 65536)), 997)}})
	return cases
}

// chopped is echo with f written in pieces of n bytes.
func chopped(f wsFrame, n int) wsStep {
	s := echo(f)
	s.chop = n
	return s
}

func TestWSConformFraming(t *testing.T) { runWSCases(t, framingCases()) }
