package aiohttp_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp"
	"github.com/asyncio-go/asyncio/aiohttp/internal/wsframe"
)

// Autobahn sections 12 and 13, permessage-deflate, in both roles: the
// scripted peer compresses with the standard library's compress/flate
// (wsDeflatePeer), and inflates the echoes that come back compressed
// (RSV1), which aiohttp does for messages of 128 bytes and more.
//
//	12.1-12.5  the default offer; messages cut one after the other from
//	           a corpus, wrapping around: 12.1 JSON (text), 12.2 a
//	           512x512 grayscale bitmap (binary), 12.3 German verse
//	           (binary, as the suite sends Goethe's Faust), 12.4 HTML
//	           (text), 12.5 PDF-like, mostly compressed streams
//	           (binary). The suite's corpora are files it ships; these
//	           are generated to the same kinds.
//	12.x.1-12.x.10   messages of 16, 64, 256 B, 1, 4, 8, 16, 32, 64
//	                 and 128 KiB, each compressed in one frame
//	12.x.11-12.x.18  8, 16, 32, 64 and 128 KiB, the compressed payload
//	                 in frames of 256 B; 128 KiB in frames of 1, 4 and
//	                 32 KiB
//	13.1-13.7  the same 18 sizes of JSON, with the suite's parameters:
//	           as the server, the offers of its client (13.1 the
//	           default, 13.2 server_no_context_takeover, 13.3 and 13.4
//	           server_max_window_bits=8 and 15, 13.5 and 13.6 both,
//	           13.7 three offers, the first of 13.5), each with
//	           client_no_context_takeover and client_max_window_bits;
//	           as the client, the answers of its server (13.1 none,
//	           13.2 client_no_context_takeover, 13.3 and 13.4
//	           client_max_window_bits=8 and 15, 13.5 and 13.6 both,
//	           13.7 as 13.5). Each row checks the answer (or offer)
//	           aiohttp writes, exactly.
//	13.x       beyond the suite: the peer with context takeover (as
//	           client, which every offer of the suite gives up) and
//	           with a 9-bit window and takeover, so that its messages
//	           refer up to 511 bytes back into the ones before; as
//	           client, the server's server_no_context_takeover too;
//	           13.1 again with aiohttp's end keeping its context
//	           (CompressContextTakeover), inflated by the peer with
//	           the history of its messages.
//	12.x       failures and edges: RSV1 on a continuation or a control
//	           frame (1002), RSV1 without the extension (1002), a
//	           payload that does not inflate (1007), text invalid once
//	           inflated (1007), inflating beyond MaxMsgSize (1009), a
//	           compressed message in fragments around a ping or after
//	           an empty first one, empty compressed messages, and the
//	           examples of RFC 7692 section 7.2.3 with context
//	           takeover.
//
// Autobahn sends 1000 messages per case; these rows send as many as fit
// in a budget of bytes (deflateScale): 128 KiB, at least 2 messages and
// at most 250; in section 13 a quarter of the budget and at most 62.
// Every row still sends messages after others, which context takeover
// lets them refer to. Under the race detector, which makes compress/flate
// many times slower, messages and frames are a sixteenth of the size
// (down to 1 byte), the budget and count smaller, and a third of the rows
// run (deflateRaceRows). The suite grades on
// time and ratio; these rows on the echoes only, and on the window: where
// aiohttp's end is limited to under 15 bits, the peer decodes its
// messages once more to check that no reference reaches farther
// (deflateReach), which compress/flate's reader, with its 32 KiB window
// whatever was negotiated, would not notice.

// deflateScale returns the bytes a case of section 12 sends, the most
// messages it sends (section 13 sends a quarter of both), and the divisor
// of message and frame sizes.
func deflateScale() (budget, most, shrink int) {
	if raceEnabled {
		return 4 << 10, 20, 16
	}
	return 128 << 10, 250, 1
}

// deflateSizes are the message sizes and frame sizes of 12.x.1-12.x.18.
var deflateSizes = []struct{ size, frag int }{
	{16, 0}, {64, 0}, {256, 0}, {1 << 10, 0}, {4 << 10, 0}, {8 << 10, 0}, {16 << 10, 0}, {32 << 10, 0}, {64 << 10, 0}, {128 << 10, 0},
	{8 << 10, 256}, {16 << 10, 256}, {32 << 10, 256}, {64 << 10, 256}, {128 << 10, 256}, {128 << 10, 1 << 10}, {128 << 10, 4 << 10}, {128 << 10, 32 << 10},
}

