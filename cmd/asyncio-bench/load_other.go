//go:build !linux

package main

import (
	"errors"
	"time"
)

type loadConfig struct {
	addr             string
	conns, size      int
	warmup, duration time.Duration
	pid              int
}

func loadEcho(loadConfig) (map[string]any, error) {
	return nil, errors.New("asyncio-bench: the load generator needs Linux (epoll)")
}

func wsLoad(loadConfig) (map[string]any, error) {
	return nil, errors.New("asyncio-bench: the load generator needs Linux (epoll)")
}
