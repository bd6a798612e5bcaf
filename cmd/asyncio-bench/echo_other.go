//go:build !unix

package main

import "errors"

type echoConfig struct{ api, addr, backend, memprofile string }

func echoServer(echoConfig) error {
	return errors.New("asyncio-bench: the echo server needs a Unix system")
}