// deflateRaceRows are the rows run under the race detector, where each
// case's connection costs about ten times more: the shortest and longest
// messages in one frame, two sizes between, and the shortest and longest
// frames.
var deflateRaceRows = map[int]bool{1: true, 3: true, 5: true, 10: true, 11: true, 18: true}

// deflateCorpus is one of section 12's payload families.
type deflateCorpus struct {
	name string
	op   wsframe.Opcode
	data func() []byte
}

var deflateCorpora = []deflateCorpus{
	{"json", wsframe.Text, sync.OnceValue(jsonCorpus)},
	{"bitmap", wsframe.Binary, sync.OnceValue(bitmapCorpus)},
	{"verse", wsframe.Binary, sync.OnceValue(verseCorpus)},
	{"html", wsframe.Text, sync.OnceValue(htmlCorpus)},
	{"pdf", wsframe.Binary, sync.OnceValue(pdfCorpus)},
}

// corpusRand is the deterministic source of the corpora.
func corpusRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

var corpusWords = strings.Fields("alpha beta gamma delta sensor region status value window frame message " +
	"socket buffer stream request latency north south east west active pending closed")

// jsonCorpus is about 200 KB of JSON records, ASCII only, so that any cut
// of it is a valid text message.
func jsonCorpus() []byte {
	r := corpusRand(1)
	var b bytes.Buffer
	b.WriteString("[")
	for i := 0; b.Len() < 200<<10; i++ {
		fmt.Fprintf(&b, `{"id":%d,"name":"%s-%s","region":"%s","score":%.4f,"active":%t,"tags":["%s","%s"],"readings":[%d,%d,%d]},`+"\n",
			i, corpusWords[r.IntN(len(corpusWords))], corpusWords[r.IntN(len(corpusWords))], corpusWords[r.IntN(len(corpusWords))],
			r.Float64()*100, r.IntN(2) == 0, corpusWords[r.IntN(len(corpusWords))], corpusWords[r.IntN(len(corpusWords))],
			r.IntN(1000), r.IntN(1000), r.IntN(1000))
	}
	b.WriteString("{}]")
	return b.Bytes()
}

// bitmapCorpus is a 512x512 8-bit grayscale bitmap: smooth shading with
// noise, after a header.
func bitmapCorpus() []byte {
	r := corpusRand(2)
	b := append([]byte("BM"), make([]byte, 1076)...)
	for y := range 512 {
		for x := range 512 {
			b = append(b, byte((x*x+y*y)>>11+(x^y)>>4+r.IntN(12)))
		}
	}
	return b
}

// verseCorpus is about 200 KB of German-like verse in UTF-8.
func verseCorpus() []byte {
	r := corpusRand(3)
	words := strings.Fields("Faust Mephistopheles Gretchen Wagner Geist Nacht Himmel Erde schön Höhe über Tür " +
		"Mädchen süß Träume Glück Blut Herz Welt Wissen Natur und die der das ich nicht wie ein zu mit sich")
	var b bytes.Buffer
	for b.Len() < 200<<10 {
		fmt.Fprintf(&b, "%s:\n", strings.ToUpper(words[r.IntN(4)]))
		for range 2 + r.IntN(6) {
			n := 4 + r.IntN(6)
			for i := range n {
				if i > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(words[r.IntN(len(words))])
			}
			b.WriteString(",\n")
		}
		b.WriteString("\n")
	}
	return b.Bytes()
}

// htmlCorpus is about 250 KB of HTML, ASCII only.
func htmlCorpus() []byte {
	r := corpusRand(4)
	var b bytes.Buffer
	b.WriteString("<!DOCTYPE html>\n<html><head><title>Report</title></head><body>\n")
	for i := 0; b.Len() < 250<<10; i++ {
		fmt.Fprintf(&b, "<div class=\"row r%d\" id=\"item-%d\"><a href=\"/%s/%d\">%s %s</a><p>%s %s %s.</p><span>%d</span></div>\n",
			i%7, i, corpusWords[r.IntN(len(corpusWords))], r.IntN(10000), corpusWords[r.IntN(len(corpusWords))],
			corpusWords[r.IntN(len(corpusWords))], corpusWords[r.IntN(len(corpusWords))], corpusWords[r.IntN(len(corpusWords))],
			corpusWords[r.IntN(len(corpusWords))], r.IntN(1<<20))
	}
	b.WriteString("</body></html>\n")
	return b.Bytes()
}

