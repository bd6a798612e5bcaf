package wsdeflate_test

import (
	"fmt"

	"github.com/asyncio-go/asyncio/aiohttp/internal/wsdeflate"
)

// A client offers permessage-deflate, the server accepts, and a message
// travels from the server to the client.
func Example() {
	var cfg wsdeflate.Config // defaults: BestSpeed, no context takeover

	offer := wsdeflate.Offer(cfg)
	serverParams, response, ok := wsdeflate.Accept([]string{offer}, cfg)
	fmt.Println("offer:   ", offer)
	fmt.Println("response:", response, ok)

	clientParams, ok, err := wsdeflate.ParseResponse([]string{response}, cfg)
	if err != nil || !ok {
		panic(fmt.Sprint("ParseResponse: ", ok, err))
	}
	c := wsdeflate.NewCompressor(serverParams, true, cfg)
	defer c.Close()
	d := wsdeflate.NewDecompressor(clientParams, false)
	defer d.Close()

	payload := c.Compress(nil, []byte("Hello"))
	msg, err := d.Decompress(nil, payload, 1<<20)
	fmt.Printf("% x -> %s %v\n", payload, msg, err)
	// Output:
	// offer:    permessage-deflate; client_no_context_takeover; client_max_window_bits
	// response: permessage-deflate; server_no_context_takeover; client_no_context_takeover true
	// 00 05 00 fa ff 48 65 6c 6c 6f 00 -> Hello <nil>
}
