package api_test

import (
	"bytes"
	"context"
	"encoding/json"
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

func ExampleApp_OpenAPI() {
	type listUsers struct {
		Role  string `query:"role" validate:"omitempty,oneof=admin member"`
		Limit *int   `query:"limit" validate:"omitempty,gt=0,lte=100"`
	}
	type user struct {
		ID   int64  `json:"id" validate:"required"`
		Name string `json:"name" validate:"required,max=40"`
	}
	app := api.New(api.Title("Users"), api.Version("1.0.0"))
	api.Get(app, "/users", func(ctx context.Context, in *listUsers) (*[]user, error) {
		return &[]user{}, nil
	}, api.Summary("List users"), api.Tags("users"))

	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string            `json:"operationId"`
			Parameters  []json.RawMessage `json:"parameters"`
		} `json:"paths"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	json.Unmarshal(app.OpenAPI(), &doc)
	op := doc.Paths["/users"]["get"]
	fmt.Println(op.OperationID)
	for _, p := range op.Parameters {
		fmt.Println(compactJSON(p))
	}
	fmt.Println(compactJSON(doc.Components.Schemas["user"]))
	// Output:
	// getUsers
	// {"name":"role","in":"query","schema":{"type":"string","enum":["admin","member"]}}
	// {"name":"limit","in":"query","schema":{"type":"integer","format":"int64","minimum":1,"maximum":100}}
	// {"type":"object","properties":{"id":{"type":"integer","format":"int64"},"name":{"type":"string","maxLength":40}},"required":["id","name"]}
}

func compactJSON(raw []byte) string {
	var b bytes.Buffer
	json.Compact(&b, raw)
	return b.String()
}