// pdfCorpus is about 1 MB shaped like a PDF: objects whose streams are,
// as in most PDFs, already compressed, so random bytes.
func pdfCorpus() []byte {
	r := corpusRand(5)
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	for i := 1; b.Len() < 1<<20; i++ {
		n := 512 + r.IntN(16<<10)
		fmt.Fprintf(&b, "%d 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n", i, n)
		for range n {
			b.WriteByte(byte(r.Uint32()))
		}
		b.WriteString("\nendstream\nendobj\n")
	}
	b.WriteString("%%EOF\n")
	return b.Bytes()
}

// deflateEcho returns the play of a case: count messages of size bytes
// of type op, cut one after the other from corpus, each sent compressed
// in frames of frag bytes (0: one frame) and awaited back.
func deflateEcho(op wsframe.Opcode, corpus func() []byte, size, frag, count int) func(p *wsPeer) error {
	return func(p *wsPeer) error {
		data := corpus()
		d := newWSDeflatePeer(p.ext.answer, p.client)
		at := 0
		for i := range count {
			m := make([]byte, 0, size)
			for len(m) < size {
				n := min(size-len(m), len(data)-at)
				m = append(m, data[at:at+n]...)
				at = (at + n) % len(data)
			}
			if err := p.sendMessage(d, op, m, frag); err != nil {
				return fmt.Errorf("message %d: send: %w", i, err)
			}
			gotOp, got, err := p.receiveMessage(d)
			if err != nil {
				return fmt.Errorf("message %d: %w", i, err)
			}
			if gotOp != op || !bytes.Equal(got, m) {
				return fmt.Errorf("message %d: echo is %v of %d bytes, want %v of %d bytes as sent", i, gotOp, len(got), op, len(m))
			}
		}
		return nil
	}
}

// deflateCount is how many messages of size a case sends within budget.
func deflateCount(budget, most, size int) int {
	return min(max(budget/size, 2), most)
}

// deflateRows returns the 18 rows of a subsection, named prefix.1 to
// prefix.18, of corpus c under negotiation ext.
func deflateRows(prefix string, c deflateCorpus, ext wsNegotiation, budget, most, shrink int) []wsCase {
	var cases []wsCase
	for i, s := range deflateSizes {
		if raceEnabled && !deflateRaceRows[i+1] {
			continue
		}
		size, frag := max(s.size/shrink, 1), max(s.frag/shrink, min(s.frag, 1))
		name := fmt.Sprintf("%s.%d/%s-%d", prefix, i+1, c.name, size)
		if frag > 0 {
			name += fmt.Sprintf("-in-%d", frag)
		}
		cases = append(cases, wsCase{name: name, ext: ext,
			play: deflateEcho(c.op, c.data, size, frag, deflateCount(budget, most, size))})
	}
	return cases
}

// Offers of the suite's client (Autobahn's PerMessageDeflateOffer), and
// aiohttp's client's offer.
const (
	autobahnOffer = "permessage-deflate; client_no_context_takeover; client_max_window_bits"
	aiohttpOffer  = "permessage-deflate; client_no_context_takeover; client_max_window_bits"
)

// deflateParams names a negotiation of section 13.
type deflateParams struct {
	name string
	ext  wsNegotiation
}

