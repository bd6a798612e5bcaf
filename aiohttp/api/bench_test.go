package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp/api"
)

// The benchmarks below serve bench/run.sh's api-server request in
// process, without a network: POST /items/42?limit=10 with a 1 KiB JSON
// order, checked, answered with a JSON receipt. One is an operation of
// this package, the other the same endpoint written by hand on a
// ServeMux; the difference is what the typed layer costs per request.
// cmd/asyncio-bench/apihandler.go has the same two handlers for the
// benchmark over the network.

type benchOrder struct {
	Customer string      `json:"customer" validate:"required,max=64"`
	Email    string      `json:"email" validate:"required,min=3,max=128"`
	Priority int         `json:"priority" validate:"min=0,max=10"`
	Note     string      `json:"note" validate:"max=256"`
	Lines    []benchLine `json:"lines" validate:"required,min=1,max=50,dive"`
}

type benchLine struct {
	SKU        string   `json:"sku" validate:"required,min=3,max=32"`
	Name       string   `json:"name" validate:"required,max=64"`
	Qty        int      `json:"qty" validate:"min=1,max=1000"`
	PriceCents int64    `json:"price_cents" validate:"min=1,max=10000000"`
	Tags       []string `json:"tags" validate:"max=8"`
}

type benchInput struct {
	ID    int64      `path:"id" validate:"gt=0"`
	Limit int        `query:"limit" validate:"required,min=1,max=100"`
	Order benchOrder `body:""`
}

type benchReceipt struct {
	ID         int64              `json:"id"`
	Limit      int                `json:"limit"`
	Customer   string             `json:"customer"`
	Email      string             `json:"email"`
	Priority   int                `json:"priority"`
	Note       string             `json:"note"`
	Lines      []benchReceiptLine `json:"lines"`
	Count      int                `json:"count"`
	TotalCents int64              `json:"total_cents"`
}

type benchReceiptLine struct {
	SKU        string   `json:"sku"`
	Name       string   `json:"name"`
	Qty        int      `json:"qty"`
	PriceCents int64    `json:"price_cents"`
	Tags       []string `json:"tags"`
	TotalCents int64    `json:"total_cents"`
}

func benchReceiptOf(id int64, limit int, o *benchOrder) *benchReceipt {
	r := &benchReceipt{ID: id, Limit: limit, Customer: o.Customer, Email: o.Email, Priority: o.Priority, Note: o.Note,
		Lines: make([]benchReceiptLine, 0, min(limit, len(o.Lines))), Count: len(o.Lines)}
	for i, l := range o.Lines {
		t := int64(l.Qty) * l.PriceCents
		r.TotalCents += t
		if i < limit {
			r.Lines = append(r.Lines, benchReceiptLine{SKU: l.SKU, Name: l.Name, Qty: l.Qty, PriceCents: l.PriceCents, Tags: l.Tags, TotalCents: t})
		}
	}
	return r
}

// benchBody is bench/peers/api_body.json: ten lines, 1,045 bytes.
var benchBody = func() []byte {
	o := benchOrder{Customer: "Ann Example", Email: "ann@example.com", Priority: 3, Note: "leave it at the door and ring twice"}
	for i := range 10 {
		tags := []string{"gamma"}
		if i%2 == 0 {
			tags = []string{"alpha", "beta"}
		}
		o.Lines = append(o.Lines, benchLine{SKU: fmt.Sprintf("SKU-%d", 1000+i), Name: fmt.Sprintf("widget number %02d", i),
			Qty: 1 + i%4, PriceCents: 1999 + 250*int64(i), Tags: tags})
	}
	b, err := json.Marshal(o)
	if err != nil {
		panic(err)
	}
	return b
}()

func typedHandler() http.Handler {
	app := api.New()
	api.Post(app, "/items/{id}", func(ctx context.Context, in *benchInput) (*benchReceipt, error) {
		return benchReceiptOf(in.ID, in.Limit, &in.Order), nil
	})
	return app
}

// handHandler is the endpoint without the package: strconv, encoding/json
// and the validate tags' checks written out.
func handHandler() http.Handler {
	mux := http.NewServeMux()
	fail := func(w http.ResponseWriter, loc, msg string) {
		b, _ := json.Marshal(map[string]string{"location": loc, "message": msg})
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		w.Write(b)
	}
	mux.HandleFunc("POST /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 {
			fail(w, "path.id", "must be an integer greater than 0")
			return
		}
		limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
		if err != nil || limit < 1 || limit > 100 {
			fail(w, "query.limit", "must be an integer from 1 to 100")
			return
		}
		var o benchOrder
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&o); err != nil {
			fail(w, "body", err.Error())
			return
		}
		switch {
		case o.Customer == "" || len(o.Customer) > 64:
			fail(w, "body.customer", "must have 1 to 64 characters")
			return
		case len(o.Email) < 3 || len(o.Email) > 128:
			fail(w, "body.email", "must have 3 to 128 characters")
			return
		case o.Priority < 0 || o.Priority > 10:
			fail(w, "body.priority", "must be from 0 to 10")
			return
		case len(o.Note) > 256:
			fail(w, "body.note", "must have at most 256 characters")
			return
		case len(o.Lines) < 1 || len(o.Lines) > 50:
			fail(w, "body.lines", "must have 1 to 50 items")
			return
		}
		for i, l := range o.Lines {
			if len(l.SKU) < 3 || len(l.SKU) > 32 || l.Name == "" || len(l.Name) > 64 || l.Qty < 1 || l.Qty > 1000 ||
				l.PriceCents < 1 || l.PriceCents > 10_000_000 || len(l.Tags) > 8 {
				fail(w, fmt.Sprintf("body.lines[%d]", i), "out of range")
				return
			}
		}
		b, err := json.Marshal(benchReceiptOf(id, limit, &o))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(append(b, '\n'))
	})
	return mux
}

// serveBench serves the request b.N times, each with a fresh recorder,
// after checking that the answer is the receipt.
func serveBench(b *testing.B, h http.Handler) {
	req := httptest.NewRequest("POST", "/items/42?limit=10", nil)
	req.Header.Set("Content-Type", "application/json")
	req.ContentLength = int64(len(benchBody))
	rd := bytes.NewReader(benchBody)
	req.Body = io.NopCloser(rd)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !bytes.HasSuffix(rec.Body.Bytes(), []byte(`"count":10,"total_cents":72477}`+"\n")) {
		b.Fatalf("%d %s", rec.Code, rec.Body)
	}
	b.SetBytes(int64(len(benchBody)))
	b.ReportAllocs()
	for b.Loop() {
		rd.Reset(benchBody)
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
}

func BenchmarkTypedOperation(b *testing.B) { serveBench(b, typedHandler()) }

func BenchmarkHandWritten(b *testing.B) { serveBench(b, handHandler()) }

// TestBenchHandlersAgree: the two benchmarked handlers give the same
// answer, so that the benchmarks compare the same work.
func TestBenchHandlersAgree(t *testing.T) {
	var got [2]string
	for i, h := range []http.Handler{typedHandler(), handHandler()} {
		req := httptest.NewRequest("POST", "/items/42?limit=10", bytes.NewReader(benchBody))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("handler %d: %d %s", i, rec.Code, rec.Body)
		}
		got[i] = rec.Body.String()
	}
	if got[0] != got[1] || len(benchBody) != 1045 {
		t.Errorf("typed: %s\nhand: %s\nbody: %d bytes, want 1045", got[0], got[1], len(benchBody))
	}
}
