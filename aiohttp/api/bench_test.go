package api_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/asyncio-go/asyncio/internal/apibench"
)

// The benchmarks below serve bench/run.sh's api-server request in
// process, without a network: POST /items/42?limit=10 with a 1 KiB JSON
// order, checked, answered with a JSON receipt. One is an operation of
// this package, the other the same endpoint written by hand on a
// ServeMux (both in internal/apibench, which cmd/asyncio-bench serves
// for the benchmark over the network); the difference is what the typed
// layer costs per request.

// serveBench serves the request b.N times, each with a fresh recorder,
// after checking that the answer is the receipt.
func serveBench(b *testing.B, h http.Handler) {
	req := httptest.NewRequest("POST", apibench.Target, nil)
	req.Header.Set("Content-Type", "application/json")
	req.ContentLength = int64(len(apibench.Body))
	rd := bytes.NewReader(apibench.Body)
	req.Body = io.NopCloser(rd)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !bytes.HasSuffix(rec.Body.Bytes(), []byte(`"count":10,"total_cents":72477}`+"\n")) {
		b.Fatalf("%d %s", rec.Code, rec.Body)
	}
	b.SetBytes(int64(len(apibench.Body)))
	b.ReportAllocs()
	for b.Loop() {
		rd.Reset(apibench.Body)
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
}

func BenchmarkTypedOperation(b *testing.B) { serveBench(b, apibench.Typed()) }

func BenchmarkHandWritten(b *testing.B) { serveBench(b, apibench.Hand()) }
