package main

import (
	"context"
	"testing"

	"github.com/asyncio-go/asyncio/internal/oascheck"
	"github.com/getkin/kin-openapi/openapi3"
)

// TestOpenAPIDocument checks the app's document with two validators
// nobody here wrote: the OpenAPI Initiative's JSON Schema of OpenAPI 3.1
// documents, and kin-openapi's loader and validator. (TestOgenClient
// reads it with a third program, ogen's generator.)
func TestOpenAPIDocument(t *testing.T) {
	raw := newApp(Config{}).OpenAPI()
	if err := oascheck.Validate(raw); err != nil {
		t.Fatalf("against the OpenAPI 3.1 schema: %v\n%s", err, raw)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableSchemaFormatValidation()); err != nil {
		t.Fatalf("kin-openapi: %v", err)
	}
	for _, path := range []string{"/", "/delay/{seconds}", "/fetch", "/parallel", "/send-notification", "/users/{user_id}", "/users"} {
		if doc.Paths.Find(path) == nil {
			t.Errorf("no %s in the document", path)
		}
	}
	if doc.Paths.Find("/ws") != nil {
		t.Error("the WebSocket route, a plain handler, is in the document")
	}
}
