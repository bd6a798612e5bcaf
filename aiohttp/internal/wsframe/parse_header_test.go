package wsframe

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseHeaderRules(t *testing.T) {
	key := " 01 02 03 04"
	tests := []struct {
		name string
		in   string // hex
		lim  Limits
		role Role
		want Header
		n    int
		err  error
	}{
		{name: "empty", in: "", err: ErrIncomplete},
		{name: "one byte", in: "81", err: ErrIncomplete},
		{name: "unmasked text from server", in: "81 05", role: Client,
			want: Header{Fin: true, Opcode: Text, Length: 5}, n: 2},
		{name: "masked text from client", in: "81 85" + key, role: Server,
			want: Header{Fin: true, Opcode: Text, Masked: true, MaskKey: [4]byte{1, 2, 3, 4}, Length: 5}, n: 6},
		{name: "mask key cut short", in: "81 85 01 02 03", role: Server, err: ErrIncomplete},
		{name: "continuation not fin", in: "00 00", role: Client, want: Header{Opcode: Continuation}, n: 2},
		{name: "16-bit length", in: "82 7e 01 00", role: Client, want: Header{Fin: true, Opcode: Binary, Length: 256}, n: 4},
		{name: "16-bit length cut short", in: "82 7e 01", role: Client, err: ErrIncomplete},
		{name: "64-bit length", in: "82 7f 00 00 00 01 00 00 00 00", role: Client,
			want: Header{Fin: true, Opcode: Binary, Length: 1 << 32}, n: 10},
		{name: "64-bit length cut short", in: "82 7f 00 00 00 01 00 00 00", role: Client, err: ErrIncomplete},
		{name: "non-minimal 16-bit length accepted", in: "82 7e 00 05", role: Client,
			want: Header{Fin: true, Opcode: Binary, Length: 5}, n: 4},
		{name: "non-minimal 64-bit length accepted", in: "82 7f 00 00 00 00 00 00 00 7d", role: Client,
			want: Header{Fin: true, Opcode: Binary, Length: 125}, n: 10},
		{name: "64-bit length high bit", in: "82 7f 80 00 00 00 00 00 00 00", role: Client, err: ErrLengthOverflow},
		{name: "reserved opcode 3", in: "83 00", role: Client, err: ErrReservedOpcode},
		{name: "reserved opcode 7", in: "87 00", role: Client, err: ErrReservedOpcode},
		{name: "reserved opcode B", in: "8b 00", role: Client, err: ErrReservedOpcode},
		{name: "reserved opcode F", in: "8f 00", role: Client, err: ErrReservedOpcode},
		{name: "RSV1 not negotiated", in: "c1 00", role: Client, err: ErrReservedBits},
		{name: "RSV2", in: "a1 00", role: Client, lim: Limits{AllowRSV1: true}, err: ErrReservedBits},
		{name: "RSV3", in: "91 00", role: Client, lim: Limits{AllowRSV1: true}, err: ErrReservedBits},
		{name: "RSV1 negotiated on text", in: "c1 00", role: Client, lim: Limits{AllowRSV1: true},
			want: Header{Fin: true, RSV1: true, Opcode: Text}, n: 2},
		{name: "RSV1 negotiated on continuation", in: "c0 00", role: Client, lim: Limits{AllowRSV1: true}, err: ErrReservedBits},
		{name: "RSV1 negotiated on ping", in: "c9 00", role: Client, lim: Limits{AllowRSV1: true}, err: ErrReservedBits},
		{name: "ping of 125 bytes", in: "89 7d", role: Client, want: Header{Fin: true, Opcode: Ping, Length: 125}, n: 2},
		{name: "ping of 126 bytes", in: "89 7e 00 7e", role: Client, err: ErrControlTooLong},
		{name: "ping with 16-bit length refused from two bytes", in: "89 7e", role: Client, err: ErrControlTooLong},
		{name: "close not fin", in: "08 00", role: Client, err: ErrFragmentedControl},
		{name: "pong not fin", in: "0a 00", role: Client, err: ErrFragmentedControl},
		{name: "unmasked frame to server", in: "81 00", role: Server, err: ErrUnmasked},
		{name: "masked frame to client", in: "81 80" + key, role: Client, err: ErrMasked},
		{name: "payload at max", in: "82 7e 01 00", role: Client, lim: Limits{MaxPayload: 256},
			want: Header{Fin: true, Opcode: Binary, Length: 256}, n: 4},
		{name: "payload over max", in: "82 7e 01 01", role: Client, lim: Limits{MaxPayload: 256}, err: ErrTooBig},
		{name: "trailing payload ignored", in: "82 02 aa bb", role: Client, want: Header{Fin: true, Opcode: Binary, Length: 2}, n: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, n, err := ParseHeader(unhex(t, tt.in), tt.lim, tt.role)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if h != tt.want || n != tt.n {
				t.Errorf("got %+v, %d; want %+v, %d", h, n, tt.want, tt.n)
			}
		})
	}
}

