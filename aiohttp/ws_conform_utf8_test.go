package aiohttp_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/asyncio-go/asyncio/aiohttp/internal/wsframe"
)

// Autobahn section 6, UTF-8 handling: all of it.
//
//	6.1.1-6.1.3   empty text, in one frame and in empty fragments
//	6.2.1-6.2.4   valid text in one frame, in two at a code point boundary,
//	              and in frames of one byte (splitting code points)
//	6.3.1-6.3.2   invalid text (a surrogate) in one frame and in frames of
//	              one byte: 1007
//	6.4.1-6.4.4   fail fast: invalid text in three frames, or three writes
//	              of one frame, the second making it invalid: the 1007
//	              comes before the third is sent (where Autobahn waits a
//	              second after each, the frame cases check with a ping
//	              that the first part did not fail the connection)
//	6.5.1-6.23.7  the suite's byte sequences (Markus Kuhn's UTF-8 decoder
//	              test, numbered as the suite numbers them), each in one
//	              frame: valid ones echoed, invalid ones 1007 — valid
//	              multi-byte text, all prefixes of it, first and last
//	              sequences of each length, 5- and 6-byte forms, the
//	              U+10FFFF boundary, stray continuation bytes, lonely
//	              lead bytes, truncated sequences, impossible bytes,
//	              overlong forms, surrogates (single and paired),
//	              noncharacters and specials
//
// Beyond the suite, every sequence of 6.5-6.23 is also sent in frames of
// one byte (a "/frames-1" row): a valid one is echoed whole; an invalid
// one must fail at the first byte that no valid text can follow, which
// the script checks by sending the frames before it, a ping answered,
// then that frame alone (or, for a sequence cut short at its end, the
// final empty frame).

// kosme is "κόσμε", the suite's valid multi-byte text.
const kosme = "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"

// utf8Families are the byte sequences of cases 6.5 to 6.23, in the
// suite's order: case 6.i.j is utf8Families[i-5][j-1].
func utf8Families() [][]string {
	var prefixes []string
	for i := 1; i <= len(kosme); i++ {
		prefixes = append(prefixes, kosme[:i])
	}
	var cont []byte
	for b := 0x80; b < 0xbf; b++ {
		cont = append(cont, byte(b))
	}
	var lonely []string
	for _, r := range [][2]int{{0xc0, 0xdf}, {0xe0, 0xef}, {0xf0, 0xf7}, {0xf8, 0xfb}, {0xfc, 0xfd}} {
		var s []byte
		for b := r[0]; b < r[1]; b++ {
			s = append(s, byte(b), ' ')
		}
		lonely = append(lonely, string(s))
	}
	missing := []string{"\xc0", "\xe0\x80", "\xf0\x80\x80", "\xf8\x80\x80\x80", "\xfc\x80\x80\x80\x80",
		"\xdf", "\xef\xbf", "\xf7\xbf\xbf", "\xfb\xbf\xbf\xbf", "\xfd\xbf\xbf\xbf\xbf"}
	nonchars := []string{"\xef\xbf\xbe", "\xef\xbf\xbf"}
	for _, b1 := range []byte{0xf0, 0xf1, 0xf2, 0xf3, 0xf4} {
		for _, b2 := range []byte{0x8f, 0x9f, 0xaf, 0xbf} {
			if (b1 == 0xf4 && b2 != 0x8f) || (b1 == 0xf0 && b2 == 0x8f) {
				continue // above U+10FFFF, overlong
			}
			for _, b4 := range []byte{0xbe, 0xbf} {
				nonchars = append(nonchars, string([]byte{b1, b2, 0xbf, b4}))
			}
		}
	}
	return [][]string{
		{"hello\x24world", "hello\xc2\xa2world", "hello\xe2\x82\xacworld", "hello\xf0\xa4\xad\xa2world", kosme}, // 6.5
		prefixes, // 6.6
		{"\x00", "\xc2\x80", "\xe0\xa0\x80", "\xf0\x90\x80\x80"},                                                                           // 6.7
		{"\xf8\x88\x80\x80\x80", "\xfc\x84\x80\x80\x80\x80"},                                                                               // 6.8
		{"\x7f", "\xdf\xbf", "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf"},                                                                           // 6.9
		{"\xf7\xbf\xbf\xbf", "\xfb\xbf\xbf\xbf\xbf", "\xfd\xbf\xbf\xbf\xbf\xbf"},                                                           // 6.10
		{"\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbd", "\xf4\x8f\xbf\xbf", "\xf4\x90\x80\x80"},                                           // 6.11
		{"\x80", "\xbf", "\x80\xbf", "\x80\xbf\x80", "\x80\xbf\x80\xbf", "\x80\xbf\x80\xbf\x80", "\x80\xbf\x80\xbf\x80\xbf", string(cont)}, // 6.12
		lonely,                               // 6.13
		missing,                              // 6.14
		{strings.Join(missing, "")},          // 6.15
		{"\xfe", "\xff", "\xfe\xfe\xff\xff"}, // 6.16
		{"\xc0\xaf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf", "\xf8\x80\x80\x80\xaf", "\xfc\x80\x80\x80\x80\xaf"},             // 6.17
		{"\xc1\xbf", "\xe0\x9f\xbf", "\xf0\x8f\xbf\xbf", "\xf8\x87\xbf\xbf\xbf", "\xfc\x83\xbf\xbf\xbf\xbf"},             // 6.18
		{"\xc0\x80", "\xe0\x80\x80", "\xf0\x80\x80\x80", "\xf8\x80\x80\x80\x80", "\xfc\x80\x80\x80\x80\x80"},             // 6.19
		{"\xed\xa0\x80", "\xed\xad\xbf", "\xed\xae\x80", "\xed\xaf\xbf", "\xed\xb0\x80", "\xed\xbe\x80", "\xed\xbf\xbf"}, // 6.20
		{"\xed\xa0\x80\xed\xb0\x80", "\xed\xa0\x80\xed\xbf\xbf", "\xed\xad\xbf\xed\xb0\x80", "\xed\xad\xbf\xed\xbf\xbf",
			"\xed\xae\x80\xed\xb0\x80", "\xed\xae\x80\xed\xbf\xbf", "\xed\xaf\xbf\xed\xb0\x80", "\xed\xaf\xbf\xed\xbf\xbf"}, // 6.21
		nonchars, // 6.22
		{"\xef\xbf\xb9", "\xef\xbf\xba", "\xef\xbf\xbb", "\xef\xbf\xbc", "\xef\xbf\xbd", "\xef\xbf\xbe", "\xef\xbf\xbf"}, // 6.23
	}
}

