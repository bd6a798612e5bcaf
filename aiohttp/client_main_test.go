package aiohttp_test

import (
	"testing"

	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

// TestMain is the client's until the server's main_test.go is merged in.
func TestMain(m *testing.M) { leakcheck.Main(m) }
