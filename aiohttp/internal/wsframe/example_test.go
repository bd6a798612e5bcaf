package wsframe_test

import (
	"fmt"

	"github.com/asyncio-go/asyncio/aiohttp/internal/wsframe"
)

// A server parses a masked text frame from a client and unmasks its payload.
func Example() {
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	payload := []byte("Hello")
	wsframe.Mask(key, 0, payload) // as the client does
	frame := wsframe.AppendHeader(nil, wsframe.Header{
		Fin: true, Opcode: wsframe.Text, Masked: true, MaskKey: key, Length: int64(len(payload)),
	})
	frame = append(frame, payload...)

	h, n, err := wsframe.ParseHeader(frame, wsframe.Limits{MaxPayload: 1 << 20}, wsframe.Server)
	if err != nil {
		fmt.Println(err)
		return
	}
	body := frame[n : n+int(h.Length)]
	wsframe.Mask(h.MaskKey, 0, body)
	var v wsframe.UTF8Validator
	fmt.Println(h.Opcode == wsframe.Text, string(body), v.Write(body) && v.Done())
	// Output: true Hello true
}

// A close frame's payload, and the code to answer a bad one with.
func ExampleParseClosePayload() {
	p := wsframe.AppendClosePayload(nil, wsframe.CloseGoingAway, "restart")
	fmt.Println(wsframe.ParseClosePayload(p))
	_, _, err := wsframe.ParseClosePayload([]byte{0x03, 0xee}) // 1006 is never sent
	fmt.Println(err, wsframe.CloseCode(err))
	// Output:
	// 1001 restart <nil>
	// wsframe: invalid close code 1002
}