// TestParseHeaderCloseCodes checks the close code each rejection carries.
func TestParseHeaderCloseCodes(t *testing.T) {
	_, _, err := ParseHeader(unhex(t, "83 00"), Limits{}, Client)
	if got := CloseCode(err); got != CloseProtocolError {
		t.Errorf("reserved opcode: CloseCode = %d, want %d", got, CloseProtocolError)
	}
	_, _, err = ParseHeader(unhex(t, "82 7e 01 01"), Limits{MaxPayload: 10}, Client)
	if got := CloseCode(err); got != CloseMessageTooBig {
		t.Errorf("too big: CloseCode = %d, want %d", got, CloseMessageTooBig)
	}
	if got := CloseCode(nil); got != CloseNormal {
		t.Errorf("CloseCode(nil) = %d", got)
	}
	if got := CloseCode(errors.New("x")); got != CloseInternalError {
		t.Errorf("CloseCode(other) = %d", got)
	}
}

// TestParseHeaderIncompleteEveryPrefix feeds every proper prefix of valid
// headers and expects ErrIncomplete for each.
func TestParseHeaderIncompleteEveryPrefix(t *testing.T) {
	for _, length := range []int64{0, 125, 126, 65535, 65536, 1 << 32} {
		h := Header{Fin: true, Opcode: Binary, Masked: true, MaskKey: [4]byte{9, 8, 7, 6}, Length: length}
		buf := AppendHeader(nil, h)
		for i := range len(buf) {
			if _, _, err := ParseHeader(buf[:i], Limits{}, Server); err != ErrIncomplete {
				t.Errorf("length %d, prefix %d of %d: err = %v, want ErrIncomplete", length, i, len(buf), err)
			}
		}
	}
}

func TestHeaderRoundTrip(t *testing.T) {
	for _, length := range []int64{0, 1, 125, 126, 65535, 65536, 1 << 32, 1<<63 - 1} {
		for _, masked := range []bool{false, true} {
			h := Header{Fin: true, RSV1: true, Opcode: Text, Length: length, Masked: masked}
			if masked {
				h.MaskKey = [4]byte{0xde, 0xad, 0xbe, 0xef}
			}
			role := Client
			if masked {
				role = Server
			}
			buf := AppendHeader([]byte("prefix"), h)[len("prefix"):]
			wantN := 2
			switch {
			case length > 65535:
				wantN += 8
			case length > 125:
				wantN += 2
			}
			if masked {
				wantN += 4
			}
			got, n, err := ParseHeader(append(buf, "payload"...), Limits{AllowRSV1: true}, role)
			if err != nil || got != h || n != wantN || n != len(buf) {
				t.Errorf("length %d masked %v: got %+v, %d, %v; want %+v, %d", length, masked, got, n, err, h, wantN)
			}
		}
	}
}

func TestAppendHeaderBytes(t *testing.T) {
	h := Header{Fin: true, Opcode: Close, Masked: true, MaskKey: [4]byte{1, 2, 3, 4}, Length: 2}
	if got, want := hex.EncodeToString(AppendHeader(nil, h)), "888201020304"; got != want {
		t.Errorf("AppendHeader = %s, want %s", got, want)
	}
}
