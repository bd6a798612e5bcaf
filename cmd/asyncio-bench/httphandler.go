package main

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// httpHandler is what the http-server mode serves, the same as every peer
// of bench/run.sh's http-server workload: GET / answers "Hello, World!" as
// text/plain, GET /json the document of jsonDoc, encoded again for every
// request as a handler would encode its result. bench/peers/gostd serves
// the same routes with net/http.
func httpHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write(hello)
	})
	mux.HandleFunc("GET /json", func(w http.ResponseWriter, r *http.Request) {
		b, err := json.Marshal(jsonDoc)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	})
	return mux
}

var hello = []byte("Hello, World!")

// docItem and document are the shape of the /json response; every peer
// serves the same 1,142 bytes, keys in this order, no spaces.
type docItem struct {
	ID     int      `json:"id"`
	Name   string   `json:"name"`
	Email  string   `json:"email"`
	Active bool     `json:"active"`
	Tags   []string `json:"tags"`
	Score  int      `json:"score"`
}

type document struct {
	Items []docItem `json:"items"`
}

// jsonDoc is ten items: for i = 0..9, id i, name item-0i, email
// user0i@example.com, active when i is even, tags alpha, beta and gamma,
// score 37*i.
var jsonDoc = func() document {
	var d document
	for i := range 10 {
		d.Items = append(d.Items, docItem{
			ID: i, Name: fmt.Sprintf("item-%02d", i), Email: fmt.Sprintf("user%02d@example.com", i),
			Active: i%2 == 0, Tags: []string{"alpha", "beta", "gamma"}, Score: 37 * i,
		})
	}
	return d
}()