// deflateNegotiations returns section 13's negotiations, and the ones
// beyond it, with the server's end played by aiohttp if ourServer.
func deflateNegotiations(ourServer bool) []deflateParams {
	if ourServer {
		const ab, answer = autobahnOffer, "permessage-deflate; server_no_context_takeover; client_no_context_takeover"
		return []deflateParams{
			{"13.1", wsNegotiation{ab, answer}},
			{"13.2", wsNegotiation{ab + "; server_no_context_takeover", answer}},
			{"13.3", wsNegotiation{ab + "; server_max_window_bits=8", answer + "; server_max_window_bits=8"}},
			{"13.4", wsNegotiation{ab + "; server_max_window_bits=15", answer + "; server_max_window_bits=15"}},
			{"13.5", wsNegotiation{ab + "; server_no_context_takeover; server_max_window_bits=8", answer + "; server_max_window_bits=8"}},
			{"13.6", wsNegotiation{ab + "; server_no_context_takeover; server_max_window_bits=15", answer + "; server_max_window_bits=15"}},
			{"13.7", wsNegotiation{ab + "; server_no_context_takeover; server_max_window_bits=8, " + ab + "; server_no_context_takeover, " + ab,
				answer + "; server_max_window_bits=8"}},
			{"13.x-client-takeover", wsNegotiation{"permessage-deflate", "permessage-deflate; server_no_context_takeover"}},
			{"13.x-client-window-9", wsNegotiation{"permessage-deflate; client_max_window_bits=9",
				"permessage-deflate; server_no_context_takeover; client_max_window_bits=9"}},
		}
	}
	const ours = aiohttpOffer
	return []deflateParams{
		{"13.1", wsNegotiation{ours, "permessage-deflate"}},
		{"13.2", wsNegotiation{ours, "permessage-deflate; client_no_context_takeover"}},
		{"13.3", wsNegotiation{ours, "permessage-deflate; client_max_window_bits=8"}},
		{"13.4", wsNegotiation{ours, "permessage-deflate; client_max_window_bits=15"}},
		{"13.5", wsNegotiation{ours, "permessage-deflate; client_no_context_takeover; client_max_window_bits=8"}},
		{"13.6", wsNegotiation{ours, "permessage-deflate; client_no_context_takeover; client_max_window_bits=15"}},
		{"13.7", wsNegotiation{ours, "permessage-deflate; client_no_context_takeover; client_max_window_bits=8"}},
		{"13.x-server-no-takeover", wsNegotiation{ours, "permessage-deflate; server_no_context_takeover"}},
		{"13.x-server-window-9", wsNegotiation{ours, "permessage-deflate; server_max_window_bits=9"}},
	}
}

// deflateDefault is the negotiation of section 12: the suite's default
// offer, or its server's answer to aiohttp's offer.
func deflateDefault(ourServer bool) wsNegotiation {
	return deflateNegotiations(ourServer)[0].ext
}

func deflateCompressionCases(ourServer bool) []wsCase {
	budget, most, shrink := deflateScale()
	var cases []wsCase
	for j, c := range deflateCorpora {
		cases = append(cases, deflateRows(fmt.Sprintf("12.%d", j+1), c, deflateDefault(ourServer), budget, most, shrink)...)
	}
	return cases
}

func deflateParameterCases(ourServer bool) []wsCase {
	budget, most, shrink := deflateScale()
	var cases []wsCase
	for _, n := range deflateNegotiations(ourServer) {
		cases = append(cases, deflateRows(n.name, deflateCorpora[0], n.ext, budget/4, most/4, shrink)...)
	}
	return cases
}

// deflateMaxMsgSize is the MaxMsgSize of the edge cases, small so that
// the message at the limit is quick to compress.
const deflateMaxMsgSize = 64 << 10

