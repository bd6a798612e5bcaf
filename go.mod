module github.com/asyncio-go/asyncio

go 1.26.0

require (
	github.com/andybalholm/brotli v1.3.0
	github.com/google/pprof v0.0.0-20260906184651-6331bc6350fe
	github.com/gorilla/websocket v1.5.3
	github.com/klauspost/compress v1.20.5
	golang.org/x/net v0.62.0
	golang.org/x/sys v0.49.0
	golang.org/x/text v0.43.0
)
