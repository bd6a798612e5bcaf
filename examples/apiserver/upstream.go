package main

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/asyncio-go/asyncio"
)

// upstream stands in for httpbin.org, which the guide calls: the
// program runs offline.
//
//	GET /json         a small JSON document
//	GET /delay/{n}    the same after n seconds (at most 10)
func upstream() http.Handler {
	mux := http.NewServeMux()
	doc := map[string]any{"slideshow": map[string]any{"title": "Sample Slide Show", "author": "Yours Truly"}}
	mux.HandleFunc("GET /json", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, doc)
	})
	mux.HandleFunc("GET /delay/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.PathValue("n"))
		if err != nil || n < 0 || n > 10 {
			http.Error(w, "bad delay", http.StatusBadRequest)
			return
		}
		if asyncio.Sleep(r.Context(), time.Duration(n)*time.Second) != nil {
			return
		}
		writeJSON(w, map[string]any{"delay": n})
	})
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
