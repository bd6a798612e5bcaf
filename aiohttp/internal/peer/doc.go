// Package peer starts and drives the programs aiohttp's interop tests talk
// to: curl, Python (http.client, aiohttp and websockets, clients and
// servers), Node (its http module and the ws package, clients and servers)
// and tinyproxy (Need also checks for Chromium, which package
// internal/browser drives), plus the certificates their TLS tests share.
//
// It is test support: only _test.go files import it. Every function takes
// the test's testing.TB and ties what it starts to the test, so a peer
// process is stopped and waited for, and its files removed, when the test
// ends; every run is bounded by a context timeout, and a server is known
// to be ready when it says so on its output, never after a sleep.
//
// # Missing peers
//
// A peer that is not installed skips the test on a developer's machine,
// with a message naming the missing program and how to install it. When
// the environment variable CI is "true", as in continuous integration, a
// missing peer fails the test instead: there, skipping would hide an
// interop test that never ran.
package peer
