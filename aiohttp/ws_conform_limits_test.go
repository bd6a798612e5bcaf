package aiohttp_test

import (
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp"
	"github.com/asyncio-go/asyncio/aiohttp/internal/wsframe"
)

// Autobahn section 9, limits and performance, up to aiohttp's default
// MaxMsgSize of 4 MiB; the suite grades this section on time, these rows
// on the echo only.
//
//	9.1.1-9.1.4  text messages of 64 KiB, 256 KiB, 1 MiB and 4 MiB in one frame
//	9.2.1-9.2.4  the same, binary
//	9.3.1-9.3.9  4 MiB of text in fragments of 64 B, 256 B, 1 KiB, 4 KiB,
//	             16 KiB, 64 KiB, 256 KiB, 1 MiB and 4 MiB
//	9.4.1-9.4.9  the same, binary
//	9.5.1-9.5.6  1 MiB of text in one frame written in pieces of 64 B to 2 KiB
//	9.6.1-9.6.6  the same, binary
//	9.7.1-9.7.6  1000 text messages of 0, 16, 64, 256, 1 KiB and 4 KiB, one
//	             at a time
//	9.8.1-9.8.6  the same, binary
//
// Under the race detector, which makes each byte cost many times more,
// the sizes of 9.1-9.6 are a sixteenth and 9.7-9.8 send 100 messages: the
// rows still run, smaller (limitsScale).
//
// Not covered: 9.1.5-9.1.6 and 9.2.5-9.2.6, messages of 8 and 16 MiB,
// over the default MaxMsgSize (raising it would only add run time). In
// their place, a message one byte over the limit must fail with 1009,
// in one frame or in fragments.

// limitsScale returns the divisors of section 9's message sizes and
// message counts.
func limitsScale() (size, count int) {
	if raceEnabled {
		return 16, 10
	}
	return 1, 1
}

func limitsCases() []wsCase {
	scale, fewer := limitsScale()
	const (
		KiB = 1 << 10
		MiB = 1 << 20
	)
	text4M := strings.Repeat("BAsd7&jh23", 4*MiB/10+1)[:4*MiB/scale]
	bin4M := strings.Repeat("\xfe", 4*MiB/scale)
	textOf := func(n int) string { return text4M[:n] }
	binOf := func(n int) string { return bin4M[:n] }
	var cases []wsCase
	for _, typ := range []struct {
		section string
		op      wsframe.Opcode
		of      func(int) string
	}{{"9.1.", wsframe.Text, textOf}, {"9.2.", wsframe.Binary, binOf}} {
		for i, n := range []int{64 * KiB, 256 * KiB, MiB, 4 * MiB} {
			cases = append(cases, wsCase{name: typ.section + itoa(i+1) + "/size-" + itoa(n), steps: []wsStep{echo(msg(typ.op, typ.of(n/scale)))}})
		}
	}
	for _, typ := range []struct {
		section string
		op      wsframe.Opcode
		of      func(int) string
	}{{"9.3.", wsframe.Text, textOf}, {"9.4.", wsframe.Binary, binOf}} {
		s := typ.of(4 * MiB / scale)
		for i, size := range []int{64, 256, KiB, 4 * KiB, 16 * KiB, 64 * KiB, 256 * KiB, MiB, 4 * MiB} {
			cases = append(cases, wsCase{name: typ.section + itoa(i+1) + "/4M-fragments-" + itoa(size),
				steps: []wsStep{sendRecv(inFragments(typ.op, s, size), msg(typ.op, s))}})
		}
	}
	for _, typ := range []struct {
		section string
		op      wsframe.Opcode
		of      func(int) string
	}{{"9.5.", wsframe.Text, textOf}, {"9.6.", wsframe.Binary, binOf}} {
		for i, chop := range []int{64, 128, 256, 512, KiB, 2 * KiB} {
			cases = append(cases, wsCase{name: typ.section + itoa(i+1) + "/1M-chop-" + itoa(chop), steps: []wsStep{chopped(msg(typ.op, typ.of(MiB/scale)), chop)}})
		}
	}
	for _, typ := range []struct {
		section string
		op      wsframe.Opcode
		of      func(int) string
	}{{"9.7.", wsframe.Text, textOf}, {"9.8.", wsframe.Binary, binOf}} {
		for i, n := range []int{0, 16, 64, 256, KiB, 4 * KiB} {
			steps := make([]wsStep, 1000/fewer)
			for j := range steps {
				steps[j] = echo(msg(typ.op, typ.of(n)))
			}
			cases = append(cases, wsCase{name: typ.section + itoa(i+1) + "/1000-of-" + itoa(n), steps: steps})
		}
	}
	over := strings.Repeat("\xfe", aiohttp.DefaultMaxMsgSize+1)
	cases = append(cases,
		wsCase{name: "9.x/over-max-msg-size", steps: []wsStep{sendRecv(frames(wsBin(over)))}, close: []int{wsframe.CloseMessageTooBig}},
		wsCase{name: "9.x/over-max-msg-size-fragments", steps: []wsStep{sendRecv(inFragments(wsframe.Binary, over, MiB))}, close: []int{wsframe.CloseMessageTooBig}},
	)
	return cases
}

func TestWSConformLimits(t *testing.T) { runWSCases(t, limitsCases()) }
