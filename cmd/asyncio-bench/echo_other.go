//go:build !unix

package main

import "errors"

func echoServer(api, addr string) error {
	return errors.New("asyncio-bench: the echo server needs a Unix system")
}
