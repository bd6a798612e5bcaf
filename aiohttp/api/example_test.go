package api_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/asyncio-go/asyncio/aiohttp/api"
)

func ExampleGet() {
	type getUser struct {
		ID int64 `path:"id" validate:"gt=0"`
	}
	type user struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	}
	app := api.New()
	api.Get(app, "/users/{id}", func(ctx context.Context, in *getUser) (*user, error) {
		if in.ID != 1 {
			return nil, api.NotFound("no user %d", in.ID)
		}
		return &user{ID: 1, Name: "Ann"}, nil
	})
	for _, target := range []string{"/users/1", "/users/2", "/users/0"} {
		w := httptest.NewRecorder()
		app.ServeHTTP(w, httptest.NewRequest("GET", target, nil))
		fmt.Print(w.Code, " ", w.Body.String())
		if w.Body.Bytes()[w.Body.Len()-1] != '\n' {
			fmt.Println()
		}
	}
	// Output:
	// 200 {"id":1,"name":"Ann"}
	// 404 {"type":"about:blank","title":"Not Found","status":404,"detail":"no user 2"}
	// 422 {"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"the request does not fit the operation","errors":[{"location":"path.id","message":"must be greater than 0"}]}
}
