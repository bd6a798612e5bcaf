package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp/api"
)

type Item struct {
	ID    int64   `json:"id"`
	Name  string  `json:"name" validate:"required"`
	Price float64 `json:"price" validate:"gte=0"`
}

type getItem struct {
	ID    int64  `path:"id" validate:"gt=0"`
	Limit *int   `query:"limit" validate:"omitempty,max=100"`
	Token string `header:"X-Token"`
}

type putItem struct {
	ID   int64 `path:"id" validate:"gt=0"`
	Item Item  `body:""`
}

type noInput struct{}

// app is a small shop: items 1 and 2 exist; 3 fails inside.
func app(opts ...api.Option) *api.App {
	a := api.New(opts...)
	items := map[int64]*Item{1: {ID: 1, Name: "pen", Price: 1.5}, 2: {ID: 2, Name: "ink", Price: 4}}
	api.Get(a, "/items/{id}", func(ctx context.Context, in *getItem) (*Item, error) {
		if in.ID == 3 {
			return nil, errors.New("the stock database is down at 10.0.0.7")
		}
		it, ok := items[in.ID]
		if !ok {
			return nil, api.NotFound("no item %d", in.ID)
		}
		return it, nil
	})
	api.Put(a, "/items/{id}", func(ctx context.Context, in *putItem) (*Item, error) {
		in.Item.ID = in.ID
		items[in.ID] = &in.Item
		return &in.Item, nil
	}, api.Status(http.StatusCreated))
	api.Delete(a, "/items/{id}", func(ctx context.Context, in *getItem) (*struct{}, error) {
		delete(items, in.ID)
		return nil, nil
	})
	return a
}

func do(t *testing.T, h http.Handler, method, target, body string) (*httptest.ResponseRecorder, map[string]any) {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var doc map[string]any
	if w.Body.Len() > 0 {
		if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
			t.Fatalf("%s %s: body %q is not JSON: %v", method, target, w.Body.String(), err)
		}
	}
	return w, doc
}

// TestOperations: successful answers, with their statuses.
func TestOperations(t *testing.T) {
	a := app()
	w, doc := do(t, a, "GET", "/items/1?limit=5", "")
	if w.Code != 200 || doc["name"] != "pen" || w.Header().Get("Content-Type") != "application/json" {
		t.Errorf("GET: %d %v", w.Code, doc)
	}
	w, doc = do(t, a, "PUT", "/items/9", `{"name":"nib","price":0.5}`)
	if w.Code != 201 || doc["id"] != 9.0 || doc["name"] != "nib" {
		t.Errorf("PUT: %d %v", w.Code, doc)
	}
	if w, _ = do(t, a, "DELETE", "/items/9", ""); w.Code != 204 || w.Body.Len() != 0 {
		t.Errorf("DELETE: %d %q", w.Code, w.Body.String())
	}
	if w, _ = do(t, a, "GET", "/items/9", ""); w.Code != 404 {
		t.Errorf("GET after DELETE: %d", w.Code)
	}
}

// TestRefusals: each refusal is a problem document with the right status
// and the problems at their places; nothing is a 500 but a failure inside.
func TestRefusals(t *testing.T) {
	var log bytes.Buffer
	a := app(api.MaxBody(64), api.Logger(slog.New(slog.NewTextHandler(&log, nil))))
	for _, c := range []struct {
		method, target, body string
		status               int
		locations            []string
	}{
		{"GET", "/items/0?limit=500", "", 422, []string{"path.id", "query.limit"}},
		{"GET", "/items/x", "", 422, []string{"path.id"}},
		{"PUT", "/items/1", `{"name":"","price":-2}`, 422, []string{"body.name", "body.price"}},
		{"PUT", "/items/1", `{"name":"pen","price":"free"}`, 422, []string{"body.price"}},
		{"PUT", "/items/1", `{"name":`, 400, []string{"body"}},
		{"PUT", "/items/1", `{"name":"` + strings.Repeat("x", 100) + `"}`, 413, nil},
		{"GET", "/items/4", "", 404, nil},
		{"GET", "/items/3", "", 500, nil},
	} {
		w, doc := do(t, a, c.method, c.target, c.body)
		if w.Code != c.status || doc["status"] != float64(c.status) || w.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s %s: %d %v, want a problem document with %d", c.method, c.target, w.Code, doc, c.status)
			continue
		}
		var locs []string
		probs, _ := doc["errors"].([]any)
		for _, p := range probs {
			locs = append(locs, p.(map[string]any)["location"].(string))
		}
		if strings.Join(locs, ",") != strings.Join(c.locations, ",") {
			t.Errorf("%s %s: problems at %v, want %v", c.method, c.target, locs, c.locations)
		}
	}
	// The 500 says nothing of the failure to the client, and logs it.
	_, doc := do(t, a, "GET", "/items/3", "")
	if strings.Contains(fmt.Sprint(doc), "10.0.0.7") {
		t.Errorf("the 500 leaked the error: %v", doc)
	}
	if !strings.Contains(log.String(), "10.0.0.7") {
		t.Errorf("the 500's error was not logged: %q", log.String())
	}
	// The mux's own refusals are problem documents too.
	if w, doc := do(t, a, "POST", "/items/1", `{}`); w.Code != 405 || doc["status"] != 405.0 || w.Header().Get("Allow") == "" {
		t.Errorf("wrong method: %d %v, Allow %q", w.Code, doc, w.Header().Get("Allow"))
	}
	if w, doc := do(t, a, "GET", "/nowhere", ""); w.Code != 404 || doc["title"] != "Not Found" {
		t.Errorf("no route: %d %v", w.Code, doc)
	}
}

// TestRegistrationRefusesBadInput: a path field the pattern lacks, or a
// type no parameter takes, panics when the operation is registered.
func TestRegistrationRefusesBadInput(t *testing.T) {
	type mapQuery struct {
		M map[string]int `query:"m"`
	}
	for name, register := range map[string]func(a *api.App){
		"missing wildcard": func(a *api.App) {
			api.Get(a, "/items", func(ctx context.Context, in *getItem) (*Item, error) { return nil, nil })
		},
		"map parameter": func(a *api.App) {
			api.Get(a, "/m", func(ctx context.Context, in *mapQuery) (*Item, error) { return nil, nil })
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			register(api.New())
		}()
	}
}