// utf8FailsAt returns the index of the first byte of s that no valid
// UTF-8 can follow from, len(s) if s is a prefix of valid UTF-8 cut short
// at its end, or -1 if s is valid. It uses only the standard library's
// validation, apart from the code under test: a prefix is viable if some
// continuation bytes complete it (the bytes tried include the ends of
// every range a continuation byte may need to fall in).
func utf8FailsAt(s string) int {
	if utf8.ValidString(s) {
		return -1
	}
	for i := 1; i <= len(s); i++ {
		if !utf8Viable(s[:i]) {
			return i - 1
		}
	}
	return len(s)
}

func utf8Viable(p string) bool {
	ends := []string{"\x80", "\x8f", "\x90", "\x9f", "\xa0", "\xbf"}
	try := []string{""}
	for range utf8.UTFMax - 1 {
		for _, t := range try {
			if utf8.ValidString(p + t) {
				return true
			}
		}
		var next []string
		for _, t := range try {
			for _, e := range ends {
				next = append(next, t+e)
			}
		}
		try = next
	}
	for _, t := range try {
		if utf8.ValidString(p + t) {
			return true
		}
	}
	return false
}

// oneByteFrames splits s into a text message of frames of one byte.
func oneByteFrames(s string) []wsFrame {
	var fs []wsFrame
	for i := range len(s) {
		op := wsframe.Continuation
		if i == 0 {
			op = wsframe.Text
		}
		f := frag(op, s[i:i+1])
		if i == len(s)-1 {
			f = msg(op, s[i:i+1])
		}
		fs = append(fs, f)
	}
	return fs
}

// utf8Case is the case that sends s as one text frame.
func utf8Case(name, s string) wsCase {
	if utf8FailsAt(s) < 0 {
		return wsCase{name: name, steps: []wsStep{echo(wsText(s))}}
	}
	return wsCase{name: name, steps: []wsStep{sendRecv(frames(wsText(s)))}, close: wsBadUTF8}
}

