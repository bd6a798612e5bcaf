// Package bind fills the input struct of a typed operation from an HTTP
// request and checks it, reporting every problem at once rather than the
// first: what FastAPI does from a function's parameters, and what its 422
// answer lists.
//
// A field is bound from the request by its tag:
//
//	path:"id"        the path wildcard {id} of the route (r.PathValue)
//	query:"limit"    a query parameter; a slice takes every repetition
//	header:"X-Token" a header; a slice takes every value, of every line,
//	                 each line a comma-separated list
//	cookie:"session" a cookie
//	form:"name"      a field of an urlencoded or multipart form
//	body:""          the JSON body, decoded into the field's type
//
// Parameters take strings, booleans, integers, floats, time.Time (RFC 3339),
// time.Duration, any encoding.TextUnmarshaler, pointers to those (nil when
// the parameter is absent: optional) and slices of them. A field without
// a pointer is optional too unless its validate tag says required.
// Validation is go-playground/validator's, from `validate` tags, run once
// every field is bound; a check planned per type vouches first for values
// that surely pass the common tags, so that the validator walks only the
// others (quick.go).
package bind
