package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// An Error is a failure with an HTTP status, written as an RFC 9457
// problem document. Operations return one to answer with a status other
// than 500; the package returns them for requests it refuses.
type Error struct {
	Status int
	Title  string // the status's text unless set
	Detail string // for the client to read
	// Problems lists what is wrong with the request, each at its place
	// (the document's "errors" member).
	Problems []Problem
}

// A Problem is one thing wrong with a request: where ("query.limit",
// "body.items[2].name", "header.X-Token") and what.
type Problem struct {
	Location string `json:"location"`
	Message  string `json:"message"`
}

// Errorf returns an *Error with status and a detail made as fmt.Sprintf
// makes it.
func Errorf(status int, format string, args ...any) *Error {
	return &Error{Status: status, Detail: fmt.Sprintf(format, args...)}
}

// NotFound is Errorf(http.StatusNotFound, ...).
func NotFound(format string, args ...any) *Error {
	return Errorf(http.StatusNotFound, format, args...)
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%d %s", e.Status, e.title())
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	for _, p := range e.Problems {
		s += "; " + p.Location + ": " + p.Message
	}
	return s
}

func (e *Error) title() string {
	if e.Title != "" {
		return e.Title
	}
	return http.StatusText(e.Status)
}

// write sends e as a problem document.
func (e *Error) write(w http.ResponseWriter) {
	doc := struct {
		Type     string    `json:"type"`
		Title    string    `json:"title"`
		Status   int       `json:"status"`
		Detail   string    `json:"detail,omitempty"`
		Problems []Problem `json:"errors,omitempty"`
	}{"about:blank", e.title(), e.Status, e.Detail, e.Problems}
	body, err := json.Marshal(doc)
	if err != nil {
		body = []byte(`{"type":"about:blank","status":500,"title":"Internal Server Error"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.Status)
	w.Write(body)
}