// utf8FramesCase is the case that sends s in frames of one byte, checking
// that invalid text fails fast.
func utf8FramesCase(name, s string) wsCase {
	at := utf8FailsAt(s)
	if at < 0 {
		return wsCase{name: name, steps: []wsStep{sendRecv(oneByteFrames(s), wsText(s))}}
	}
	// The frames before the bad byte, all but the last, are not final.
	var before []wsFrame
	for i := range at {
		op := wsframe.Continuation
		if i == 0 {
			op = wsframe.Text
		}
		before = append(before, frag(op, s[i:i+1]))
	}
	op := wsframe.Continuation
	if at == 0 {
		op = wsframe.Text
	}
	bad := frag(op, s[at:min(at+1, len(s))]) // at == len(s): the final, empty frame
	if at == len(s) {
		bad = msg(op, "")
	}
	var steps []wsStep
	if len(before) > 0 {
		steps = append(steps, sendRecv(append(before, wsPing("so far")), wsPong("so far")))
	}
	steps = append(steps, sendRecv(frames(bad)))
	return wsCase{name: name, steps: steps, close: wsBadUTF8}
}

func utf8Cases() []wsCase {
	cont := wsframe.Continuation
	hello := "Hello-\xc2\xb5@\xc3\x9f\xc3\xb6\xc3\xa4\xc3\xbc\xc3\xa0\xc3\xa1-UTF-8!!"
	invalid := kosme + "\xed\xa0\x80" + "edited"
	part1, part2, part3 := kosme, "\xf4\x90\x80\x80", "edited"
	failFast := kosme + part2 + part3
	cases := []wsCase{
		{name: "6.1.1/empty", steps: []wsStep{echo(wsText(""))}},
		{name: "6.1.2/empty-fragments", steps: []wsStep{sendRecv(frames(frag(wsframe.Text, ""), frag(cont, ""), msg(cont, "")), wsText(""))}},
		{name: "6.1.3/empty-middle-fragments", steps: []wsStep{sendRecv(frames(frag(wsframe.Text, ""), frag(cont, "middle frame payload"), msg(cont, "")), wsText("middle frame payload"))}},
		{name: "6.2.1/valid", steps: []wsStep{echo(wsText(hello))}},
		{name: "6.2.2/valid-2-fragments", steps: []wsStep{sendRecv(frames(frag(wsframe.Text, hello[:12]), msg(cont, hello[12:])), wsText(hello))}},
		{name: "6.2.3/valid-frames-1", steps: []wsStep{sendRecv(oneByteFrames(hello), wsText(hello))}},
		{name: "6.2.4/kosme-frames-1", steps: []wsStep{sendRecv(oneByteFrames(kosme), wsText(kosme))}},
		{name: "6.3.1/invalid", steps: []wsStep{sendRecv(frames(wsText(invalid)))}, close: wsBadUTF8},
		{name: "6.3.2/invalid-frames-1", steps: []wsStep{sendRecv(oneByteFrames(invalid))}, close: wsBadUTF8},
		{name: "6.4.1/fail-fast-frames", steps: []wsStep{
			sendRecv(frames(frag(wsframe.Text, part1), wsPing("A")), wsPong("A")),
			sendRecv(frames(frag(cont, part2))),
		}, close: wsBadUTF8},
		{name: "6.4.2/fail-fast-frames-at-byte", steps: []wsStep{
			sendRecv(frames(frag(wsframe.Text, failFast[:12]), wsPing("A")), wsPong("A")),
			sendRecv(frames(frag(cont, failFast[12:13]))),
		}, close: wsBadUTF8},
		{name: "6.4.3/fail-fast-chops", steps: []wsStep{
			{send: frames(wsText(failFast)), to: len(part1)},
			{send: frames(wsText(failFast)), from: len(part1), to: len(part1 + part2)},
		}, close: wsBadUTF8},
		{name: "6.4.4/fail-fast-chops-at-byte", steps: []wsStep{
			{send: frames(wsText(failFast)), to: 12},
			{send: frames(wsText(failFast)), from: 12, to: 13},
		}, close: wsBadUTF8},
	}
	for i, fam := range utf8Families() {
		for j, s := range fam {
			name := "6." + itoa(i+5) + "." + itoa(j+1)
			cases = append(cases, utf8Case(name, s), utf8FramesCase(name+"/frames-1", s))
		}
	}
	return cases
}

func TestWSConformUTF8(t *testing.T) { runWSCases(t, utf8Cases()) }