// deflateEdgeCases are the failures of a compressed connection, and
// its edges.
func deflateEdgeCases(ourServer bool) []wsCase {
	ext := deflateDefault(ourServer)
	none := wsNegotiation{}
	if !ourServer {
		none.offer = aiohttpOffer // our client offers; the server declines
	}
	hello := "Hello, compressed world: " + strings.Repeat("hello ", 12)
	z := deflated(hello)
	compressed := func(f wsFrame) wsFrame { return rsv(4, f) }
	over := strings.Repeat("\x00", deflateMaxMsgSize+1)
	// takeover lets the peer refer to its earlier messages.
	takeover := ext
	if ourServer {
		takeover = wsNegotiation{"permessage-deflate", "permessage-deflate; server_no_context_takeover"}
	}
	// The examples of RFC 7692 section 7.2.3: "Hello" compressed, with a
	// final block, in a stored block, and again referring to the first.
	const (
		rfcHello       = "\xf2\x48\xcd\xc9\xc9\x07\x00"
		rfcHelloFinal  = "\xf3\x48\xcd\xc9\xc9\x07\x00\x00"
		rfcHelloStored = "\x00\x05\x00\xfa\xff\x48\x65\x6c\x6c\x6f\x00"
		rfcHelloAgain  = "\xf2\x00\x11\x00\x00"
	)
	return []wsCase{
		{name: "12.x/rfc7692-examples", ext: takeover, steps: []wsStep{
			sendRecv(frames(compressed(wsText(rfcHello))), wsText("Hello")),
			sendRecv(frames(compressed(wsText(rfcHelloAgain))), wsText("Hello")),
			sendRecv(frames(compressed(wsText(rfcHelloFinal))), wsText("Hello")),
			sendRecv(frames(compressed(wsText(rfcHelloAgain))), wsText("Hello")),
			sendRecv(frames(compressed(wsText(rfcHelloStored))), wsText("Hello")),
			sendRecv(frames(compressed(wsText(rfcHelloAgain))), wsText("Hello")),
		}},
		{name: "12.x/small-echoed-uncompressed", ext: ext, steps: []wsStep{
			sendRecv(frames(compressed(wsText(z))), wsText(hello)),
		}},
		{name: "12.x/fragments-around-ping", ext: ext, steps: []wsStep{
			sendRecv(frames(compressed(frag(wsframe.Text, z[:3])), frag(wsframe.Continuation, z[3:9]), wsPing("p"),
				msg(wsframe.Continuation, z[9:])), wsPong("p"), wsText(hello)),
		}},
		{name: "12.x/empty-first-fragment", ext: ext, steps: []wsStep{
			sendRecv(frames(compressed(frag(wsframe.Text, "")), msg(wsframe.Continuation, z)), wsText(hello)),
		}},
		{name: "12.x/empty-payload", ext: ext, steps: []wsStep{
			sendRecv(frames(compressed(wsText(""))), wsText("")),
		}},
		{name: "12.x/empty-message", ext: ext, steps: []wsStep{
			sendRecv(frames(compressed(wsBin(deflated("")))), wsBin("")),
		}},
		{name: "12.x/rsv1-on-continuation", ext: ext, steps: []wsStep{
			sendRecv(frames(compressed(frag(wsframe.Text, z[:5])), compressed(msg(wsframe.Continuation, z[5:])))),
		}, close: wsProto},
		{name: "12.x/rsv1-on-ping", ext: ext, steps: []wsStep{
			sendRecv(frames(compressed(wsPing(deflated("ping"))))),
		}, close: wsProto},
		{name: "12.x/rsv1-not-negotiated", ext: none, steps: []wsStep{
			sendRecv(frames(compressed(wsText(z)))),
		}, close: wsProto},
		{name: "12.x/not-deflate", ext: ext, steps: []wsStep{
			sendRecv(frames(compressed(wsBin("\xff\xff\xff\xff")))),
		}, close: wsBadUTF8},
		{name: "12.x/truncated", ext: ext, steps: []wsStep{
			sendRecv(frames(compressed(wsBin(deflated(strings.Repeat(hello, 20))[:40])))),
		}, close: wsBadUTF8},
		{name: "12.x/invalid-utf8-inflated", ext: ext, steps: []wsStep{
			sendRecv(frames(compressed(wsText(deflated("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited"))))),
		}, close: wsBadUTF8},
		{name: "12.x/over-max-msg-size", ext: ext, steps: []wsStep{
			sendRecv(frames(compressed(wsBin(deflated(over))))),
		}, close: []int{wsframe.CloseMessageTooBig}},
		{name: "12.x/at-max-msg-size", ext: ext,
			play: deflateEcho(wsframe.Binary, func() []byte { return []byte(over) }, deflateMaxMsgSize, 0, 1)},
	}
}

// deflateTakeoverCases are rows of 13.1 with aiohttp's end keeping its
// context (CompressContextTakeover), so that its messages refer to the
// ones before and the peer inflates them with that history.
func deflateTakeoverCases(ourServer bool) []wsCase {
	budget, most, shrink := deflateScale()
	ext := wsNegotiation{autobahnOffer, "permessage-deflate; client_no_context_takeover"}
	if !ourServer {
		ext = wsNegotiation{"permessage-deflate; client_max_window_bits", "permessage-deflate"}
	}
	return deflateRows("13.1", deflateCorpora[0], ext, budget/4, most/4, shrink)
}

func runDeflateCases(t *testing.T, cases func(ourServer bool) []wsCase, opts ...aiohttp.WSOption) {
	t.Run("server", func(t *testing.T) { runWSServerCases(t, cases(true), opts...) })
	t.Run("client", func(t *testing.T) {
		runWSClientCases(t, cases(false), append([]aiohttp.WSOption{aiohttp.Compress(true)}, opts...)...)
	})
}

func TestWSConformDeflateCompression(t *testing.T) { runDeflateCases(t, deflateCompressionCases) }
func TestWSConformDeflateParameters(t *testing.T)  { runDeflateCases(t, deflateParameterCases) }
func TestWSConformDeflateEdges(t *testing.T) {
	runDeflateCases(t, deflateEdgeCases, aiohttp.MaxMsgSize(deflateMaxMsgSize))
}

func TestWSConformDeflateTakeover(t *testing.T) {
	runDeflateCases(t, deflateTakeoverCases, aiohttp.CompressContextTakeover(true))
}
