//go:build !linux

package main

// httpAvailable says whether this build has the http-server and
// http-client modes: they measure CPU time and memory through /proc, so
// they need Linux, like the load generator.
const httpAvailable = false

func httpServer(httpServerConfig) error { return errHTTPUnavailable }

func httpClient(httpClientConfig) (map[string]any, error) { return nil, errHTTPUnavailable }

func wsServer(string, bool) error { return errHTTPUnavailable }

func apiServer(string, string, bool) error { return errHTTPUnavailable }
