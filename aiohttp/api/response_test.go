package api_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp/api"
)

// TestHeaderAndSetStatus: an operation sets its answer's headers and
// status as it goes; they go with a success only.
func TestHeaderAndSetStatus(t *testing.T) {
	a := api.New()
	stock := map[int64]*Item{}
	api.Put(a, "/items/{id}", func(ctx context.Context, in *putItem) (*Item, error) {
		api.Header(ctx).Set("Cache-Control", "no-store")
		if in.Item.Name == "forbidden" {
			return nil, api.Errorf(http.StatusForbidden, "no")
		}
		if _, ok := stock[in.ID]; !ok {
			api.SetStatus(ctx, http.StatusCreated)
			api.Header(ctx).Set("Location", "/items/"+strconv.FormatInt(in.ID, 10))
		}
		in.Item.ID = in.ID
		stock[in.ID] = &in.Item
		return &in.Item, nil
	})
	for _, c := range []struct {
		body            string
		status          int
		location, cache string
	}{
		{`{"name":"pen"}`, 201, "/items/5", "no-store"},
		{`{"name":"pen"}`, 200, "", "no-store"},
		{`{"name":"forbidden"}`, 403, "", ""},
	} {
		w, _ := do(t, a, "PUT", "/items/5", c.body)
		if w.Code != c.status || w.Header().Get("Location") != c.location || w.Header().Get("Cache-Control") != c.cache {
			t.Errorf("PUT %s: %d, Location %q, Cache-Control %q; want %d %q %q", c.body, w.Code,
				w.Header().Get("Location"), w.Header().Get("Cache-Control"), c.status, c.location, c.cache)
		}
	}
}
