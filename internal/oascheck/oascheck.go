// Package oascheck checks OpenAPI 3.1 documents against the OpenAPI
// Initiative's JSON Schema of them (oas-3.1/schema.json; its README says
// where it comes from), with every Schema Object in a document checked
// against JSON Schema 2020-12's meta-schema, which the official schema
// leaves to the document's dialect.
//
// It is test support: only _test.go files import it, so its validator,
// santhosh-tekuri/jsonschema, is a dependency of the tests alone.
package oascheck

import (
	"bytes"
	_ "embed"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed oas-3.1/schema.json
var oasSchema []byte

// Validate returns nil if doc, JSON, is a valid OpenAPI 3.1 document,
// and otherwise an error listing what is wrong and where.
func Validate(doc []byte) error {
	s, err := compiled()
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return err
	}
	return s.Validate(inst)
}

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	oas, err := jsonschema.UnmarshalJSON(bytes.NewReader(oasSchema))
	if err != nil {
		return nil, err
	}
	id := oas.(map[string]any)["$id"].(string)
	if err := c.AddResource(id, oas); err != nil {
		return nil, err
	}
	// The official schema checks a Schema Object through
	// $dynamicRef "#meta"; this outer schema anchors "meta" at 2020-12.
	withSchemas, err := jsonschema.UnmarshalJSON(strings.NewReader(`{
		"$schema": "https://json-schema.org/draft/2020-12/schema",
		"$ref": "` + id + `",
		"$defs": {"schema": {"$dynamicAnchor": "meta", "$ref": "https://json-schema.org/draft/2020-12/schema"}}
	}`))
	if err != nil {
		return nil, err
	}
	if err := c.AddResource("urn:oascheck:oas-3.1-with-schemas", withSchemas); err != nil {
		return nil, err
	}
	return c.Compile("urn:oascheck:oas-3.1-with-schemas")
})
