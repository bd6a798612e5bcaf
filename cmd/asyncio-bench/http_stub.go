//go:build !aiohttp || !linux

package main

// TODO(aiohttp): a stub until package aiohttp lands. bench/run.sh builds
// with -tags aiohttp first and falls back to this file when that fails, so
// http_aiohttp.go is picked up as soon as it compiles. Once it does for
// good, the tags become "linux" there and "!linux" here.

// httpAvailable says whether this build has the http-server and
// http-client modes.
const httpAvailable = false

func httpServer(httpServerConfig) error { return errHTTPUnavailable }

func httpClient(httpClientConfig) (map[string]any, error) { return nil, errHTTPUnavailable }
