// Package apibench is the typed JSON endpoint of the benchmarks of
// package aiohttp/api: bench/run.sh's api-server workload serves it
// through cmd/asyncio-bench, and aiohttp/api's testing.B benchmarks
// serve it in process. It is written twice, as an operation of package
// api and by hand, so that the difference is what the typed layer costs.
package apibench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/asyncio-go/asyncio/aiohttp/api"
)

// The endpoint is the same as every peer of bench/run.sh's api-server
// workload serves:
//
//	POST /items/{id}?limit=N   body: an order (bench/peers/api_body.json, 1,045 bytes)
//
// It checks id > 0, 1 <= limit <= 100 and the order's fields (order and
// orderLine's validate tags say which), and answers 200 with a receipt:
// the order echoed with each line's total, the number of lines, the
// grand total, and at most limit of the lines. A request that fails a
// check gets 422. Typed writes it as an operation of package api; Hand
// as the plain handler one would write without it.

// order is the JSON body.
type order struct {
	Customer string      `json:"customer" validate:"required,max=64"`
	Email    string      `json:"email" validate:"required,min=3,max=128"`
	Priority int         `json:"priority" validate:"min=0,max=10"`
	Note     string      `json:"note" validate:"max=256"`
	Lines    []orderLine `json:"lines" validate:"required,min=1,max=50,dive"`
}

type orderLine struct {
	SKU        string   `json:"sku" validate:"required,min=3,max=32"`
	Name       string   `json:"name" validate:"required,max=64"`
	Qty        int      `json:"qty" validate:"min=1,max=1000"`
	PriceCents int64    `json:"price_cents" validate:"min=1,max=10000000"`
	Tags       []string `json:"tags" validate:"max=8"`
}

// receipt is the answer; its members come in this order in every peer's.
type receipt struct {
	ID         int64         `json:"id"`
	Limit      int           `json:"limit"`
	Customer   string        `json:"customer"`
	Email      string        `json:"email"`
	Priority   int           `json:"priority"`
	Note       string        `json:"note"`
	Lines      []receiptLine `json:"lines"`
	Count      int           `json:"count"`
	TotalCents int64         `json:"total_cents"`
}

type receiptLine struct {
	SKU        string   `json:"sku"`
	Name       string   `json:"name"`
	Qty        int      `json:"qty"`
	PriceCents int64    `json:"price_cents"`
	Tags       []string `json:"tags"`
	TotalCents int64    `json:"total_cents"`
}

// makeReceipt is the endpoint's work, the same for both handlers.
func makeReceipt(id int64, limit int, o *order) *receipt {
	r := &receipt{ID: id, Limit: limit, Customer: o.Customer, Email: o.Email, Priority: o.Priority, Note: o.Note,
		Lines: make([]receiptLine, 0, min(limit, len(o.Lines))), Count: len(o.Lines)}
	for i, l := range o.Lines {
		t := int64(l.Qty) * l.PriceCents
		r.TotalCents += t
		if i < limit {
			r.Lines = append(r.Lines, receiptLine{SKU: l.SKU, Name: l.Name, Qty: l.Qty, PriceCents: l.PriceCents, Tags: l.Tags, TotalCents: t})
		}
	}
	return r
}

// itemInput is the typed operation's input.
type itemInput struct {
	ID    int64 `path:"id" validate:"gt=0"`
	Limit int   `query:"limit" validate:"required,min=1,max=100"`
	Order order `body:""`
}

// Typed is the endpoint as an operation of package api.
func Typed() http.Handler {
	app := api.New()
	api.Post(app, "/items/{id}", func(ctx context.Context, in *itemInput) (*receipt, error) {
		return makeReceipt(in.ID, in.Limit, &in.Order), nil
	})
	return app
}

// Hand is the endpoint written by hand: the path value and the query
// parameter parsed with strconv, the body decoded with encoding/json, the
// checks of the validate tags written out, the answer encoded with
// json.Marshal.
func Hand() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 {
			unprocessable(w, "path.id", "must be an integer greater than 0")
			return
		}
		limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
		if err != nil || limit < 1 || limit > 100 {
			unprocessable(w, "query.limit", "must be an integer from 1 to 100")
			return
		}
		var o order
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&o); err != nil {
			unprocessable(w, "body", err.Error())
			return
		}
		if loc, msg := checkOrder(&o); loc != "" {
			unprocessable(w, loc, msg)
			return
		}
		b, err := json.Marshal(makeReceipt(id, limit, &o))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(append(b, '\n'))
	})
	return mux
}

// checkOrder is order's validate tags written out: the first problem's
// location and message, or "".
func checkOrder(o *order) (loc, msg string) {
	switch {
	case o.Customer == "" || len(o.Customer) > 64:
		return "body.customer", "must have 1 to 64 characters"
	case len(o.Email) < 3 || len(o.Email) > 128:
		return "body.email", "must have 3 to 128 characters"
	case o.Priority < 0 || o.Priority > 10:
		return "body.priority", "must be from 0 to 10"
	case len(o.Note) > 256:
		return "body.note", "must have at most 256 characters"
	case len(o.Lines) < 1 || len(o.Lines) > 50:
		return "body.lines", "must have 1 to 50 items"
	}
	for i, l := range o.Lines {
		switch {
		case len(l.SKU) < 3 || len(l.SKU) > 32:
			return fmt.Sprintf("body.lines[%d].sku", i), "must have 3 to 32 characters"
		case l.Name == "" || len(l.Name) > 64:
			return fmt.Sprintf("body.lines[%d].name", i), "must have 1 to 64 characters"
		case l.Qty < 1 || l.Qty > 1000:
			return fmt.Sprintf("body.lines[%d].qty", i), "must be from 1 to 1000"
		case l.PriceCents < 1 || l.PriceCents > 10_000_000:
			return fmt.Sprintf("body.lines[%d].price_cents", i), "must be from 1 to 10000000"
		case len(l.Tags) > 8:
			return fmt.Sprintf("body.lines[%d].tags", i), "must have at most 8 items"
		}
	}
	return "", ""
}

func unprocessable(w http.ResponseWriter, loc, msg string) {
	b, _ := json.Marshal(map[string]string{"location": loc, "message": msg})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnprocessableEntity)
	w.Write(b)
}

// Body is the request's body, as bench/peers/api_body.json: an order of
// ten lines, 1,045 bytes.
var Body = func() []byte {
	o := order{Customer: "Ann Example", Email: "ann@example.com", Priority: 3, Note: "leave it at the door and ring twice"}
	for i := range 10 {
		tags := []string{"gamma"}
		if i%2 == 0 {
			tags = []string{"alpha", "beta"}
		}
		o.Lines = append(o.Lines, orderLine{SKU: fmt.Sprintf("SKU-%d", 1000+i), Name: fmt.Sprintf("widget number %02d", i),
			Qty: 1 + i%4, PriceCents: 1999 + 250*int64(i), Tags: tags})
	}
	b, err := json.Marshal(o)
	if err != nil {
		panic(err)
	}
	return b
}()

// Target is the request's method and URL.
const Target = "/items/42?limit=10"
