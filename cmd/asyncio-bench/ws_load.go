//go:build linux

package main

import (
	"crypto/rand"
	"errors"
	"io"

	"golang.org/x/sys/unix"
)

// wsLoad is the load generator of bench/run.sh's ws-echo workload: the
// echo workload's closed loop (runLoad) over WebSocket. Each connection
// upgrades with GET / while its socket still blocks, then sends one binary
// message of size bytes, masked, and waits for the whole message to come
// back before it sends the next. The frame is built once per connection
// (wsClientFrame says why that is acceptable here), so a round trip costs
// the generator what a TCP echo does plus parsing one frame header.
func wsLoad(cfg loadConfig) (map[string]any, error) {
	if cfg.conns < 1 || cfg.size < 1 {
		return nil, errors.New("ws-load: -c and -size must be at least 1")
	}
	payload := make([]byte, cfg.size)
	for i := range payload {
		payload[i] = byte('a' + i%26)
	}
	frames := make([][]byte, cfg.conns)
	answers := make([]wsAnswer, cfg.conns)
	out, err := runLoad(cfg, loadProtocol{
		open: func(i, fd int) error {
			if err := wsHandshake(fdRW(fd), cfg.addr); err != nil {
				return err
			}
			var key [4]byte
			rand.Read(key[:])
			frames[i] = wsClientFrame(wsBinary, payload, key)
			answers[i].size = cfg.size
			return nil
		},
		request: func(i int) []byte { return frames[i] },
		answer:  func(i int, b []byte) (bool, error) { return answers[i].feed(b) },
	})
	if out != nil {
		out["proto"] = "ws"
	}
	return out, err
}

// fdRW reads and writes a blocking socket by its descriptor, for the
// handshake before runLoad's epoll takes the socket over.
type fdRW int

func (fd fdRW) Read(p []byte) (int, error) {
	for {
		n, err := unix.Read(int(fd), p)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, err
		}
		if n == 0 && len(p) > 0 {
			return 0, io.EOF
		}
		return n, nil
	}
}

func (fd fdRW) Write(p []byte) (int, error) {
	written := 0
	for written < len(p) {
		n, err := unix.Write(int(fd), p[written:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return written, err
		}
		written += n
	}
	return written, nil
}
